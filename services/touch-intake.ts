import { createHash } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { ulid } from 'ulid';
import type { Logger } from 'pino';
import type { ContactDirectory } from '../crm/contact-directory.js';
import { CrmError, type CrmContact } from '../crm/port.js';
import { DomainError } from '../domain/errors.js';
import type { Question } from '../domain/questions.js';
import type { TouchInput } from '../domain/touch.js';
import type { TouchRow, TouchStore } from '../store/touches.js';
import { startIdempotently } from '../workflows/start.js';
import { logTouch } from '../workflows/touch/workflows.js';

export interface TouchIntakeDeps {
  touches: TouchStore;
  contacts: ContactDirectory;
  temporal: Client;
  taskQueue: string;
  retryMaxIntervalSeconds: number;
  questions: Question[];
  logger: Logger;
  /** How long intake waits for the CRM before accepting the touch unverified. */
  contactCheckTimeoutMs?: number;
}

/** The same key always maps to the same touch (and so the same workflow and engagement). */
export function touchIdFor(idempotencyKey: string | undefined): string {
  if (!idempotencyKey) return `tch_${ulid().toLowerCase()}`;
  return `tch_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}`;
}

/** Key order must not matter: a client retrying with re-serialised JSON is the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function requestHash(input: TouchInput): string {
  const { idempotencyKey: _key, ...content } = input;
  return createHash('sha256').update(canonical(content)).digest('hex');
}

type ContactCheck = { state: 'found'; contact: CrmContact } | { state: 'unknown' } | { state: 'unverified' };

export function createTouchIntake(deps: TouchIntakeDeps) {
  const questionIds = new Set(deps.questions.map((q) => q.id));

  async function checkContact(input: TouchInput): Promise<ContactCheck> {
    const lookup = input.contact.crmId
      ? deps.contacts.byId(input.contact.crmId)
      : deps.contacts.byEmail(input.contact.email as string);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), deps.contactCheckTimeoutMs ?? 3000);
    });
    try {
      const result = await Promise.race([lookup, timeout]);
      if (result === 'timeout') return { state: 'unverified' };
      return result ? { state: 'found', contact: result } : { state: 'unknown' };
    } catch (error) {
      // The CRM being down must not lose the touch: accept it, the workflow checks later.
      if (error instanceof CrmError && error.retryable) return { state: 'unverified' };
      throw error;
    } finally {
      clearTimeout(timer);
      lookup.catch(() => undefined);
    }
  }

  /** `again`: a retry, so a workflow that already ran for this touch runs once more (it had failed). */
  async function startWorkflow(touchId: string, options: { again?: boolean } = {}): Promise<void> {
    // 'already-started': it ran to completion once, the engagement exists, nothing to do.
    await startIdempotently(deps.temporal.workflow, logTouch, {
      workflowId: touchId,
      taskQueue: deps.taskQueue,
      args: [{ touchId, retryMaxIntervalSeconds: deps.retryMaxIntervalSeconds }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: options.again ? 'ALLOW_DUPLICATE' : 'REJECT_DUPLICATE',
    });
  }

  return {
    startWorkflow,

    async submit(input: TouchInput): Promise<{ touch: TouchRow; created: boolean }> {
      for (const id of Object.keys(input.answers ?? {})) {
        if (!questionIds.has(id))
          throw new DomainError('VALIDATION', `answers.${id}: no such question`, `answers.${id}`);
      }
      const id = touchIdFor(input.idempotencyKey);
      const hash = requestHash(input);

      const existing = await deps.touches.get(id);
      if (existing) return { touch: sameOrConflict(existing, hash), created: false };

      const check = await checkContact(input);
      if (check.state === 'unknown') {
        const field = input.contact.crmId ? 'contact.crmId' : 'contact.email';
        throw new DomainError('UNKNOWN_CONTACT', `${field}: no contact in the CRM matches`, field);
      }
      const contact = check.state === 'found' ? check.contact : undefined;

      const { row, created } = await deps.touches.insert({
        id,
        idempotencyKey: input.idempotencyKey ?? null,
        requestHash: hash,
        contactEmail: input.contact.email ?? contact?.email ?? null,
        contactCrmId: contact?.id ?? input.contact.crmId ?? null,
        companyId: contact?.companyId ?? null,
        contactVerified: contact !== undefined,
        channel: input.channel,
        summary: input.summary,
        outcome: input.outcome ?? null,
        occurredAt: input.occurredAt ?? new Date().toISOString(),
        loggedBy: input.loggedBy,
        source: input.source,
        sourceUrl: input.sourceUrl ?? null,
        answers: input.answers ?? {},
      });
      if (!created) return { touch: sameOrConflict(row, hash), created: false };
      // The cached contact predates the answers: the next look-up reads the CRM again (the context
      // also lays pending answers over it until the CRM shows them).
      if (contact && Object.keys(input.answers ?? {}).length > 0) deps.contacts.forget(contact);

      try {
        await startWorkflow(id);
      } catch (error) {
        // The row is kept; the pending-touch sweeper starts the workflow once Temporal answers.
        deps.logger.warn({ touchId: id, err: (error as Error).message }, 'touch stored, workflow start deferred');
      }
      return { touch: row, created: true };
    },
  };
}

function sameOrConflict(existing: TouchRow, hash: string): TouchRow {
  if (existing.requestHash !== hash) {
    throw new DomainError(
      'CONFLICT',
      'idempotencyKey was already used for a different touch; use a new key for new content',
      'idempotencyKey',
    );
  }
  return existing;
}

export type TouchIntake = ReturnType<typeof createTouchIntake>;
