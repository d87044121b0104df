import { Hono, type Context } from 'hono';
import { jsonBody, SandboxHttpError, type SandboxContext } from '../context.js';
import { updateRecord } from '../records.js';
import type { StatusEntry, SubscriptionBook, SubscriptionDefinition } from '../subscriptions.js';
import { missingScopesBody } from '../scopes.js';

/**
 * HubSpot's communication preferences, channel EMAIL: v3 (one address a request) and v4 (batch
 * reads, one-address writes, unsubscribe from all). Shapes as HubSpot's reference gives them.
 * As on HubSpot, the contact property `hs_email_optout` ("opted out of all email") follows the
 * address's portal-wide status both ways: unsubscribe-all sets it, and a contact whose property is
 * true reads as opted out.
 */
const LEGAL_BASES = [
  'LEGITIMATE_INTEREST_PQL',
  'LEGITIMATE_INTEREST_CLIENT',
  'LEGITIMATE_INTEREST_OTHER',
  'PERFORMANCE_OF_CONTRACT',
  'CONSENT_WITH_NOTICE',
  'NON_GDPR',
  'PROCESS_AND_STORE',
];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const bad = (message: string) => new SandboxHttpError(400, 'VALIDATION_ERROR', message);

function channelParam(c: Context) {
  const channel = c.req.query('channel');
  if (channel !== 'EMAIL') throw bad(`channel must be EMAIL (got ${channel ?? 'nothing'})`);
}

function emailParam(raw: string): string {
  let email = raw.trim();
  try {
    email = decodeURIComponent(email);
  } catch {
    // Already decoded, with a % of its own: checked as it is.
  }
  if (!EMAIL.test(email)) throw bad(`${email} is not a valid email address`);
  return email;
}

function legalBasis(body: { legalBasis?: unknown; legalBasisExplanation?: unknown }) {
  if (body.legalBasis !== undefined && body.legalBasis !== null && !LEGAL_BASES.includes(String(body.legalBasis))) {
    throw bad(`legalBasis must be one of ${LEGAL_BASES.join(', ')}`);
  }
  return {
    legalBasis: typeof body.legalBasis === 'string' ? body.legalBasis : null,
    legalBasisExplanation: typeof body.legalBasisExplanation === 'string' ? body.legalBasisExplanation : null,
  };
}

/** The 403 HubSpot gives a token without the scope a route needs. */
/** HubSpot's 403 for a call the token lacks the scopes for (the envelope scopes.ts gives every route). */
function missingScopes(c: Context, scopes: string[]) {
  return c.json(missingScopesBody(scopes), 403);
}

function batchInputs(body: { inputs?: unknown }): string[] {
  if (!Array.isArray(body.inputs) || body.inputs.length === 0 || body.inputs.some((i) => typeof i !== 'string')) {
    throw bad('inputs must be a non-empty array of email addresses');
  }
  return body.inputs as string[];
}

