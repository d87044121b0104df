import type { webApi } from '@slack/bolt';
import { contactName } from './blocks/context-card.js';
import { homeView, type HomeTouch } from './blocks/home.js';
import type { SlackDeps } from './deps.js';
import { userEmail } from './helpers.js';

const DEFAULT_TOUCHES = 10;

/** Builds and publishes one user's App Home from the touch ledger and the CRM's names. */
export async function publishHome(
  client: webApi.WebClient,
  deps: SlackDeps,
  userId: string,
  touchLimit = DEFAULT_TOUCHES,
) {
  const limit = Math.max(1, Math.min(touchLimit, 30));
  const email = await userEmail(client, userId);
  let touches: HomeTouch[] = [];
  let total = 0;
  if (email) {
    const recent = await deps.recentTouches(email, limit);
    total = recent.total;
    const ids = [...new Set(recent.rows.map((r) => r.contactCrmId).filter((id): id is string => !!id))];
    const contacts = await deps.crm.getContacts(ids).catch(() => []);
    const byId = new Map(contacts.map((c) => [c.id, c]));
    touches = recent.rows.map((r) => {
      const contact = r.contactCrmId ? byId.get(r.contactCrmId) : undefined;
      return {
        id: r.id,
        customer: contact ? contactName(contact) : (r.contactEmail ?? 'unknown customer'),
        crmUrl: r.contactCrmId ? deps.crmContactUrl(r.contactCrmId) : undefined,
        channel: r.channel,
        summary: r.summary,
        occurredAt: r.occurredAt,
        status: r.status,
      };
    });
  }
  await client.views.publish({
    user_id: userId,
    view: homeView({ email, touches, touchesTotal: total, touchLimit: limit }),
  });
}
