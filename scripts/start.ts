/**
 * `npm start`: Rapport on embedded defaults (or whatever the environment points at):
 * store, CRM (HubSpot or the local sandbox), Temporal (or a dev server), worker, HTTP server.
 */
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { ConfigError, createLogger, loadEnv, startRapport } from '../main/index.js';

function describeDatabase(url: string | undefined): string {
  if (!url) return 'PGlite (embedded PostgreSQL)';
  const parsed = new URL(url);
  return `PostgreSQL at ${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
}

async function main() {
  // A .env file in the working directory is read the way `node --env-file` would read it.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let env;
  try {
    env = loadEnv();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
  const logger = createLogger(env.LOG_LEVEL);
  const rapport = await startRapport(env, logger);

  const lines = [
    '',
    'Rapport is running.',
    `  API            ${rapport.url}/api   (health: ${rapport.url}/healthz, ${rapport.url}/readyz, ${rapport.url}/api/status)`,
    `  Temporal       ${rapport.devServer ? `dev server ${rapport.devServer.address} (CLI from ${rapport.devServer.source})` : env.TEMPORAL_ADDRESS}`,
    ...(rapport.devServer?.uiUrl ? [`  Temporal UI    ${rapport.devServer.uiUrl}`] : []),
    `  CRM            ${rapport.sandboxUrl ? `HubSpot sandbox ${rapport.sandboxUrl} (demo data; set HUBSPOT_ACCESS_TOKEN for real HubSpot)` : env.HUBSPOT_BASE_PATH}`,
    `  Store          ${describeDatabase(env.DATABASE_URL)}${env.DATABASE_URL ? '' : ` in ${relative(process.cwd(), env.DATA_DIR) || '.'}/pglite`}`,
    `  Mail           ${rapport.outboxUrl ? `SMTP catcher ${rapport.smtpUrl}, outbox ${rapport.outboxUrl} (set SMTP_URL for real mail)` : 'SMTP_URL'}`,
    `  SMS            ${rapport.smsOutboxUrl ? `SMS stand-in, outbox ${rapport.smsOutboxUrl} (set SMS_ACCOUNT_SID, SMS_AUTH_TOKEN, SMS_FROM for real texts)` : `provider ${env.SMS_API_URL ?? 'Twilio'}`}`,
    `  Worker         ${rapport.worker ? `in this process, task queue ${env.TEMPORAL_TASK_QUEUE}` : 'off (WORKER_IN_PROCESS=false; run npm run worker)'}`,
    `  Slack          ${rapport.slack.notice}${rapport.slack.app ? '; alerts reach Slack-preferring customers as DMs' : ''}`,
    `  Outlook pane   ${rapport.url}/addin/taskpane.html   (${
      rapport.addinSignIn.kind === 'entra'
        ? 'Entra sign-in'
        : rapport.addinSignIn.kind === 'dev'
          ? `DEVELOPMENT sign-in as ${rapport.addinSignIn.devUser}: loopback only, ADDIN_DEV_AUTH=false turns it off`
          : 'sign-in not configured: AAD_TENANT_ID and AAD_CLIENT_ID'
    }; in Outlook: docs/OUTLOOK.md)`,
    ...(rapport.localIssuer
      ? [
          `  People sign-in local OpenID Connect issuer ${rapport.localIssuer.url} (oidc-provider; DEVELOPMENT, loopback only: any email signs in; set OIDC_ISSUER or AAD_TENANT_ID for your identity provider)`,
        ]
      : []),
    ...(rapport.dashboardSignIn
      ? [
          `  Dashboard      sign in at ${rapport.dashboardSignIn.signInUrl}${rapport.dashboardSignIn.local ? ' (the local provider: any email, e.g. approver@rapport.example)' : ` (${rapport.dashboardSignIn.issuer})`}`,
        ]
      : []),
    ...(rapport.apiToken?.file
      ? [
          `  API token      in ${relative(process.cwd(), rapport.apiToken.file)} (generated for this data directory)`,
          '',
          'Try it:',
          `  export RAPPORT_TOKEN=$(cat ${relative(process.cwd(), rapport.apiToken.file)})`,
          `  curl -s -X POST ${rapport.url}/api/touches -H "authorization: Bearer $RAPPORT_TOKEN" -H 'content-type: application/json' \\`,
          `    -d '{"contact":{"email":"joe.smith@acme-logistics.example"},"channel":"call","summary":"Discussed renewal","loggedBy":"ana@rapport.example"}'`,
          `  curl -s "${rapport.url}/api/customers/context?email=joe.smith@acme-logistics.example" -H "authorization: Bearer $RAPPORT_TOKEN"`,
          ...(rapport.localIssuer
            ? [
                'As a person (approving needs one; a service token never can):',
                `  export ANA=$(npx tsx scripts/person-token.ts ${rapport.localIssuer.url} ${rapport.localIssuer.clientId} approver@rapport.example)`,
                `  curl -s ${rapport.url}/api/alerts -H "authorization: Bearer $ANA"`,
              ]
            : []),
        ]
      : []),
    '',
    'Ctrl-C stops everything cleanly.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    rapport.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: Error) => {
  console.error(`Rapport could not start: ${error.message}`);
  process.exit(1);
});
