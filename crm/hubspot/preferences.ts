import type { EmailSubscriptionStatus, SubscriptionTarget } from '../port.js';
import { CrmError } from '../port.js';
import { chunk, type AdapterContext } from './context.js';
import { answer } from './raw-answer.js';

/**
 * HubSpot's communication preferences (channel EMAIL), read and written for the audience and the
 * unsubscribe link.
 *
 * Reads: v4's batch endpoints (`POST /communication-preferences/v4/statuses/batch/read` and
 * `.../batch/unsubscribe-all/read`, 100 addresses a request) need the scope
 * `communication_preferences.statuses.batch.read`, which only Marketing Hub Enterprise grants.
 * Elsewhere v3 answers one address a request (`GET /communication-preferences/v3/status/email/{email}`,
 * scope `communication_preferences.read`). `auto` tries v4 and falls back to v3 for good on its 403.
 *
 * Writes go one address at a time: v4 `POST /communication-preferences/v4/statuses/{email}` for one
 * subscription type (v3 `POST /communication-preferences/v3/unsubscribe` in v3 mode) and v4
 * `POST .../statuses/{email}/unsubscribe-all` for all email (v3 has no such call); scope
 * `communication_preferences.write`.
 */
export type PreferencesApi = 'auto' | 'v4' | 'v3' | 'off';

/** Addresses per v4 batch request: HubSpot documents no maximum; 100 is its usual batch size. */
export const PREFERENCES_BATCH = 100;

const LEGAL_BASIS = {
  legalBasis: 'CONSENT_WITH_NOTICE',
  legalBasisExplanation: 'The contact unsubscribed through the unsubscribe link of a Rapport alert.',
} as const;

interface V4Status {
  subscriptionId?: number | string;
  status?: string;
}
interface V4StatusesResponse {
  results?: { subscriberIdString?: string; statuses?: V4Status[] }[];
}
interface V4WideResponse {
  results?: { subscriberIdString?: string; wideStatuses?: { status?: string; wideStatusType?: string }[] }[];
}

const lower = (email: string) => email.trim().toLowerCase();

