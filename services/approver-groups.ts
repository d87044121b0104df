import type { PeopleStore } from '../store/people.js';

/** Who acts, as the rules see them: the stable id judges, the email is what they go by now. */
export interface PersonRef {
  id: string;
  email: string;
}

/**
 * APPROVER_GROUPS judged by person id. A group names emails; each email is bound to the first
 * person who signs in with it (through the identity provider, Slack's verified email or an approval
 * link sent to it: services/people.ts) and stays theirs. So a member whose address changes in the
 * identity provider (same object id) is still a member, and a newcomer who inherits a member's old
 * address is not one. An email nobody has signed in with yet is bound here, at first use, to the
 * person who holds it.
 */
export interface ApproverGroups {
  /** The configured group names. */
  names(): string[];
  /** The configured emails of a group; undefined for any other name, "constructor" included. */
  members(group: string): readonly string[] | undefined;
  /** The email of `group` bound to this person (binding it now if it is theirs and unbound); null: not a member. */
  entryOf(group: string, person: PersonRef): Promise<string | null>;
  /** The groups this person belongs to. */
  groupsOf(person: PersonRef): Promise<string[]>;
}

export function createApproverGroups(
  config: Record<string, readonly string[]>,
  store: Pick<PeopleStore, 'boundTo' | 'bind'>,
): ApproverGroups {
  // Bindings never change once made: a bound email is cached for the life of the process.
  const cache = new Map<string, string>();
  async function boundTo(email: string): Promise<string | null> {
    const hit = cache.get(email);
    if (hit) return hit;
    const id = await store.boundTo(email);
    if (id) cache.set(email, id);
    return id;
  }
  const members = (group: string) => (Object.hasOwn(config, group) ? config[group] : undefined);

  async function entryOf(group: string, person: PersonRef): Promise<string | null> {
    const me = person.email.toLowerCase();
    for (const member of members(group) ?? []) {
      const email = member.toLowerCase();
      let holder = await boundTo(email);
      if (holder === null && email === me) {
        holder = await store.bind(email, person.id);
        cache.set(email, holder);
      }
      if (holder === person.id) return email;
    }
    return null;
  }

  return {
    names: () => Object.keys(config),
    members,
    entryOf,
    async groupsOf(person) {
      const mine: string[] = [];
      for (const group of Object.keys(config)) if ((await entryOf(group, person)) !== null) mine.push(group);
      return mine;
    },
  };
}
