import { DomainError } from './errors.js';

/**
 * Completing a follow-up (a CRM task) through Rapport. A rep may complete the tasks Rapport created
 * (they carry Rapport's idempotency key) and the tasks they own in the CRM; nobody completes a
 * colleague's own to-do, or a task Rapport never made, by guessing its id. Who did it is written on
 * the task, since the CRM records only that "the integration" changed it.
 */

/** Who is completing: a person (their verified email) on a surface, or a service that names nobody. */
export interface FollowUpActor {
  /** The person's verified email; absent for an API token (a service credential names nobody). */
  email?: string;
  source: 'outlook' | 'slack' | 'api';
}

/** What the rule needs of the task. */
export interface FollowUpTask {
  /** Written by Rapport (it carries Rapport's idempotency key). */
  createdByRapport: boolean;
  /** The email of the task's owner in the CRM, when it has one. */
  ownerEmail: string | null;
}

/** Throws FORBIDDEN (a 403 naming `id`) when `actor` may not complete `task` through Rapport. */
export function assertMayComplete(task: FollowUpTask, actor: FollowUpActor): void {
  if (task.createdByRapport) return;
  const own = actor.email && task.ownerEmail && actor.email.toLowerCase() === task.ownerEmail.toLowerCase();
  if (own) return;
  throw new DomainError(
    'FORBIDDEN',
    actor.email
      ? 'this follow-up was not created by Rapport and is owned by someone else: complete it in the CRM'
      : 'an API token may complete only follow-ups Rapport created: this one was not',
    'id',
  );
}

/**
 * The task's body with a last line saying who completed it, where and when. The CRM's body has a
 * length limit (`max`): the old text is shortened, the line is kept.
 */
export function completedBody(body: string, actor: FollowUpActor, at: Date, max: number): string {
  const who = actor.email ?? 'an API client';
  const line = `Completed by ${who} via Rapport (${actor.source}) at ${at.toISOString()}`;
  const room = max - line.length - 2;
  const kept = body.length <= room ? body : `${body.slice(0, Math.max(0, room - 1))}…`;
  return kept ? `${kept}\n\n${line}` : line;
}