export function preferenceOperations(ctx: AdapterContext, mode: PreferencesApi = 'auto') {
  const { client } = ctx;
  // auto: v4 until HubSpot says the token may not use it, then v3 for the rest of the process.
  let reads: 'v4' | 'v3' | 'off' = mode === 'auto' ? 'v4' : mode;

  const v4 = <T>(method: 'GET' | 'POST', path: string, body?: unknown) =>
    ctx.call('standard', async () =>
      answer<T>(
        await client.apiRequest({
          method,
          path: `/communication-preferences/v4${path}`,
          ...(body === undefined ? {} : { body }),
        }),
      ),
    );

  async function readV4(emails: string[], out: Map<string, EmailSubscriptionStatus>) {
    for (const inputs of chunk(emails, PREFERENCES_BATCH)) {
      const [types, wide] = await Promise.all([
        v4<V4StatusesResponse>('POST', '/statuses/batch/read?channel=EMAIL', { inputs }),
        v4<V4WideResponse>('POST', '/statuses/batch/unsubscribe-all/read?channel=EMAIL', { inputs }),
      ]);
      const entry = (email: string) => {
        const key = lower(email);
        let status = out.get(key);
        if (!status) out.set(key, (status = { optedOutOfAll: false, unsubscribedFrom: [] }));
        return status;
      };
      for (const r of types.results ?? []) {
        if (!r.subscriberIdString) continue;
        const status = entry(r.subscriberIdString);
        for (const s of r.statuses ?? []) {
          if (s.status === 'UNSUBSCRIBED' && s.subscriptionId !== undefined)
            status.unsubscribedFrom.push(String(s.subscriptionId));
        }
      }
      for (const r of wide.results ?? []) {
        if (!r.subscriberIdString) continue;
        // PORTAL_WIDE, or BUSINESS_UNIT_WIDE with the brands add-on: either stops every email.
        if ((r.wideStatuses ?? []).some((w) => w.status === 'UNSUBSCRIBED'))
          entry(r.subscriberIdString).optedOutOfAll = true;
      }
    }
  }

  async function readV3(emails: string[], out: Map<string, EmailSubscriptionStatus>) {
    for (const email of emails) {
      try {
        const r = await ctx.call('standard', () => client.communicationPreferences.statusApi.getEmailStatus(email));
        const statuses = r.subscriptionStatuses ?? [];
        const no = statuses.filter((s) => String(s.status) === 'NOT_SUBSCRIBED');
        out.set(lower(email), {
          optedOutOfAll: no.some((s) => String(s.sourceOfStatus) === 'PORTAL_WIDE_STATUS'),
          unsubscribedFrom: no.map((s) => String(s.id)),
        });
      } catch (error) {
        // An address HubSpot does not know, or will not read, has no preferences to honour.
        if (error instanceof CrmError && (error.code === 'CRM_NOT_FOUND' || error.code === 'CRM_BAD_REQUEST')) continue;
        throw error;
      }
    }
  }

  /**
   * One subscription type's status for one address: v3's subscribe or unsubscribe (which refuses a
   * change already in place with a 400 "already": the state we want), or v4's status POST.
   */
  const setTypeStatus = async (
    address: string,
    subscriptionId: string,
    state: 'SUBSCRIBED' | 'UNSUBSCRIBED',
    basis: { legalBasis: string; legalBasisExplanation: string },
  ): Promise<void> => {
    if (mode !== 'v3') {
      await v4('POST', `/statuses/${encodeURIComponent(address)}`, {
        channel: 'EMAIL',
        statusState: state,
        subscriptionId: Number(subscriptionId),
        ...basis,
      });
      return;
    }
    const api = client.communicationPreferences.statusApi;
    const body = { emailAddress: address, subscriptionId, ...basis } as Parameters<typeof api.subscribe>[0];
    try {
      await ctx.call('standard', () => (state === 'SUBSCRIBED' ? api.subscribe(body) : api.unsubscribe(body)));
    } catch (error) {
      if (error instanceof CrmError && error.code === 'CRM_BAD_REQUEST' && /already/i.test(error.message)) return;
      throw error;
    }
  };

  return {
    async getEmailSubscriptionStatuses(emails: string[]): Promise<Map<string, EmailSubscriptionStatus>> {
      const out = new Map<string, EmailSubscriptionStatus>();
      const unique = [...new Set(emails.map(lower).filter(Boolean))];
      if (unique.length === 0 || reads === 'off') return out;
      if (reads === 'v4') {
        try {
          await readV4(unique, out);
          return out;
        } catch (error) {
          const refused = error instanceof CrmError && error.status === 403;
          if (!(refused && mode === 'auto')) throw error;
          ctx.logger?.warn(
            { crm: 'hubspot' },
            'HubSpot refused the v4 batch subscription read (it needs communication_preferences.statuses.batch.read, ' +
              'Marketing Hub Enterprise); reading subscription statuses one address a request (v3) from now on',
          );
          reads = 'v3';
          out.clear();
        }
      }
      await readV3(unique, out);
      return out;
    },

    /**
     * Subscribes the address to one subscription type again (the preference centre's "on"). HubSpot
     * refuses this for an address that opted out of all email; that refusal reaches the caller.
     */
    async subscribeEmail(email: string, subscriptionId: string): Promise<void> {
      await setTypeStatus(email.trim(), subscriptionId, 'SUBSCRIBED', {
        legalBasis: 'CONSENT_WITH_NOTICE',
        legalBasisExplanation: 'The contact turned this topic on in the Rapport preference centre.',
      });
    },

    async unsubscribeEmail(email: string, target: SubscriptionTarget): Promise<void> {
      const address = email.trim();
      if (target.kind === 'all') {
        await v4('POST', `/statuses/${encodeURIComponent(address)}/unsubscribe-all?channel=EMAIL`);
        return;
      }
      await setTypeStatus(address, target.id, 'UNSUBSCRIBED', LEGAL_BASIS);
    },
  };
}
