import { ulid } from 'ulid';
import type { Person } from '../domain/identity.js';
import type { PeopleStore, PersonRow } from '../store/people.js';

/**
 * One person, whichever face they come through. A person is keyed by Rapport's own id, joined to
 * the identity provider's immutable object id (`oid`) and to their Slack user id; their email is
 * what they are shown as. Rules are judged on the id (four eyes, approver groups: see
 * services/approver-groups.ts), never on the email:
 * - an email that changes in the identity provider (same object id) is the same person;
 * - an email the identity provider gives to another object id (a newcomer inherits an old
 *   address, or an account is renamed to someone's address) passes to that new person: the former
 *   holder keeps their id, their Slack link and their approver bindings, and the newcomer gets none
 *   of them;
 * - a Slack user joins the person with the same verified email (Slack's signature proves the user
 *   id, users.info gives the email Slack verified), unless that person is another Slack user; it
 *   stays joined while Slack shows the address it was joined by, or the person's current one (a
 *   rename in the identity provider that Slack has not caught up with is the same person).
 * An email named in APPROVER_GROUPS is bound to the first person who signs in with it.
 */
export interface PeopleDirectory {
  /** From a verified OpenID Connect token: its object id and email claim. */
  fromToken(claims: { objectId: string; email: string; name: string | null }): Promise<Person>;
  /** From a Slack user id and the email Slack verified for it. */
  fromSlack(user: { slackUserId: string; email: string; name?: string | null }): Promise<Person>;
  /**
   * The person a mailbox stands for (a signed approval link, sent to one address): the person its
   * approver binding names, else the address's holder, else a new person known by that address.
   */
  fromMailbox(email: string): Promise<Person>;
}

export interface PeopleDirectoryOptions {
  /** The emails APPROVER_GROUPS names: each is bound to the first person who signs in with it. */
  groupEmails?: Iterable<string>;
}

const view = (row: PersonRow, email: string): Person => ({ id: row.id, email, name: row.name });
const newPersonId = () => `psn_${ulid().toLowerCase()}`;

/** A unique-key race (two first requests of one person at once): the second one reads what the first wrote. */
const isUniqueViolation = (error: unknown) =>
  typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';

export function createPeopleDirectory(store: PeopleStore, options: PeopleDirectoryOptions = {}): PeopleDirectory {
  const groupEmails = new Set([...(options.groupEmails ?? [])].map((e) => e.toLowerCase()));
  /** Emails known bound (bindings never change): no write on every request. */
  const bound = new Set<string>();

  async function bindIfNamed(person: Person): Promise<Person> {
    if (groupEmails.has(person.email) && !bound.has(person.email)) {
      await store.bind(person.email, person.id);
      bound.add(person.email);
    }
    return person;
  }

  /** The address passes to `to`: whoever else holds it keeps their id and loses the address. */
  async function takeAddress(email: string, to: string): Promise<void> {
    const holder = await store.byEmail(email);
    if (holder && holder.id !== to) await store.update(holder.id, { email: null });
  }

  async function insert(row: Omit<PersonRow, 'id'> & { email: string }): Promise<Person> {
    const full: PersonRow = { id: newPersonId(), ...row };
    await store.insert(full);
    return view(full, row.email);
  }

  async function fromToken(claims: { objectId: string; email: string; name: string | null }): Promise<Person> {
    const email = claims.email.toLowerCase();
    const known = await store.byEntraOid(claims.objectId);
    if (known) {
      const name = claims.name ?? known.name;
      if (known.email !== email) {
        // Renamed in the directory (or given an address someone held): the same person, the new address.
        await takeAddress(email, known.id);
        await store.update(known.id, { email, name });
      }
      return view({ ...known, name }, email);
    }
    const holder = await store.byEmail(email);
    // The same object id here: another first sign-in of theirs wrote the row meanwhile.
    if (holder?.entraOid === claims.objectId) return view(holder, email);
    if (holder && holder.entraOid === null) {
      // Known through Slack or an approval link first: the same verified email is the same person.
      const name = claims.name ?? holder.name;
      await store.update(holder.id, { entraOid: claims.objectId, name });
      return view({ ...holder, name }, email);
    }
    // A new object id: a new person, even with an address another object id held.
    if (holder) await store.update(holder.id, { email: null });
    return insert({ entraOid: claims.objectId, slackUserId: null, email, name: claims.name });
  }

  async function fromSlack(user: { slackUserId: string; email: string; name?: string | null }): Promise<Person> {
    const email = user.email.toLowerCase();
    const known = await store.bySlackUser(user.slackUserId);
    if (known) {
      // Slack shows the address it showed when joined (the identity provider may have renamed the
      // person since), or has caught up with the person's new address: the same person.
      if (known.slackEmail === email || known.email === email) {
        if (known.slackEmail !== email) await store.update(known.id, { slackEmail: email });
        return view(known, known.email ?? email);
      }
      // The Slack account now has another verified email: it is no longer that person's.
      await store.update(known.id, { slackUserId: null, slackEmail: null });
    }
    const holder = await store.byEmail(email);
    if (holder && (holder.slackUserId === null || holder.slackUserId === user.slackUserId)) {
      await store.update(holder.id, { slackUserId: user.slackUserId, slackEmail: email });
      return view(holder, email);
    }
    // Another Slack user had this address: a new person takes it.
    if (holder) await store.update(holder.id, { email: null });
    return insert({ entraOid: null, slackUserId: user.slackUserId, slackEmail: email, email, name: user.name ?? null });
  }

  async function fromMailbox(address: string): Promise<Person> {
    const email = address.toLowerCase();
    const boundId = groupEmails.has(email) ? await store.boundTo(email) : null;
    const bound = boundId ? await store.byId(boundId) : null;
    if (bound) return view(bound, email);
    const holder = await store.byEmail(email);
    if (holder) return view(holder, email);
    return insert({ entraOid: null, slackUserId: null, email, name: null });
  }

  const once =
    <A>(fn: (a: A) => Promise<Person>) =>
    async (a: A) => {
      try {
        return await bindIfNamed(await fn(a));
      } catch (error) {
        if (isUniqueViolation(error)) return bindIfNamed(await fn(a));
        throw error;
      }
    };
  return { fromToken: once(fromToken), fromSlack: once(fromSlack), fromMailbox: once(fromMailbox) };
}
