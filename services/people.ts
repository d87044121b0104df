import { ulid } from 'ulid';
import { DomainError } from '../domain/errors.js';
import type { Person } from '../domain/identity.js';
import type { PeopleStore, PersonRow } from '../store/people.js';

/**
 * One person, whichever face they come through. A person is keyed by Rapport's own id, joined to
 * the identity provider's immutable object id (`oid`) and to their Slack user id; their email
 * is what they are shown as and what approver groups name. An email is bound to one object id at
 * a time: a token whose email claim another person's object id already holds is refused, so a
 * directory admin renaming an account to an approver's address does not become that approver. A
 * Slack user joins the person with the same verified email (Slack's signature proves the user id,
 * users.info gives the email Slack verified).
 */
export interface PeopleDirectory {
  /** From a verified OpenID Connect token: its object id and email claim. */
  fromToken(claims: { objectId: string; email: string; name: string | null }): Promise<Person>;
  /** From a Slack user id and the email Slack verified for it. */
  fromSlack(user: { slackUserId: string; email: string; name?: string | null }): Promise<Person>;
}

export class PersonConflict extends DomainError {
  constructor(email: string) {
    super(
      'UNAUTHORIZED',
      `${email} belongs to another person in Rapport's directory; ask an operator to check the account`,
    );
  }
}

const view = (row: PersonRow): Person => ({ id: row.id, email: row.email, name: row.name });
const newPersonId = () => `psn_${ulid().toLowerCase()}`;

/** A unique-key race (two first requests of one person at once): the second one reads what the first wrote. */
const isUniqueViolation = (error: unknown) =>
  typeof error === 'object' && error !== null && (error as { code?: string }).code === '23505';

export function createPeopleDirectory(store: PeopleStore): PeopleDirectory {
  async function fromToken(claims: { objectId: string; email: string; name: string | null }): Promise<Person> {
    const email = claims.email.toLowerCase();
    const known = await store.byEntraOid(claims.objectId);
    if (known) {
      if (known.email === email) return view(known);
      // Renamed in the directory: follow, unless the new address is someone else's.
      const holder = await store.byEmail(email);
      if (holder && holder.id !== known.id) throw new PersonConflict(email);
      await store.update(known.id, { email, name: claims.name ?? known.name });
      return { id: known.id, email, name: claims.name ?? known.name };
    }
    const byEmail = await store.byEmail(email);
    if (byEmail) {
      // The same object id here: another first sign-in of theirs wrote the row meanwhile.
      if (byEmail.entraOid === claims.objectId) return view(byEmail);
      if (byEmail.entraOid !== null) throw new PersonConflict(email);
      // Known through Slack first: the same verified email is the same person.
      await store.update(byEmail.id, { entraOid: claims.objectId, name: claims.name ?? byEmail.name });
      return view({ ...byEmail, name: claims.name ?? byEmail.name });
    }
    const row: PersonRow = {
      id: newPersonId(),
      entraOid: claims.objectId,
      slackUserId: null,
      email,
      name: claims.name,
    };
    await store.insert(row);
    return view(row);
  }

  async function fromSlack(user: { slackUserId: string; email: string; name?: string | null }): Promise<Person> {
    const email = user.email.toLowerCase();
    const known = await store.bySlackUser(user.slackUserId);
    if (known?.email === email) return view(known);
    // The Slack account now has another verified email: it is no longer that person's.
    if (known) await store.update(known.id, { slackUserId: null });
    const byEmail = await store.byEmail(email);
    if (byEmail) {
      await store.update(byEmail.id, { slackUserId: user.slackUserId });
      return view(byEmail);
    }
    const row: PersonRow = {
      id: newPersonId(),
      entraOid: null,
      slackUserId: user.slackUserId,
      email,
      name: user.name ?? null,
    };
    await store.insert(row);
    return view(row);
  }

  const once =
    <A>(fn: (a: A) => Promise<Person>) =>
    async (a: A) => {
      try {
        return await fn(a);
      } catch (error) {
        if (isUniqueViolation(error)) return fn(a);
        throw error;
      }
    };
  return { fromToken: once(fromToken), fromSlack: once(fromSlack) };
}
