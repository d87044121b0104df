import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { ulid } from 'ulid';
import { verifyToken } from '../domain/broadcast/signed-token.js';
import { trailLink } from '../domain/broadcast/trail-link.js';
import { z } from 'zod';
import { csvHeader, csvLine, type TrailCursor, type TrailEntry } from '../domain/broadcast/trail.js';
import { isRequester } from '../domain/broadcast/decision-rules.js';
import { DomainError } from '../domain/errors.js';
import type { AlertEventStore } from '../store/alert-events.js';
import type { AlertRow } from '../store/alerts.js';
import { resendUnconfirmed } from '../workflows/broadcast/workflows.js';
import { startIdempotently } from '../workflows/start.js';
import type { ApproverGroups, PersonRef } from './approver-groups.js';
import type { PeopleDirectory } from './people.js';

export interface AlertTrailDeps {
  events: AlertEventStore;
  temporal: Client;
  taskQueue: string;
  batchSize: number;
  /** APPROVER_GROUPS, judged by person id. */
  groups: Pick<ApproverGroups, 'entryOf'>;
  /** The person a trail link's address stands for (links are bound to an address). */
  people: Pick<PeopleDirectory, 'fromMailbox'>;
  secret: string;
  publicUrl: string;
}

const cursorSchema = z.tuple([z.string().regex(/^\d{1,19}$/), z.number().int().min(0).max(99), z.string().max(40)]);

function encodeCursor(c: TrailCursor): string {
  return Buffer.from(JSON.stringify([c.us, c.rank, c.key]), 'utf8').toString('base64url');
}

/** The cursor, or null when it is not one this server wrote (the route answers 400 naming it). */
function decodeCursor(value: string): TrailCursor | null {
  if (value.length > 200 || !/^[A-Za-z0-9_-]+$/.test(value)) return null;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    if (!parsed.success) return null;
    const [us, rank, key] = parsed.data;
    return { us, rank, key };
  } catch {
    return null;
  }
}

/** Statuses after the alert's own dispatch: the unconfirmed rows are final, so a resend cannot race it. */
const RESENDABLE = new Set(['following_up', 'completed']);
/** Rows per page while the CSV streams: the memory it holds at once. */
const CSV_PAGE = 1000;

export interface TrailPageView {
  entries: TrailEntry[];
  next: string | null;
}

/** Told before a resend, on every surface: the row's message may have arrived. */
export const resendWarning = (rows: number) =>
  `${rows} customer(s) may or may not have the message: the worker sending it stopped before their mail server ` +
  'answered. Resending sends it to all of them again, so some may get it twice.';

/**
 * One alert's trail (services/… so the API and the page read it the same way): its pages, its
 * CSV as a stream, the links to its page, and the resend to its unconfirmed rows.
 */
export function createAlertTrail(deps: AlertTrailDeps) {
  /** Who resends: as the face verified them, or the person a trail link's address stands for. */
  const personOf = async (who: string | PersonRef): Promise<PersonRef> =>
    typeof who === 'string' ? deps.people.fromMailbox(who.trim().toLowerCase()) : who;

  return {
    /** A page after `cursor` (from a previous page's `next`); a cursor this server did not write is a 400. */
    async page(alertId: string, cursor: string | undefined, limit: number): Promise<TrailPageView> {
      let after: TrailCursor | null = null;
      if (cursor !== undefined) {
        after = decodeCursor(cursor);
        if (!after) throw new DomainError('VALIDATION', 'cursor: not a cursor from a previous page', 'cursor');
      }
      const page = await deps.events.trailPage(alertId, after, limit);
      return { entries: page.entries, next: page.next ? encodeCursor(page.next) : null };
    },

    /** The whole trail as CSV, page by page: never more than one page in memory, whatever the alert's size. */
    async *csv(alertId: string): AsyncGenerator<string> {
      yield csvHeader();
      let after: TrailCursor | null = null;
      for (;;) {
        const page = await deps.events.trailPage(alertId, after, CSV_PAGE);
        yield page.entries.map(csvLine).join('');
        if (!page.next) return;
        after = page.next;
      }
    },

    unconfirmed: (alertId: string) => deps.events.unconfirmedCount(alertId),

    /** The person's link to the alert's trail page (absolute), saved so it works when opened. */
    async pageUrl(alertId: string, person: string): Promise<string> {
      const link = trailLink(deps.secret, alertId, person);
      await deps.events.saveTrailLink(link);
      return `${deps.publicUrl}${link.path}`;
    },

    /** Who a trail page token was made for, or null when it is forged, unknown or expired. */
    async openLink(token: string): Promise<{ alertId: string; person: string } | null> {
      const id = verifyToken(deps.secret, 'trail', token);
      if (!id) return null;
      const link = await deps.events.getTrailLink(id);
      if (!link || Date.parse(link.expiresAt) <= Date.now()) return null;
      return { alertId: link.alertId, person: link.person };
    },

    /** The requester and the alert's approvers may resend; nobody else. Judged by person id. */
    async mayResend(alert: AlertRow, person: string | PersonRef): Promise<boolean> {
      const who = await personOf(person);
      return (
        isRequester(alert, { email: who.email, id: who.id }) ||
        (await deps.groups.entryOf(alert.approverGroup, who)) !== null
      );
    },

    /**
     * Sends the alert again to its unconfirmed rows, once per click (`key`): the rows go back to
     * pending under a resend id derived from the key, and a small workflow dispatches them
     * through the same path as the alert. Needs the person's confirmation that some may get it twice.
     */
    async resend(
      alert: AlertRow,
      person: string | PersonRef,
      request: { confirm?: boolean; key?: string },
    ): Promise<{ resendId: string; rows: number; message: string }> {
      if (!(await this.mayResend(alert, person))) {
        throw new DomainError(
          'FORBIDDEN',
          `${typeof person === 'string' ? person : person.email} is neither the requester nor an approver of this alert, so cannot resend it`,
          'authorization',
        );
      }
      const resendId = createHash('sha256')
        .update(`${alert.id}:${request.key ?? ulid()}`)
        .digest('base64url')
        .slice(0, 20);
      const already = Object.values(await deps.events.resendOutcome(alert.id, resendId)).reduce((a, b) => a + b, 0);
      const rows = already || (await deps.events.unconfirmedCount(alert.id));
      if (!already) {
        if (!RESENDABLE.has(alert.status)) {
          throw new DomainError(
            'CONFLICT',
            `the alert is ${alert.status.replaceAll('_', ' ')}: resend once it has been sent (following up or completed)`,
          );
        }
        if (rows === 0) throw new DomainError('CONFLICT', 'no unconfirmed rows to resend');
        if (request.confirm !== true) {
          throw new DomainError(
            'VALIDATION',
            `confirm: send confirm: true to resend. ${resendWarning(rows)}`,
            'confirm',
          );
        }
      }
      await startIdempotently(deps.temporal.workflow, resendUnconfirmed, {
        workflowId: `resend_${alert.id}_${resendId}`,
        taskQueue: deps.taskQueue,
        args: [
          {
            alertId: alert.id,
            resendId,
            by: (typeof person === 'string' ? person : person.email).toLowerCase(),
            batchSize: deps.batchSize,
          },
        ],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      });
      return {
        resendId,
        rows,
        message: `Resending to ${rows} unconfirmed customer(s); some may already have had the message. The resend is on the trail.`,
      };
    },
  };
}

export type AlertTrail = ReturnType<typeof createAlertTrail>;
