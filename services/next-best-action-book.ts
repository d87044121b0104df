import type { Logger } from 'pino';
import { bookFacts, nextBestAction, type NextBestActionRules } from '../domain/next-best-action.js';
import { answerProperty, type Question } from '../domain/questions.js';
import type { ComputedAction, NextBestActionInputs, NextBestActionStore } from '../store/next-best-actions.js';
import { NEXT_BEST_ACTION_RULES } from './next-best-action-rules.js';
import type { SingletonJob } from './singleton-jobs.js';

/**
 * The next best action of every contact of the read model, kept in the store so the crow's nest
 * can count them across the book. A bounded batch: each refresh works out the actions of at most
 * `batch` contacts that are due (no action yet; the contact sync changed their properties; a touch
 * was logged for them; or older than a day), from the database alone: no CRM call per contact.
 */

/** Contacts per refresh: one read and one write of this many rows (bench:next-best-actions measures it). */
export const NEXT_BEST_ACTION_BATCH = 2_000;
/** An action older than this is worked out again: facts count days (since the last touch, the purchase). */
export const NEXT_BEST_ACTION_MAX_AGE_SECONDS = 86_400;
/** Between refreshes that found little to do; a full batch is followed at once by the next. */
export const NEXT_BEST_ACTION_INTERVAL_MS = 60_000;

export interface NextBestActionBookDeps {
  store: NextBestActionStore;
  questions: Question[];
  /** Default: config/next-best-action.json. */
  rules?: NextBestActionRules;
  now?: () => Date;
}

/** One contact's action, by the rules, from what the database holds of it. */
export function actionOf(
  contact: NextBestActionInputs,
  rules: NextBestActionRules,
  questions: Question[],
  now: Date,
): ComputedAction {
  const answered = new Set(contact.answeredInTouches);
  const unanswered = questions.filter(
    (q) => !answered.has(q.id) && !contact.properties[answerProperty(q.id)]?.trim(),
  ).length;
  const action = nextBestAction(
    rules,
    bookFacts({
      firstName: contact.firstName,
      companyName: contact.companyName,
      properties: contact.properties,
      lastTouchAt: contact.lastTouchAt,
      touchesLast90Days: contact.touchesLast90Days,
      unansweredQuestions: unanswered,
      now,
    }),
  );
  return { contactId: contact.contactId, ruleId: action?.ruleId ?? null, action: action?.action ?? null };
}

export function createNextBestActionBook(deps: NextBestActionBookDeps) {
  const rules = deps.rules ?? NEXT_BEST_ACTION_RULES;
  return {
    /** Works out the actions of up to `batch` due contacts; how many it did (fewer than `batch`: none left due). */
    async refresh(batch = NEXT_BEST_ACTION_BATCH): Promise<number> {
      const { at, contacts } = await deps.store.due(batch, NEXT_BEST_ACTION_MAX_AGE_SECONDS);
      // "Now" of the facts is the database's read time, as computed_at is: one clock for both.
      const now = deps.now?.() ?? at;
      await deps.store.save(
        contacts.map((c) => actionOf(c, rules, deps.questions, now)),
        at,
      );
      return contacts.length;
    },
  };
}

export type NextBestActionBook = ReturnType<typeof createNextBestActionBook>;

/**
 * The refresh as a job one process of the deployment runs (main/ runs it under a lease): a batch,
 * then the next at once while batches come back full, else after `intervalMs`. A failed batch is
 * logged and tried again after the interval.
 */
export function nextBestActionJob(
  book: Pick<NextBestActionBook, 'refresh'>,
  logger: Pick<Logger, 'info' | 'warn'>,
  options: { intervalMs?: number; batch?: number } = {},
): SingletonJob {
  const intervalMs = options.intervalMs ?? NEXT_BEST_ACTION_INTERVAL_MS;
  const batch = options.batch ?? NEXT_BEST_ACTION_BATCH;
  let running = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> | undefined;

  const schedule = (ms: number) => {
    if (!running) return;
    timer = setTimeout(() => {
      current = once();
    }, ms);
    timer.unref?.();
  };

  async function once(): Promise<void> {
    let full = false;
    try {
      const done = await book.refresh(batch);
      full = done >= batch;
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'next best actions not refreshed; trying again');
    }
    schedule(full ? 0 : intervalMs);
  }

  return {
    start() {
      if (running) return;
      running = true;
      current = once();
    },
    async stop() {
      running = false;
      clearTimeout(timer);
      await current;
    },
  };
}
