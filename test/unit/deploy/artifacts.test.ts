import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envSchema, loadEnv } from '../../../config/env.js';
import { healthChecks } from '../../../main/steps/status.js';
import { healthRoutes } from '../../../server/routes/health.js';
import {
  compose,
  COMPOSE_FILE,
  dockerfile,
  dockerignorePatterns,
  dotenv,
  envPairs,
  interpolate,
  interpolations,
  isDockerignored,
  KUBERNETES_DIR,
  manifests,
  nodeScript,
  processEnvReads,
  resolveBase,
  ROOT,
  runtimeGraph,
  runtimeImports,
  sourceOf,
  unsupportedDockerignorePattern,
  words,
  type ComposeService,
  type DockerStage,
  type Manifest,
} from '../../../testkit/deploy-artifacts.js';
import { scriptCommand } from '../../../testkit/rapport-process.js';

/**
 * The Dockerfile, deploy/compose.yaml and deploy/kubernetes/ name scripts, files, routes and
 * environment variables of this repository: each must exist, so a rename breaks this test rather
 * than a deployment. test/integration/deploy/image-commands.test.ts runs the image's commands.
 */

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const RAPPORT_VARIABLES = new Set(Object.keys(envSchema.shape));

/**
 * Variables of the third-party images, which config/env.ts rightly does not know. Each is documented
 * by its image: postgres (the official image's initdb), temporalio/server (its config template),
 * temporalio/admin-tools (temporal-sql-tool reads SQL_*, the temporal CLI TEMPORAL_ADDRESS),
 * temporalio/ui. Scripts mounted into a container add the variables they read themselves.
 */
const IMAGE_VARIABLES: Record<string, string[]> = {
  postgres: ['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB'],
  'temporalio/server': ['DB', 'DB_PORT', 'POSTGRES_SEEDS', 'POSTGRES_USER', 'POSTGRES_PWD', 'BIND_ON_IP'],
  'temporalio/admin-tools': ['SQL_PLUGIN', 'SQL_HOST', 'SQL_PORT', 'SQL_USER', 'SQL_PASSWORD', 'TEMPORAL_ADDRESS'],
  'temporalio/ui': ['TEMPORAL_ADDRESS'],
  'axllent/mailpit': [],
};

/**
 * Variables the C library reads, not Rapport: the image limits malloc's per-thread arenas, which
 * otherwise keep a dispatching worker's freed native memory resident (docs/OPERATIONS.md).
 */
const GLIBC_VARIABLES = ['MALLOC_ARENA_MAX'];

/** Variables that are credentials: they belong in the Kubernetes Secret, never in the ConfigMap. */
const SECRET_VARIABLES = [
  'API_TOKENS',
  'API_SERVICE_TOKENS',
  'RAPPORT_SECRET',
  'DATABASE_URL',
  'HUBSPOT_ACCESS_TOKEN',
  'SMTP_URL',
  'TEMPORAL_API_KEY',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'SMS_AUTH_TOKEN',
  'METRICS_TOKEN',
  'DASHBOARD_CLIENT_SECRET',
];

/** Modules the programs load by path rather than import: the worker bundles the workflows, mail goes out on a thread. */
const LOADED_BY_PATH = ['workflows/index.ts', 'channels/email/send-thread.ts'];

/** Valid stand-ins for the values a user must supply, to check that a configuration starts. */
const SAMPLE_SECRETS: Record<string, string> = {
  API_TOKENS: 'sample-token-0123456789abcdefghij',
  RAPPORT_SECRET: 'sample-secret-0123456789abcdefghijklmnopqrstuv',
  DATABASE_URL: 'postgres://rapport:pw@db.example.com:5432/rapport',
  HUBSPOT_ACCESS_TOKEN: 'pat-sample-token',
  SMTP_URL: 'smtp://relay.example.com:587',
};

/** Names outside `allowed`: the check every variable list goes through. */
const unknown = (names: Iterable<string>, allowed: Set<string>) => [...names].filter((n) => !allowed.has(n));

/** Problems with a command a Rapport container runs: `node [flags] dist/<x>.js` whose source exists. */
function commandProblems(command: string[]): string[] {
  const script = nodeScript(command);
  if (!script) return [`${command.join(' ')}: expected node dist/<script>.js`];
  if (!script.startsWith('dist/')) return [`${script}: not under dist/, which npm run build writes`];
  return existsSync(join(ROOT, sourceOf(script))) ? [] : [`${script}: no ${sourceOf(script)} compiles into it`];
}

