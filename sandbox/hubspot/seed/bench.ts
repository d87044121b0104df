import { createRecord } from '../records.js';
import type { SandboxState } from '../state.js';
import { DEMO_OWNERS } from './demo.js';

export interface BenchListsOptions {
  /** Memberships across all lists (default 100,000). */
  memberships?: number;
  /** Lists to spread them over (default 10). */
  lists?: number;
  /** Share of memberships whose contact is already on another of the lists (default 0.35). */
  overlap?: number;
  /** First list id (default 9001); the lists are MANUAL. */
  firstListId?: number;
  /** Domain of the generated addresses (default bench.example). */
  domain?: string;
}

export interface BenchLists {
  listIds: string[];
  uniqueContacts: number;
  memberships: number;
}

/**
 * Large overlapping MANUAL lists straight into the sandbox's state (not through its rate-limited
 * API), for benchmarks: `memberships x (1 - overlap)` new contacts, each on one list, and the
 * remaining memberships put the first contacts on a second (third...) list.
 */
export function seedBenchLists(state: SandboxState, options: BenchListsOptions = {}): BenchLists {
  const total = options.memberships ?? 100_000;
  const listCount = options.lists ?? 10;
  const overlap = options.overlap ?? 0.35;
  const firstListId = options.firstListId ?? 9001;
  const domain = options.domain ?? 'bench.example';
  const unique = Math.max(1, Math.round(total * (1 - overlap)));
  const at = new Date().toISOString();
  const listIds = Array.from({ length: listCount }, (_, i) => String(firstListId + i));
  const members: { recordId: string; membershipTimestamp: string }[][] = listIds.map(() => []);
  const ids: string[] = [];
  for (let n = 0; n < unique; n++) {
    const record = createRecord(
      state,
      'contacts',
      {
        email: `bench.${n}@${domain}`,
        firstname: 'Bench',
        lastname: `Contact ${n}`,
        hubspot_owner_id: DEMO_OWNERS[n % DEMO_OWNERS.length]!.id,
        hs_email_optout: 'false',
        rapport_preferred_channel: 'email',
        lifecyclestage: 'customer',
      },
      [],
      at,
    );
    ids.push(record.id);
    members[n % listCount]!.push({ recordId: record.id, membershipTimestamp: at });
  }
  // The overlap: contact k also on list (home + 1 + round) — never twice on the same list.
  for (let m = 0; m < total - unique; m++) {
    const k = m % unique;
    const round = Math.floor(m / unique);
    const list = (k % listCount) + 1 + (round % (listCount - 1));
    members[list % listCount]!.push({ recordId: ids[k]!, membershipTimestamp: at });
  }
  for (const [i, listId] of listIds.entries()) {
    state.lists.push({
      listId,
      name: `Bench list ${i + 1}`,
      processingType: 'MANUAL',
      objectTypeId: '0-1',
      listVersion: 1,
      createdAt: at,
      updatedAt: at,
      members: members[i]!,
    });
  }
  return { listIds, uniqueContacts: unique, memberships: total };
}
