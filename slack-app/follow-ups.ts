import type { webApi } from '@slack/bolt';
import { periodicJob, type SingletonJob } from '../services/singleton-jobs.js';
import type { SlackDeps } from './deps.js';
import { handOff } from './helpers.js';

type WebClient = webApi.WebClient;

/**
 * Work after ack() that changes something — a touch, an alert, a decision, a revision, a cancel,
 * a customer's answer — must survive the process that acknowledged it: Slack has closed the
 * modal or taken the click, and nobody will send it again. So it is journalled in the store
 * before ack() (one insert, keyed by the Slack request: the same request delivered again while it
 * is handled — a double click, a replica that got it too — is dropped), run after it through the
 * after-ack queue, and marked done when it finished. A row left
 * unfinished by a process that died is claimed by the follow-up recovery (a singleton job) once
 * its claim has run out, and run again there. Handlers are idempotent (a touch by its view id, an
 * alert by the id chosen before ack(), a decision by the workflow's "once per version"), so a run
 * repeated after a crash changes nothing twice; at worst the user is told twice.
 *
 * Work that only answers the person looking at Slack (modals, App Home, the context card) is not
 * journalled: a trigger_id dies 3 s after the click, and a late answer is worth nothing.
 */

/** How long a process owns a follow-up before another may run it; the work itself takes seconds. */
export const FOLLOW_UP_CLAIM_MS = 120_000;
/** Tries of a follow-up that throws (the CRM or Temporal is down) before it is given up, its error kept. */
export const FOLLOW_UP_MAX_ATTEMPTS = 5;
/** How often the recovery looks for follow-ups whose process died. */
const RECOVERY_EVERY_MS = 15_000;
/** Done follow-ups are kept this long (operators: what was given up, and why), event claims this long. */
const KEEP_DONE_MS = 24 * 3_600_000;
const KEEP_EVENT_CLAIMS_MS = 3_600_000;
const CLEANUP_EVERY_MS = 10 * 60_000;

export interface FollowUp<P> {
  /** From the Slack request (user and view id, or user and action_ts): the same request, the same key. */
  key: string;
  kind: FollowUpKind;
  payload: P;
  /** Done for good once done: the same request later is dropped too (an alert request: it would be a second alert). */
  once?: boolean;
}

export type FollowUpKind = 'touch' | 'alert' | 'decide' | 'revise' | 'cancel' | 'response';

export type FollowUpHandler<P> = (client: WebClient, deps: SlackDeps, payload: P) => Promise<void>;

/** Wait before the next try of a follow-up that threw: 30 s, 1 min, 2 min, 4 min. */
const retryDelayMs = (attempts: number) => 30_000 * 2 ** Math.max(0, attempts - 1);

/**
 * Before ack(): journals the follow-up. False: this Slack request is being handled already (a
 * duplicate delivery, here or in another process), so there is nothing to do.
 */
export async function journal(deps: SlackDeps, entry: FollowUp<unknown>): Promise<boolean> {
  const claims = deps.claims;
  if (!claims) return true;
  try {
    return await claims.followUps.record(entry, claims.holder, FOLLOW_UP_CLAIM_MS);
  } catch (error) {
    // The store is down: the work itself needs it too and will tell the user; do not also drop it here.
    deps.logger.warn({ key: entry.key, err: (error as Error).message }, 'slack follow-up not journalled');
    return true;
  }
}

/** After ack(): runs the follow-up in the after-ack queue and records how it ended. */
export function runFollowUp<P>(
  deps: SlackDeps,
  client: WebClient,
  entry: FollowUp<P>,
  handler: FollowUpHandler<P>,
  attempts = 1,
): void {
  handOff(deps, entry.kind, async () => {
    try {
      await handler(client, deps, entry.payload);
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      const final = attempts >= FOLLOW_UP_MAX_ATTEMPTS;
      await deps.claims?.followUps
        .failed(entry.key, message, retryDelayMs(attempts), final)
        .catch((e: Error) => deps.logger.warn({ key: entry.key, err: e.message }, 'slack follow-up not updated'));
      if (final) deps.logger.error({ key: entry.key, attempts }, 'slack follow-up given up');
      throw error;
    }
    // Not recorded (the store blinked): it runs again after its claim; handlers are idempotent.
    await deps.claims?.followUps
      .done(entry.key)
      .catch((e: Error) => deps.logger.warn({ key: entry.key, err: e.message }, 'slack follow-up not marked done'));
  });
}

/**
 * The singleton job that runs follow-ups whose process died (their claim ran out unfinished),
 * and drops done follow-ups and old event claims.
 */
export function followUpRecovery(
  deps: SlackDeps,
  client: WebClient,
  handlers: { [K in FollowUpKind]: FollowUpHandler<never> },
): SingletonJob {
  let lastCleanup = 0;
  return periodicJob(
    RECOVERY_EVERY_MS,
    async () => {
      const claims = deps.claims;
      if (!claims) return;
      const rows = await claims.followUps.claimExpired(claims.holder, FOLLOW_UP_CLAIM_MS, 20);
      for (const row of rows) {
        const handler = handlers[row.kind as FollowUpKind] as FollowUpHandler<unknown> | undefined;
        if (!handler) {
          await claims.followUps.failed(row.key, `no handler for ${row.kind}`, 0, true);
          continue;
        }
        deps.logger.info({ key: row.key, kind: row.kind, attempts: row.attempts }, 'slack follow-up resumed');
        runFollowUp(
          deps,
          client,
          { key: row.key, kind: row.kind as FollowUpKind, payload: row.payload },
          handler,
          row.attempts,
        );
      }
      if (Date.now() - lastCleanup >= CLEANUP_EVERY_MS) {
        lastCleanup = Date.now();
        await claims.followUps.sweep(KEEP_DONE_MS);
        await claims.events?.sweep(KEEP_EVENT_CLAIMS_MS);
      }
    },
    (error) => deps.logger.warn({ err: error.message }, 'slack follow-up recovery failed'),
  );
}
