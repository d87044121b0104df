import type { OpenAPIHono } from '@hono/zod-openapi';
import packageJson from '../../package.json' with { type: 'json' };

export type OpenApiDocument = ReturnType<OpenAPIHono['getOpenAPI31Document']>;

/** The credentials routes name in `security`. */
export const SECURITY = {
  apiToken: [{ apiToken: [] }],
  addinToken: [{ addinToken: [] }],
  twilioSignature: [{ twilioSignature: [] }],
  slackSignature: [{ slackSignature: [] }],
};

/** Tags in the order the reference page shows them. */
export const TAGS = [
  { name: 'alerts', description: 'Broadcast alerts: request, approval, progress, audit and customer responses.' },
  {
    name: 'topics',
    description: 'The topic catalogue: what alerts are about, their default channels and announced schedules.',
  },
  { name: 'touches', description: 'Touches logged with customers, on their way to the CRM timeline.' },
  { name: 'customers', description: 'Everything a rep needs about one customer, and its follow-ups.' },
  { name: 'add-in', description: 'The Outlook add-in: its configuration and its API (add-in tokens, not API tokens).' },
  {
    name: 'links',
    description: 'Pages behind the signed links in emails and texts: the token in the path is the credential.',
  },
  {
    name: 'webhooks',
    description: 'What providers call: inbound email, texts back (Twilio) and Slack (signed requests).',
  },
  { name: 'health', description: 'Liveness and readiness, for load balancers and orchestrators.' },
  { name: 'docs', description: 'This document and its reference page.' },
];

export function registerSecuritySchemes(app: Pick<OpenAPIHono, 'openAPIRegistry'>) {
  const { openAPIRegistry: registry } = app;
  registry.registerComponent('securitySchemes', 'apiToken', {
    type: 'http',
    scheme: 'bearer',
    description:
      "A person's sign-in token from the organisation's identity provider (OIDC, scope access_as_user): who acts comes from it. Or a service principal's token (API_SERVICE_TOKENS with scopes, API_TOKENS, or the one generated into DATA_DIR/api-token), which can never decide, revise or cancel.",
  });
  registry.registerComponent('securitySchemes', 'addinToken', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: "The signed-in Outlook user's Entra token (scope access_as_user), or the development token.",
  });
  registry.registerComponent('securitySchemes', 'twilioSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Twilio-Signature',
    description: "Twilio's signature of the URL and form, made with the SMS account's auth token.",
  });
  registry.registerComponent('securitySchemes', 'slackSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'X-Slack-Signature',
    description: "Slack's signature (with X-Slack-Request-Timestamp), made with the app's signing secret.",
  });
}

/** The OpenAPI 3.1 document of every route mounted on the app. */
export function openApiDocument(app: Pick<OpenAPIHono, 'getOpenAPI31Document'>): OpenApiDocument {
  return app.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Rapport',
      version: packageJson.version,
      description:
        'Digital relationship management inside Slack, Outlook, Temporal and HubSpot. Errors are JSON: ' +
        '`{"error": {"code", "message", "field"?}}`; `field` names the input at fault.',
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    tags: TAGS,
  });
}
