import { z } from 'zod';

/**
 * Every environment variable Rapport reads, parsed once at start-up.
 * A wrong value stops start-up with a message that names the variable and what it expects.
 * Keep .env.example and the README table in step with this schema.
 */

const port = z.coerce.number().int().min(0).max(65535);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const url = (what: string) =>
  z
    .url({ message: `expected ${what}` })
    .refine((v) => /^[a-z][a-z0-9+.-]*:\/\//i.test(v), { message: `expected ${what}` });
const optionalUrl = (what: string) => optionalString.pipe(url(what).optional());
const secret = (min: number) =>
  optionalString.pipe(
    z
      .string()
      .min(min, { message: `expected at least ${min} characters` })
      .optional(),
  );

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: port.default(3000),
    PUBLIC_URL: optionalUrl('an http(s) URL such as https://rapport.example.com'),
    DATA_DIR: z.string().min(1).default('.data'),
    /** Comma-separated bearer tokens for the HTTP API. Unset: one is generated into DATA_DIR/api-token. */
    API_TOKENS: optionalString.pipe(
      z
        .string()
        .transform((v) =>
          v
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
        )
        .pipe(z.array(z.string().min(24, { message: 'each token needs at least 24 characters' })).min(1))
        .optional(),
    ),

    TEMPORAL_ADDRESS: optionalString.pipe(
      z
        .string()
        .regex(/^[\w.-]+:\d+$/, { message: 'expected host:port, e.g. my-ns.a1b2c.tmprl.cloud:7233' })
        .optional(),
    ),
    TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    TEMPORAL_TASK_QUEUE: z.string().min(1).default('rapport'),
    TEMPORAL_API_KEY: secret(8),
    TEMPORAL_TLS: optionalString.pipe(bool.optional()),
    TEMPORAL_TLS_CERT_PATH: optionalString,
    TEMPORAL_TLS_KEY_PATH: optionalString,
    TEMPORAL_CLI_PATH: optionalString,
    TEMPORAL_DEV_PORT: port.default(7233),
    TEMPORAL_UI_PORT: port.default(8233),
    /** Start a worker inside `npm start` (off when workers run separately via `npm run worker`). */
    WORKER_IN_PROCESS: bool.default(true),

    DATABASE_URL: optionalUrl('a postgres:// connection URL'),

    HUBSPOT_ACCESS_TOKEN: secret(8),
    HUBSPOT_BASE_PATH: url('an http(s) URL').default('https://api.hubapi.com'),
    /** Requests per rolling 10 s: 100 (Free/Starter), 190 (Pro/Enterprise), 250 (with the limit pack). */
    HUBSPOT_RATE_LIMIT: z.coerce.number().int().min(1).max(1000).default(100),
    HUBSPOT_SANDBOX_PORT: port.default(3100),

    /** Longest wait between retries of a CRM write; the retries themselves never stop. */
    CRM_RETRY_MAX_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  })
  .superRefine((env, ctx) => {
    if ((env.TEMPORAL_TLS_CERT_PATH === undefined) !== (env.TEMPORAL_TLS_KEY_PATH === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [env.TEMPORAL_TLS_CERT_PATH ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH'],
        message: 'mTLS needs both TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH',
      });
    }
    if (env.NODE_ENV === 'production' && !env.API_TOKENS) {
      ctx.addIssue({ code: 'custom', path: ['API_TOKENS'], message: 'required in production' });
    }
  });

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; problem: string }[]) {
    super(
      'Rapport cannot start; fix these environment variables (see .env.example):\n' +
        problems.map((p) => `  ${p.variable}: ${p.problem}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

/** Parses the environment; never echoes values back, so a mistyped secret is not printed. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const byVariable = new Map<string, string>();
  for (const issue of result.error.issues) {
    const variable = String(issue.path[0] ?? 'environment');
    if (!byVariable.has(variable)) byVariable.set(variable, issue.message);
  }
  throw new ConfigError([...byVariable].map(([variable, problem]) => ({ variable, problem })));
}