/**
 * The worker's shutdown grace in seconds (WORKER_SHUTDOWN_GRACE_SECONDS) as configured, plus the
 * 10 s the worker allows itself after it before it stops with an error (workflows/worker.ts).
 */
function workerStopSeconds(configured: Record<string, string> = {}): number {
  const name = [...RAPPORT_VARIABLES].find((n) => /GRACE/.test(n));
  if (!name) throw new Error('config/env.ts has no shutdown grace variable');
  const value = Number(
    configured[name] ?? (envSchema.shape as Record<string, { parse(v: unknown): unknown }>)[name]!.parse(undefined),
  );
  return (name.endsWith('_MS') ? value / 1000 : value) + 10;
}

const seconds = (duration: string) => {
  const m = /^(\d+)(s|m)$/.exec(duration);
  if (!m) throw new Error(`unexpected duration ${duration}`);
  return Number(m[1]) * (m[2] === 'm' ? 60 : 1);
};

// --- Dockerfile

const { args: imageArgs, stages } = dockerfile();
const stage = (name: string) => stages.find((s) => s.name === name)!;
const runtime = stages.at(-1)!;
const of = (s: DockerStage, keyword: string) => s.instructions.filter((i) => i.keyword === keyword);
const imageEnv = Object.assign({}, ...of(runtime, 'ENV').map(envPairs)) as Record<string, string>;
const imageCmd = of(runtime, 'CMD').at(-1)!.words;
const patterns = dockerignorePatterns();

/** /readyz's checks as main/ composes them, with HubSpot not answering and the store up or down. */
const withCrmDown = (storeUp: boolean) =>
  healthChecks(loadEnv({}), {
    db: { query: () => (storeUp ? Promise.resolve({ rows: [] }) : Promise.reject(new Error('down'))) } as never,
    temporal: { workflowService: { getSystemInfo: () => Promise.resolve({}) } } as never,
    crm: { ping: () => Promise.reject(new Error('connect ECONNREFUSED')) } as never,
    crmBasePath: 'https://api.hubapi.com',
    mail: { verify: () => Promise.reject(new Error('down')) },
    holder: 'test',
  });

describe('Dockerfile', () => {
  it('builds on glibc (Debian): the Temporal SDK core has no musl build', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages)
      expect(resolveBase(s.base, imageArgs), `stage ${s.name}`).toMatch(/^node:\d+-(bookworm|trixie)(-slim)?$/);
  });

  it('build stage installs every dependency and runs npm run build; npm scripts it names exist', () => {
    const runs = of(stage('build'), 'RUN').map((r) => r.text);
    expect(runs.some((r) => /^npm ci\b/.test(r) && !r.includes('--omit=dev'))).toBe(true);
    expect(runs).toContain('npm run build');
    const named = runs.flatMap((r) => [...r.matchAll(/npm run (\S+)/g)].map((m) => m[1]!));
    expect(named.filter((s) => !(s in pkg.scripts))).toEqual([]);
  });

  it('runtime stage installs production dependencies only, runs as a non-root user and exposes PORT', () => {
    expect(of(runtime, 'RUN').some((r) => /^npm ci\b.*--omit=dev/.test(r.text))).toBe(true);
    const user = of(runtime, 'USER').at(-1)?.words[0];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(of(runtime, 'EXPOSE').flatMap((e) => e.words)).toEqual([imageEnv.PORT]);
  });

  it('every COPY names files that exist in the build context or an earlier stage', () => {
    const problems: string[] = [];
    stages.forEach((s, index) => {
      for (const copy of of(s, 'COPY')) {
        const sources = copy.words.slice(0, -1);
        const from = copy.flags.from;
        if (from) {
          const earlier = stages.slice(0, index).find((e) => e.name === from);
          if (!earlier) problems.push(`line ${copy.line}: no stage ${from} before ${s.name}`);
          const workdir = of(earlier ?? s, 'WORKDIR').at(-1)?.words[0] ?? '/';
          for (const src of sources)
            if (!src.startsWith(`${workdir}/`))
              problems.push(`line ${copy.line}: ${src} is outside ${from}'s ${workdir}`);
          continue;
        }
        for (const src of sources) {
          if (src === '.') continue;
          if (!existsSync(join(ROOT, src))) problems.push(`line ${copy.line}: no ${src} in the repository`);
          else if (isDockerignored(src, patterns)) problems.push(`line ${copy.line}: ${src} is in .dockerignore`);
        }
      }
    });
    expect(problems).toEqual([]);
  });

  it('CMD starts the API from its compiled entry; ENV sets only variables config/env.ts or glibc reads', () => {
    expect(commandProblems(imageCmd)).toEqual([]);
    expect(sourceOf(nodeScript(imageCmd)!)).toBe('scripts/start.ts');
    expect(unknown(Object.keys(imageEnv), new Set([...RAPPORT_VARIABLES, ...GLIBC_VARIABLES]))).toEqual([]);
    expect(loadEnv({ ...imageEnv, API_TOKENS: SAMPLE_SECRETS.API_TOKENS }).HOST).toBe('0.0.0.0');
  });
  it("sets glibc's malloc arenas as npm run worker does, which bench:dispatch measures", () => {
    const { env: workerEnv } = scriptCommand('worker');
    expect(Number(workerEnv.MALLOC_ARENA_MAX)).toBeGreaterThan(0);
    for (const name of GLIBC_VARIABLES) expect(imageEnv[name], name).toBe(workerEnv[name]);
  });
});

