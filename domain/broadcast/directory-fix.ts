/**
 * Who gets the task to fix a contact's address in the CRM (an email that hard-bounced). The
 * contact's account owner when there is one; otherwise the CRM team's queue when one is
 * configured (CRM_TEAM_QUEUE_OWNER); otherwise the alert's requester, when they are a CRM owner.
 * Never nobody while any of them exists: an ownerless contact's bad address still gets fixed.
 */
export type DirectoryFixAssignee = { ownerId: string; via: 'owner' | 'crm-team' | 'requester' };

/** CRM_TEAM_QUEUE_OWNER: a CRM owner id (digits) or that owner's email. */
export type CrmTeamQueue = { ownerId: string } | { email: string };

export function directoryFixAssignee(input: {
  contactOwnerId: string | null;
  /** The CRM team queue's owner id, resolved from CRM_TEAM_QUEUE_OWNER (null: none configured or not a CRM owner). */
  queueOwnerId: string | null;
  /** The requester's CRM owner id, found by their email (null: they are not a CRM user). */
  requesterOwnerId: string | null;
}): DirectoryFixAssignee | null {
  if (input.contactOwnerId) return { ownerId: input.contactOwnerId, via: 'owner' };
  if (input.queueOwnerId) return { ownerId: input.queueOwnerId, via: 'crm-team' };
  if (input.requesterOwnerId) return { ownerId: input.requesterOwnerId, via: 'requester' };
  return null;
}

/** The sentence a task assigned other than to the account owner starts with: why it is theirs. */
export function assignmentNote(via: DirectoryFixAssignee['via']): string {
  if (via === 'crm-team') return 'This contact has no account owner, so the CRM team queue gets this task. ';
  if (via === 'requester') return 'This contact has no account owner, so the requester of the alert gets this task. ';
  return '';
}

/** Parses CRM_TEAM_QUEUE_OWNER; undefined for unset, throws a message for anything else. */
export function parseCrmTeamQueue(value: string | undefined): CrmTeamQueue | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d{1,20}$/.test(v)) return { ownerId: v };
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return { email: v.toLowerCase() };
  throw new Error('expected a CRM owner id (digits) or the owner’s email');
}
