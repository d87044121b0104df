import type { CrmOwner, CrmPort } from '../../../crm/port.js';
import {
  assignmentNote,
  directoryFixAssignee,
  type CrmTeamQueue,
  type DirectoryFixAssignee,
} from '../../../domain/broadcast/directory-fix.js';

/** Owners change rarely; a worker reads the list at most this often. */
const OWNERS_TTL_MS = 300_000;

/** The idempotency key of the address-fix task of one contact and alert: a sync bounce and every DSN share it. */
export const directoryFixKey = (alertId: string, contactId: string) => `${alertId}:bounce:${contactId}`;

export { assignmentNote };

/**
 * Who fixes a bounced contact's address (domain/broadcast/directory-fix.ts): the account owner,
 * else the CRM team queue, else the requester as a CRM owner. Owner emails are looked up in the
 * CRM's owner list, cached for a few minutes.
 */
export function directoryFixOwners(crm: Pick<CrmPort, 'listOwners'>, queue: CrmTeamQueue | undefined) {
  let owners: { at: number; list: Promise<CrmOwner[]> } | undefined;
  const ownerByEmail = async (email: string): Promise<string | null> => {
    if (!owners || Date.now() - owners.at > OWNERS_TTL_MS) owners = { at: Date.now(), list: crm.listOwners() };
    let list: CrmOwner[];
    try {
      list = await owners.list;
    } catch (error) {
      owners = undefined;
      throw error;
    }
    const wanted = email.trim().toLowerCase();
    return list.find((o) => o.email.toLowerCase() === wanted)?.id ?? null;
  };
  return async (contactOwnerId: string | null, requester: string): Promise<DirectoryFixAssignee | null> => {
    if (contactOwnerId) return directoryFixAssignee({ contactOwnerId, queueOwnerId: null, requesterOwnerId: null });
    const queueOwnerId = !queue ? null : 'ownerId' in queue ? queue.ownerId : await ownerByEmail(queue.email);
    const requesterOwnerId = queueOwnerId ? null : await ownerByEmail(requester);
    return directoryFixAssignee({ contactOwnerId, queueOwnerId, requesterOwnerId });
  };
}

export type DirectoryFixOwners = ReturnType<typeof directoryFixOwners>;