describe('.dockerignore', () => {
  it('uses only patterns the image-commands test applies the way Docker does', () => {
    expect(patterns.filter(unsupportedDockerignorePattern)).toEqual([]);
    expect(isDockerignored('outlook-addin/dist/taskpane.js', ['outlook-addin/dist'])).toBe(true);
    expect(isDockerignored('outlook-addin/src/main.tsx', ['outlook-addin/dist'])).toBe(false);
    expect(isDockerignored('server.log', ['*.log'])).toBe(true);
    expect(isDockerignored('logs/server.log', ['*.log'])).toBe(false);
    expect(isDockerignored('a/b/server.log', ['**/*.log'])).toBe(true);
  });

  it('keeps secrets, local state and host build output out of the image', () => {
    for (const path of ['.env', '.data/pglite/x', 'node_modules/pg/index.js', 'dist/scripts/start.js', '.git/HEAD'])
      expect(isDockerignored(path, patterns), path).toBe(true);
  });

  it('keeps every source the image runs in the build context', () => {
    const { files } = runtimeGraph(['scripts/start.ts', 'scripts/worker.ts', ...LOADED_BY_PATH]);
    const needed = [...files, 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
    expect(needed.filter((f) => isDockerignored(f, patterns))).toEqual([]);
  });
});

// --- Compose

const stack = compose();
const services = Object.entries(stack.services);
/** Services running this repository's image: built from it, or named like the API's image. */
const apiImage = stack.services.api?.image;
const rapportServices = services.filter(([, s]) => s.build !== undefined || s.image === apiImage);
const thirdParty = services.filter(([, s]) => !rapportServices.some(([, r]) => r === s));
const environment = (s: ComposeService) =>
  Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v ?? '')]));
const composeText = read(COMPOSE_FILE);
const composeDotenv = dotenv(read('deploy/.env.example'));
/** deploy/.env.example as Compose would read it as deploy/.env, with the required values filled in. */
const requiredInCompose = new Set(
  interpolations(composeText)
    .filter((i) => i.required)
    .map((i) => i.name),
);
const composeVariables = Object.fromEntries(
  Object.entries(composeDotenv).map(([k, v]) => [k, requiredInCompose.has(k) ? v || SAMPLE_SECRETS[k]! : v]),
);
const resolved = (s: ComposeService) =>
  Object.fromEntries(Object.entries(environment(s)).map(([k, v]) => [k, interpolate(v, composeVariables)]));