export function subscriptionRoutes(ctx: SandboxContext) {
  const app = new Hono({ strict: false });
  const book = (): SubscriptionBook => ctx.state.subscriptions;
  const nowIso = () => new Date(ctx.now()).toISOString();

  const contactsWith = (email: string) =>
    [...ctx.state.table('contacts').values()].filter(
      (r) => !r.archived && r.properties.email?.toLowerCase() === email.toLowerCase(),
    );

  /** Portal-wide: opted out through the API, or the contact's own hs_email_optout. */
  const optedOutOfAll = (email: string): string | null => {
    const at = book().optedOutOfAll.get(email.toLowerCase());
    if (at) return at;
    const contact = contactsWith(email).find((r) => r.properties.hs_email_optout === 'true');
    return contact ? contact.updatedAt : null;
  };

  const setOptOut = (email: string, value: boolean, at: string) => {
    for (const record of contactsWith(email)) {
      if ((record.properties.hs_email_optout === 'true') !== value)
        updateRecord('contacts', record, { hs_email_optout: String(value) }, at);
    }
  };

  const v4Status = (email: string, def: SubscriptionDefinition, reason: string | null = null) => {
    const entry = book().statuses.get(email.toLowerCase())?.get(def.id);
    return {
      businessUnitId: def.businessUnitId,
      channel: 'EMAIL',
      subscriberIdString: email,
      subscriptionId: Number(def.id),
      subscriptionName: def.name,
      status: entry?.status ?? 'NOT_SPECIFIED',
      source: entry?.source ?? 'Not specified',
      legalBasis: entry?.legalBasis ?? null,
      legalBasisExplanation: entry?.legalBasisExplanation ?? null,
      setStatusSuccessReason: reason,
      timestamp: entry?.timestamp ?? def.createdAt,
    };
  };

  const wideStatus = (email: string) => {
    const at = optedOutOfAll(email);
    return {
      businessUnitId: 0,
      wideStatusType: 'PORTAL_WIDE',
      subscriberIdString: email,
      status: at ? 'UNSUBSCRIBED' : 'SUBSCRIBED',
      channel: 'EMAIL',
      timestamp: at ?? nowIso(),
    };
  };

  const batch = <T>(results: T[], startedAt: string) => ({
    status: 'COMPLETE',
    results,
    startedAt,
    completedAt: nowIso(),
  });

  const setStatus = (
    email: string,
    def: SubscriptionDefinition,
    status: 'SUBSCRIBED' | 'UNSUBSCRIBED',
    entry: Omit<StatusEntry, 'status'>,
  ) => {
    const entries = book().entries(email);
    const before = entries.get(def.id)?.status;
    const wasOptedOut = optedOutOfAll(email) !== null;
    entries.set(def.id, { status, ...entry });
    if (status === 'SUBSCRIBED' && wasOptedOut) {
      // Subscribing again lifts "opted out of all", as HubSpot's resubscription does.
      book().optedOutOfAll.delete(email.toLowerCase());
      setOptOut(email, false, entry.timestamp);
      ctx.changed();
      return 'RESUBSCRIBE_OCCURRED';
    }
    ctx.changed();
    return before === status ? 'NO_STATUS_CHANGE' : 'REQUESTED_CHANGE_OCCURRED';
  };

  const unsubscribeAll = (email: string, at: string) => {
    for (const def of book().definitions) {
      book().entries(email).set(def.id, {
        status: 'UNSUBSCRIBED',
        source: 'Public status API',
        legalBasis: null,
        legalBasisExplanation: null,
        timestamp: at,
      });
    }
    book().optedOutOfAll.set(email.toLowerCase(), at);
    setOptOut(email, true, at);
    ctx.changed();
  };

  // --- v4 ---
  app.get('/communication-preferences/v4/definitions', (c) => c.json(batch(book().definitions, nowIso())));

  app.post('/communication-preferences/v4/statuses/batch/read', async (c) => {
    if (!book().batchApi) return missingScopes(c, ['communication_preferences.statuses.batch.read']);
    channelParam(c);
    const startedAt = nowIso();
    const inputs = batchInputs(await jsonBody(c));
    return c.json(
      batch(
        inputs.map((email) => ({
          subscriberIdString: email,
          statuses: book().definitions.map((d) => v4Status(email, d)),
        })),
        startedAt,
      ),
    );
  });

  app.post('/communication-preferences/v4/statuses/batch/unsubscribe-all/read', async (c) => {
    if (!book().batchApi) return missingScopes(c, ['communication_preferences.statuses.batch.read']);
    channelParam(c);
    const startedAt = nowIso();
    const inputs = batchInputs(await jsonBody(c));
    return c.json(
      batch(
        inputs.map((email) => ({ subscriberIdString: email, wideStatuses: [wideStatus(email)] })),
        startedAt,
      ),
    );
  });

  app.get('/communication-preferences/v4/statuses/:email/unsubscribe-all', (c) => {
    channelParam(c);
    const email = emailParam(c.req.param('email'));
    return c.json(batch([wideStatus(email)], nowIso()));
  });

  app.post('/communication-preferences/v4/statuses/:email/unsubscribe-all', (c) => {
    channelParam(c);
    const startedAt = nowIso();
    const email = emailParam(c.req.param('email'));
    unsubscribeAll(email, startedAt);
    const verbose = c.req.query('verbose') === 'true';
    return c.json(
      batch(
        verbose ? book().definitions.map((d) => v4Status(email, d, 'UNSUBSCRIBE_FROM_ALL_OCCURRED')) : [],
        startedAt,
      ),
    );
  });

  app.get('/communication-preferences/v4/statuses/:email', (c) => {
    channelParam(c);
    const email = emailParam(c.req.param('email'));
    return c.json(
      batch(
        book().definitions.map((d) => v4Status(email, d)),
        nowIso(),
      ),
    );
  });

  app.post('/communication-preferences/v4/statuses/:email', async (c) => {
    const startedAt = nowIso();
    const email = emailParam(c.req.param('email'));
    const body = await jsonBody<Record<string, unknown>>(c);
    if (body.channel !== 'EMAIL') throw bad('channel must be EMAIL');
    const def = book().definition(String(body.subscriptionId ?? ''));
    if (!def) throw bad(`subscriptionId ${String(body.subscriptionId)} is not a subscription type of this account`);
    const basis = legalBasis(body);
    if (body.statusState === 'NOT_SPECIFIED') {
      book().entries(email).delete(def.id);
      ctx.changed();
      return c.json(batch([v4Status(email, def, 'REQUESTED_CHANGE_OCCURRED')], startedAt));
    }
    if (body.statusState !== 'SUBSCRIBED' && body.statusState !== 'UNSUBSCRIBED') {
      throw bad('statusState must be SUBSCRIBED, UNSUBSCRIBED or NOT_SPECIFIED');
    }
    const reason = setStatus(email, def, body.statusState, {
      source: 'Public status API',
      ...basis,
      timestamp: startedAt,
    });
    return c.json(batch([v4Status(email, def, reason)], startedAt));
  });

  // --- v3 ---
  const v3Definition = (d: SubscriptionDefinition) => d;

  app.get('/communication-preferences/v3/definitions', (c) =>
    c.json({ subscriptionDefinitions: book().definitions.map(v3Definition) }),
  );

  /** Only types with a status of their own, or every type when the address opted out of all. */
  const v3Statuses = (email: string) => {
    const portalWide = optedOutOfAll(email) !== null;
    const entries = book().statuses.get(email.toLowerCase());
    return book()
      .definitions.filter((d) => portalWide || entries?.has(d.id))
      .map((d) => {
        const entry = entries?.get(d.id);
        const subscribed = !portalWide && entry?.status === 'SUBSCRIBED';
        return {
          id: d.id,
          name: d.name,
          description: d.description,
          status: subscribed ? 'SUBSCRIBED' : 'NOT_SUBSCRIBED',
          sourceOfStatus: portalWide ? 'PORTAL_WIDE_STATUS' : 'SUBSCRIPTION_STATUS',
          brandId: 0,
          preferenceGroupName: d.purpose,
          legalBasis: entry?.legalBasis ?? null,
          legalBasisExplanation: entry?.legalBasisExplanation ?? null,
        };
      });
  };

  app.get('/communication-preferences/v3/status/email/:email', (c) => {
    const email = emailParam(c.req.param('email'));
    return c.json({ recipient: email, subscriptionStatuses: v3Statuses(email) });
  });

  for (const [path, status] of [
    ['/communication-preferences/v3/subscribe', 'SUBSCRIBED'],
    ['/communication-preferences/v3/unsubscribe', 'UNSUBSCRIBED'],
  ] as const) {
    app.post(path, async (c) => {
      const body = await jsonBody<Record<string, unknown>>(c);
      const email = emailParam(String(body.emailAddress ?? ''));
      const def = book().definition(String(body.subscriptionId ?? ''));
      if (!def) throw bad(`subscriptionId ${String(body.subscriptionId)} is not a subscription type of this account`);
      // v3 changes only what is not already so: HubSpot refuses a second unsubscribe (400), and
      // will not subscribe again an address that unsubscribed or opted out of all (v4 can).
      const current = book().statuses.get(email.toLowerCase())?.get(def.id)?.status;
      const out = current === 'UNSUBSCRIBED' || optedOutOfAll(email) !== null;
      if (status === 'UNSUBSCRIBED' && out) throw bad(`${email} is already unsubscribed from subscription ${def.id}`);
      if (status === 'SUBSCRIBED' && out) {
        throw bad(`${email} has opted out of subscription ${def.id} and cannot be subscribed again through this API`);
      }
      setStatus(email, def, status, { source: 'Public status API', ...legalBasis(body), timestamp: nowIso() });
      return c.json(v3Statuses(email).find((s) => s.id === def.id));
    });
  }

  // --- test control ---
  app.post('/__sandbox/communication-preferences', async (c) => {
    const body = await jsonBody<{ batchApi?: unknown }>(c);
    if (typeof body.batchApi === 'boolean') book().batchApi = body.batchApi;
    return c.json({ batchApi: book().batchApi });
  });

  return app;
}
