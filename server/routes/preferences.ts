import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { customerTokenParams, preferencesForm } from '../../contracts/index.js';
import { CrmError } from '../../crm/port.js';
import type { LinkProblem, PreferenceCentre } from '../../services/preferences.js';
import type { ForgedLinks } from '../forged-links.js';
import type { AppEnv } from '../middleware/request-log.js';
import { apiApp } from '../openapi/api-app.js';
import { formBody, otherMediaTypeAsEmpty } from '../openapi/bodies.js';
import { ERROR_CONTENT, HTML_CONTENT, errors, html } from '../openapi/responses.js';
import { preferenceLinkProblemPage, preferencePage, preferencePageBody } from '../preference-page.js';

export interface PreferenceRoutesDeps {
  preferences: PreferenceCentre;
  forgedLinks: ForgedLinks;
}

const tags = ['links'];
// Every topic of a large catalogue with three fields each: generous, still small.
const limit = bodyLimit({ maxSize: 32 * 1024, onError: (c) => c.text('too large', 400) });
const refused = {
  404: html('The link is not valid (forged, or its contact is gone).'),
  410: html('The link expired or was stopped.'),
};
/** The CRM not answering: a page saying nothing changed (JSON for anything else that fails). */
const unavailableAnswer = {
  503: {
    description: 'The CRM is not answering: nothing was changed (a page).',
    content: { ...HTML_CONTENT, ...ERROR_CONTENT },
  },
};

const show = createRoute({
  method: 'get',
  path: '/{token}',
  tags,
  summary: "A customer's preference centre",
  description:
    'The signed per-contact link of every alert (email footer, SMS, Slack DM button): the contact’s current choices per topic, time zone, quiet hours, cap. Nothing is changed on GET; the form POSTs to /p.',
  request: { params: customerTokenParams },
  responses: { 200: html('The preference page.'), ...refused, ...errors(400, 429), ...unavailableAnswer },
});

const save = createRoute({
  method: 'post',
  path: '/',
  tags,
  summary: "Save a customer's preferences",
  description:
    'The signed link travels in the form (`token`); no cookie. Idempotent: the answer lists what changed (nothing, when saved twice). `action=revoke` stops every preference link of the contact.',
  middleware: [limit, otherMediaTypeAsEmpty('form', preferencesForm)],
  request: { body: formBody(preferencesForm) },
  responses: {
    200: html('Saved (the page, with what changed).'),
    ...refused,
    ...errors(429),
    400: {
      description: 'A field is not valid: the page naming it (JSON when the token or action is; text when too large).',
      content: { ...HTML_CONTENT, ...ERROR_CONTENT, 'text/plain': { schema: { type: 'string' as const } } },
    },
    ...unavailableAnswer,
  },
});

/**
 * The preference centre at `/p/:token` (GET, the page) and `/p` (POST, the form with its token).
 * No login and no cookie: the signed per-contact link is the credential; it expires and can be
 * revoked (services/preferences.ts).
 */
export function preferenceRoutes(deps: PreferenceRoutesDeps) {
  function problem(c: Context<AppEnv>, p: LinkProblem) {
    if (p === 'forged') deps.forgedLinks.refused('preferences', c.req.path, c.get('log'));
    return c.html(preferenceLinkProblemPage(p), p === 'expired' || p === 'revoked' ? 410 : 404);
  }
  /** The CRM not answering: nothing was changed, the customer can try again. */
  function unavailable(c: Context<AppEnv>, error: unknown) {
    if (!(error instanceof CrmError && error.retryable)) throw error;
    c.header('retry-after', '30');
    return c.html(
      preferencePage(
        'Try again shortly',
        '<main><h1>Try again shortly</h1><p>We could not reach our records just now. Nothing was changed; please try again in a minute.</p></main>',
      ),
      503,
    );
  }

  return apiApp()
    .openapi(show, async (c) => {
      c.header('cache-control', 'no-store');
      try {
        const token = c.req.valid('param').token;
        const opened = await deps.preferences.open(token);
        if (!opened.ok) return problem(c, opened.problem);
        return c.html(preferencePage('Your preferences', preferencePageBody(opened.view, { token })), 200);
      } catch (error) {
        return unavailable(c, error);
      }
    })
    .openapi(save, async (c) => {
      c.header('cache-control', 'no-store');
      const { token, action, ...fields } = c.req.valid('form');
      try {
        if (action === 'revoke') {
          const revoked = await deps.preferences.revoke(token);
          if (!revoked.ok) return problem(c, revoked.problem);
          return c.html(
            preferencePage(
              'Links stopped',
              '<main><h1>Links stopped</h1><p>Every link to your preferences now stops working, this one too. The next alert we send you carries a new one.</p></main>',
            ),
            200,
          );
        }
        const saved = await deps.preferences.save(token, fields as Record<string, string>);
        if (!saved.ok && saved.problem !== 'invalid') return problem(c, saved.problem);
        if (!saved.ok && saved.problem === 'invalid') {
          return c.html(
            preferencePage(
              'Your preferences',
              preferencePageBody(saved.view, { token, error: { field: saved.field, message: saved.message } }),
            ),
            400,
          );
        }
        if (!saved.ok) throw new Error('unreachable');
        return c.html(
          preferencePage(
            'Your preferences',
            preferencePageBody(saved.view, { token, saved: { changes: saved.changes, notes: saved.notes } }),
          ),
          200,
        );
      } catch (error) {
        return unavailable(c, error);
      }
    });
}