describe('deploy/compose.yaml', () => {
  it('runs the API, workers, Temporal, PostgreSQL and a mail catcher', () => {
    expect(stack.services.api).toBeDefined();
    expect(stack.services.worker?.deploy?.replicas).toBeDefined();
    const images = services.map(([, s]) => s.image ?? '');
    for (const image of ['temporalio/server', 'postgres', 'axllent/mailpit'])
      expect(
        images.some((i) => i.startsWith(`${image}:`)),
        image,
      ).toBe(true);
    expect(stack.services.api!.environment?.WORKER_IN_PROCESS).toBe('false');
  });

  it("Rapport's services run compiled entries that exist; the API runs the image's CMD", () => {
    expect(
      rapportServices.flatMap(([name, s]) => commandProblems(words(s.command)).map((p) => `${name}: ${p}`)),
    ).toEqual([]);
    expect(words(stack.services.api!.command)).toEqual(imageCmd);
    expect(sourceOf(nodeScript(words(stack.services.worker!.command))!)).toBe('scripts/worker.ts');
  });

  it("Rapport's services set only variables config/env.ts or their script reads", () => {
    const problems = rapportServices.flatMap(([name, s]) => {
      const script = sourceOf(nodeScript(words(s.command))!);
      const allowed = new Set([...RAPPORT_VARIABLES, ...processEnvReads(script)]);
      return unknown(Object.keys(environment(s)), allowed).map((v) => `${name}: ${v}`);
    });
    expect(problems).toEqual([]);
  });

  it("other images get only their own documented variables or their mounted script's", () => {
    const problems = thirdParty.flatMap(([name, s]) => {
      const image = (s.image ?? '').split(':')[0]!;
      const scripts = (s.volumes ?? []).map((v) => `deploy/${v.split(':')[0]!.replace(/^\.\//, '')}`);
      const fromScripts = scripts
        .filter((f) => f.endsWith('.sh'))
        .flatMap((f) => [...read(f).matchAll(/\$\{?([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!));
      if (!(image in IMAGE_VARIABLES)) return [`${name}: image ${image} has no entry in IMAGE_VARIABLES`];
      const allowed = new Set([...IMAGE_VARIABLES[image]!, ...fromScripts]);
      return unknown(Object.keys(environment(s)), allowed).map((v) => `${name}: ${v}`);
    });
    expect(problems).toEqual([]);
  });

  it('the API and a worker would start: their resolved environment passes config/env.ts', () => {
    for (const name of ['api', 'worker']) {
      const env = loadEnv({ ...imageEnv, ...resolved(stack.services[name]!) });
      expect(env.NODE_ENV).toBe('production');
      // Every host they are pointed at is a service of this file.
      const hosts = [env.DATABASE_URL, `tcp://${env.TEMPORAL_ADDRESS}`, env.HUBSPOT_BASE_PATH, env.SMTP_URL].map(
        (u) => new URL(u!).hostname,
      );
      expect(hosts.filter((h) => !(h in stack.services))).toEqual([]);
    }
  });

  it('every ${VARIABLE} it reads is in deploy/.env.example, and the example lists no other', () => {
    const read = new Set(interpolations(composeText).map((i) => i.name));
    expect(Object.keys(composeDotenv).sort()).toEqual([...read].sort());
    const required = interpolations(composeText)
      .filter((i) => i.required)
      .map((i) => i.name);
    expect(required.sort()).toEqual(['API_TOKENS', 'RAPPORT_SECRET']);
  });

  it('mounted files exist, named volumes are declared, dependencies are services', () => {
    const problems = services.flatMap(([name, s]) => [
      ...(s.volumes ?? []).flatMap((v) => {
        const source = v.split(':')[0]!;
        if (source.startsWith('.')) return existsSync(join(ROOT, 'deploy', source)) ? [] : [`${name}: no ${source}`];
        return source in (stack.volumes ?? {}) ? [] : [`${name}: volume ${source} not declared`];
      }),
      ...Object.keys(s.depends_on ?? {}).flatMap((d) => (d in stack.services ? [] : [`${name}: depends on ${d}`])),
    ]);
    expect(problems).toEqual([]);
  });

  it('the API health check asks a route the app serves, on its PORT', async () => {
    const command = stack.services.api!.healthcheck!.test!.join(' ');
    const url = new URL(/https?:\/\/[^'"\s)]+/.exec(command)![0]);
    expect(url.port).toBe(imageEnv.PORT);
    expect((await healthRoutes({}).request(url.pathname)).status).toBe(200);
    // Healthy through a CRM outage (workers and dependants keep going), unhealthy without the store.
    expect((await healthRoutes(withCrmDown(true).readiness).request(url.pathname)).status).toBe(200);
    expect((await healthRoutes(withCrmDown(false).readiness).request(url.pathname)).status).toBe(503);
  });

  it('a worker is given longer to stop than its shutdown grace', () => {
    const stop = workerStopSeconds(resolved(stack.services.worker!));
    expect(seconds(stack.services.worker!.stop_grace_period!)).toBeGreaterThan(stop);
  });
});

// --- Kubernetes

const docs = manifests();
const byKind = (kind: string) => docs.filter((d) => d.kind === kind);
type Container = {
  name: string;
  image: string;
  command?: string[];
  env?: { name: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
};
type Probe = { httpGet?: { path: string; port: string | number } };
type PodSpec = { containers: Container[]; terminationGracePeriodSeconds?: number };
type Deployment = Manifest & {
  doc: {
    spec: {
      selector: { matchLabels: Record<string, string> };
      template: { metadata: { labels: Record<string, string> }; spec: PodSpec };
    };
  };
};
const deployments = byKind('Deployment') as Deployment[];
const deployment = (component: string) =>
  deployments.find((d) => d.doc.spec.template.metadata.labels['app.kubernetes.io/component'] === component)!;
const container = (component: string) => deployment(component).doc.spec.template.spec.containers[0]!;
const configMap = byKind('ConfigMap')[0]!.doc as { metadata: { name: string }; data: Record<string, string> };
const secret = byKind('Secret')[0]!.doc as { metadata: { name: string }; stringData: Record<string, string> };
const rapportContainers = deployments.flatMap((d) =>
  d.doc.spec.template.spec.containers.filter((c) => c.image === 'rapport').map((c) => ({ deployment: d.name, c })),
);
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

describe('deploy/kubernetes', () => {
  it('kustomization applies every manifest but the example Secret', () => {
    const kustomization = docs.find((d) => d.kind === 'Kustomization')!.doc as {
      resources: string[];
      images: { name: string }[];
    };
    const files = [...new Set(docs.map((d) => d.file.slice(KUBERNETES_DIR.length + 1)))];
    expect([...kustomization.resources].sort()).toEqual(
      files.filter((f) => f !== 'kustomization.yaml' && f !== 'secret.example.yaml').sort(),
    );
    expect(kustomization.images.map((i) => i.name)).toEqual(['rapport']);
  });

  it('API and worker Deployments run compiled entries that exist, as the image and compose do', () => {
    expect(rapportContainers.map(({ deployment }) => deployment).sort()).toEqual(['rapport-api', 'rapport-worker']);
    expect(rapportContainers.flatMap(({ c }) => commandProblems(c.command ?? imageCmd))).toEqual([]);
    expect(container('api').command ?? imageCmd).toEqual(imageCmd);
    expect(container('worker').command).toEqual(words(stack.services.worker!.command));
  });

  it('ConfigMap, Secret and container env hold only variables config/env.ts reads; credentials only in the Secret', () => {
    const names = [
      ...Object.keys(configMap.data),
      ...Object.keys(secret.stringData),
      ...rapportContainers.flatMap(({ c }) => (c.env ?? []).map((e) => e.name)),
    ];
    expect(unknown(names, RAPPORT_VARIABLES)).toEqual([]);
    expect(Object.keys(configMap.data).filter((n) => SECRET_VARIABLES.includes(n))).toEqual([]);
    // A new credential in config/env.ts gets a place on SECRET_VARIABLES, so it cannot land in the ConfigMap.
    expect(
      [...RAPPORT_VARIABLES].filter((n) => /TOKEN|SECRET|API_KEY|PASSWORD/.test(n) && !SECRET_VARIABLES.includes(n)),
    ).toEqual([]);
  });

  it('every Rapport container reads that ConfigMap and Secret', () => {
    for (const { c } of rapportContainers) {
      expect(c.envFrom?.map((e) => e.configMapRef?.name ?? e.secretRef?.name)).toEqual([
        configMap.metadata.name,
        secret.metadata.name,
      ]);
    }
  });

  it('the ConfigMap with a filled-in Secret passes config/env.ts', () => {
    const filled = Object.fromEntries(
      Object.entries(secret.stringData).map(([k, v]) => [k, v || SAMPLE_SECRETS[k] || '']),
    );
    const env = loadEnv({ ...imageEnv, ...configMap.data, ...filled });
    expect(env.NODE_ENV).toBe('production');
    expect(env.WORKER_IN_PROCESS).toBe(false);
  });

  it('API probes: liveness asks a route that stays 200 when dependencies fail, readiness one that reports them', async () => {
    const api = container('api');
    const failing = healthRoutes({ store: () => Promise.reject(new Error('down')) });
    for (const probe of [api.livenessProbe, api.startupProbe])
      expect((await failing.request(probe!.httpGet!.path)).status).toBe(200);
    expect((await failing.request(api.readinessProbe!.httpGet!.path)).status).toBe(503);
    expect((await healthRoutes({}).request(api.readinessProbe!.httpGet!.path)).status).toBe(200);
    // Probes target the named port the process listens on.
    const port = api.ports!.find((p) => p.name === api.readinessProbe!.httpGet!.port);
    expect(String(port?.containerPort)).toBe(configMap.data.PORT ?? imageEnv.PORT);
  });

  it('readiness as Rapport composes it: the CRM down keeps a replica in service, the store down takes it out', async () => {
    const api = container('api');
    const path = api.readinessProbe!.httpGet!.path;
    const checks = withCrmDown;
    expect((await healthRoutes(checks(true).readiness).request(path)).status).toBe(200);
    expect((await healthRoutes(checks(false).readiness).request(path)).status).toBe(503);
    const { status, ready } = await checks(true).status.report();
    expect({ status, ready }).toEqual({ status: 'degraded', ready: true });
  });

  it('the Service reaches the API pods on their named port', () => {
    const service = byKind('Service')[0]!.doc as {
      spec: { selector: Record<string, string>; ports: { targetPort: string }[] };
    };
    expect(matches(service.spec.selector, deployment('api').doc.spec.template.metadata.labels)).toBe(true);
    expect(container('api').ports!.map((p) => p.name)).toContain(service.spec.ports[0]!.targetPort);
  });

  it('every Deployment has a PodDisruptionBudget selecting its pods, and its selector matches its pods', () => {
    const budgets = byKind('PodDisruptionBudget').map(
      (p) => (p.doc as { spec: { selector: { matchLabels: Record<string, string> } } }).spec.selector.matchLabels,
    );
    for (const d of deployments) {
      const labels = d.doc.spec.template.metadata.labels;
      expect(matches(d.doc.spec.selector.matchLabels, labels), d.name).toBe(true);
      expect(
        budgets.filter((b) => matches(b, labels)),
        d.name,
      ).toHaveLength(1);
    }
  });

  it('a worker is given longer to stop than its shutdown grace', () => {
    const stop = workerStopSeconds(configMap.data);
    const period = deployment('worker').doc.spec.template.spec.terminationGracePeriodSeconds!;
    expect(period).toBeGreaterThan(stop);
  });
});

describe('what the image runs needs only production dependencies', () => {
  it('every package the API, worker and sandbox import is in dependencies', () => {
    const entries = [
      ...new Set(
        [
          imageCmd,
          ...rapportServices.map(([, s]) => words(s.command)),
          ...rapportContainers.map(({ c }) => c.command ?? []),
        ]
          .map((command) => nodeScript(command))
          .filter((script): script is string => script !== undefined)
          .map(sourceOf),
      ),
    ];
    expect(entries).toEqual(expect.arrayContaining(['scripts/start.ts', 'scripts/worker.ts']));
    const { packages } = runtimeGraph([...entries, ...LOADED_BY_PATH]);
    const missing = [...packages]
      .filter(([name]) => !(name in pkg.dependencies))
      .map(([name, by]) => `${name} (${by})`);
    expect(missing).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('catch a misspelled variable, a missing script and a type-only import mistaken for a runtime one', () => {
    expect(unknown(['HUBSPOT_TOKEN', 'PORT'], RAPPORT_VARIABLES)).toEqual(['HUBSPOT_TOKEN']);
    expect(commandProblems(['node', 'dist/scripts/no-such-entry.js'])).toEqual([
      'dist/scripts/no-such-entry.js: no scripts/no-such-entry.ts compiles into it',
    ]);
    expect(commandProblems(['npm', 'start'])[0]).toMatch(/expected node dist/);
    const source = [
      "import type { A } from 'types-only';",
      "import { type B, type C } from 'inline-types-only';",
      "import { type D, e } from 'mixed';",
      "export type { F } from 'reexported-type';",
      "export * from './local.js';",
      "const g = await import('dynamic');",
    ].join('\n');
    expect(runtimeImports(source)).toEqual(['mixed', './local.js', 'dynamic']);
  });

  it('resolve Compose interpolation as Compose does', () => {
    expect(interpolate('${A:-x}/${B-y}/$${C}', { A: '', B: '' })).toBe('x//${C}');
    expect(() => interpolate('${A:?set A}', {})).toThrow('A: set A');
    expect(interpolations('${A:?m} ${B:-d} ${C}')).toEqual([
      { name: 'A', required: true },
      { name: 'B', fallback: 'd', required: false },
      { name: 'C', required: false },
    ]);
  });
});
