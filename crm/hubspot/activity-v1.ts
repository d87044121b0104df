import { CrmError, type CrmEngagement, type CrmTask, type EngagementKind } from '../port.js';
import type { AdapterContext } from './context.js';
import { keyFromBody, withoutMarker } from './engagement-marker.js';
import { stripHtml } from './mapping.js';
import { answer } from './raw-answer.js';
import { htmlToText } from './rich-text.js';

/**
 * A contact's whole activity (notes, calls, emails, meetings and tasks) in one request: HubSpot's
 * engagements v1 read `GET /engagements/v1/engagements/associated/CONTACT/{id}/paged`, scope
 * crm.objects.contacts.read (email bodies also need sales-email-read, as in v3). The v3 way costs
 * an association read and a batch read per kind, up to ten requests for one pane open.
 *
 * HubSpot lists this API as legacy: when a portal refuses it (403, 410, or 404 three times in a
 * row) the adapter says so once and reads through v3 for the rest of the process; the answers of
 * both ways map to the same CrmEngagement and CrmTask. Pages come oldest first (the `offset` is a
 * position, not a time), so a contact with more than MAX_PAGES pages is read through v3, which
 * picks the newest ids.
 */
export type ActivityRead = 'v1' | 'v3';

const PAGE_SIZE = 100;
const MAX_PAGES = 3;
const MISSES_BEFORE_OFF = 3;
/**
 * v1 costs a request per contact; v3's batch reads are shared by every contact read at the same
 * moment (about ten requests for up to a hundred contacts). Past this many v1 reads in flight, a
 * burst (a team's panes, a run of Slack /customer) is cheaper in v3's shared batches.
 */
const V1_IN_FLIGHT = 6;

interface V1Engagement {
  engagement?: { id?: number | string; type?: string; timestamp?: number; ownerId?: number | string | null };
  metadata?: Record<string, unknown>;
}
interface V1Page {
  results?: V1Engagement[];
  hasMore?: boolean;
  offset?: number | string;
}

export interface ContactActivity {
  engagements: CrmEngagement[];
  tasks: CrmTask[];
}

const KIND: Record<string, EngagementKind | 'task'> = {
  NOTE: 'note',
  CALL: 'call',
  EMAIL: 'email',
  INCOMING_EMAIL: 'email',
  FORWARDED_EMAIL: 'email',
  MEETING: 'meeting',
  TASK: 'task',
};

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
const iso = (ms: unknown) => (typeof ms === 'number' && Number.isFinite(ms) ? new Date(ms).toISOString() : null);
const idOf = (value: unknown) => (typeof value === 'number' || typeof value === 'string' ? String(value) : null);

/** One v1 result as Rapport's engagement or task; null for kinds Rapport does not show. */
export function fromV1(result: V1Engagement): CrmEngagement | (CrmTask & { kind: 'task' }) | null {
  const e = result.engagement;
  const id = idOf(e?.id);
  const kind = e?.type ? KIND[e.type] : undefined;
  if (!id || !kind) return null;
  const m = result.metadata ?? {};
  const html = text(m.body);
  const body = html ? htmlToText(html) : '';
  const ownerId = idOf(e?.ownerId);
  const at = iso(e?.timestamp);
  if (kind === 'task') {
    return {
      kind,
      id,
      subject: text(m.subject) ?? '',
      body: withoutMarker(body),
      dueAt: at,
      ownerId,
      status: text(m.status) ?? 'NOT_STARTED',
      priority: text(m.priority),
      // v1 shows no custom property; the body marker is what it can see (completion re-reads through v3).
      createdByRapport: keyFromBody(body) !== null,
    };
  }
  const emailText = kind === 'email' ? (text(m.text) ?? (text(m.html) ? stripHtml(text(m.html)!) : '')) : body;
  const title = kind === 'email' ? text(m.subject) : kind === 'note' ? null : text(m.title);
  return {
    id,
    kind,
    timestamp: at ?? new Date(0).toISOString(),
    body: withoutMarker(emailText),
    title,
    ownerId,
    idempotencyKey: keyFromBody(emailText),
    properties: {},
  };
}

export function activityReads(ctx: AdapterContext, mode: ActivityRead = 'v1') {
  let on = mode === 'v1';
  let misses = 0;
  const inFlight = new Map<string, Promise<ContactActivity | null>>();

  const turnOff = (why: string) => {
    if (!on) return;
    on = false;
    ctx.logger?.warn(
      { crm: 'hubspot', why },
      'HubSpot refused the engagements v1 read; customer activity is read through v3 (more requests per pane open)',
    );
  };

  async function page(contactId: string, offset: string | undefined): Promise<V1Page> {
    const query = `limit=${PAGE_SIZE}${offset ? `&offset=${encodeURIComponent(offset)}` : ''}`;
    return ctx.call('standard', async () =>
      answer<V1Page>(
        await ctx.client.apiRequest({
          method: 'GET',
          path: `/engagements/v1/engagements/associated/CONTACT/${encodeURIComponent(contactId)}/paged?${query}`,
        }),
      ),
    );
  }

  async function read(contactId: string): Promise<ContactActivity | null> {
    const results: V1Engagement[] = [];
    let offset: string | undefined;
    try {
      for (let n = 0; ; n++) {
        if (n === MAX_PAGES) return null;
        const answer = await page(contactId, offset);
        results.push(...(answer.results ?? []));
        const next = idOf(answer.offset);
        if (!answer.hasMore || !next) break;
        offset = next;
      }
    } catch (error) {
      const status = error instanceof CrmError ? error.status : undefined;
      if (status === 403 || status === 410) turnOff(`HTTP ${status}`);
      else if (status === 404 && ++misses >= MISSES_BEFORE_OFF) turnOff('HTTP 404, three times in a row');
      // 404/403/410 mean "not this way"; anything else (429, 5xx) is the CRM's trouble, as in v3.
      if (status === 403 || status === 404 || status === 410) return null;
      throw error;
    }
    misses = 0;
    const engagements: CrmEngagement[] = [];
    const tasks: CrmTask[] = [];
    for (const result of results) {
      const item = fromV1(result);
      if (!item) continue;
      if (item.kind === 'task') {
        const { kind: _kind, ...task } = item;
        tasks.push(task);
      } else engagements.push(item);
    }
    return { engagements, tasks };
  }

  return {
    /**
     * The contact's activity through v1, or null when v1 is off or cannot answer (the caller reads
     * through v3). Concurrent callers for one contact (the timeline and the follow-ups of one pane
     * open) share one read.
     */
    forContact(contactId: string): Promise<ContactActivity | null> {
      if (!on) return Promise.resolve(null);
      let pending = inFlight.get(contactId);
      if (!pending) {
        if (inFlight.size >= V1_IN_FLIGHT) return Promise.resolve(null);
        pending = read(contactId).finally(() => inFlight.delete(contactId));
        inFlight.set(contactId, pending);
      }
      return pending;
    },
  };
}

export type ActivityReads = ReturnType<typeof activityReads>;
