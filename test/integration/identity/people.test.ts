import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeopleDirectory, PersonConflict, type PeopleDirectory } from '../../../services/people.js';
import type { Db } from '../../../store/db.js';
import { createPeopleStore } from '../../../store/people.js';
import { testDb } from '../../../testkit/db.js';

/** The people directory on the real store: one person per object id, one email per person, Slack joined by email. */
let db: Db;
let people: PeopleDirectory;

beforeAll(async () => {
  db = await testDb();
  people = createPeopleDirectory(createPeopleStore(db));
});
afterAll(() => db?.close());

const rows = async (email: string) =>
  (
    await db.query<{ id: string; entra_oid: string | null; slack_user_id: string | null }>(
      'select id, entra_oid, slack_user_id from people where email = $1',
      [email],
    )
  ).rows;

describe('people directory', () => {
  it('a person seen first in Slack and then in Outlook is one row, with both ids', async () => {
    const slack = await people.fromSlack({ slackUserId: 'U1', email: 'Ana@Bank.example' });
    const outlook = await people.fromToken({ objectId: 'oid-ana', email: 'ana@bank.example', name: 'Ana' });
    expect(outlook.id).toBe(slack.id);
    expect(await rows('ana@bank.example')).toEqual([{ id: slack.id, entra_oid: 'oid-ana', slack_user_id: 'U1' }]);
    // And again from Slack: still that person.
    expect((await people.fromSlack({ slackUserId: 'U1', email: 'ana@bank.example' })).id).toBe(slack.id);
  });

  it('refuses another object id claiming a bound email; follows a rename to a free address', async () => {
    await people.fromToken({ objectId: 'oid-bob', email: 'bob@bank.example', name: null });
    await expect(
      people.fromToken({ objectId: 'oid-mallory', email: 'bob@bank.example', name: null }),
    ).rejects.toBeInstanceOf(PersonConflict);
    // Renaming to someone else's address is refused too.
    await expect(
      people.fromToken({ objectId: 'oid-bob', email: 'ana@bank.example', name: null }),
    ).rejects.toBeInstanceOf(PersonConflict);
    const renamed = await people.fromToken({ objectId: 'oid-bob', email: 'robert@bank.example', name: null });
    expect(renamed.email).toBe('robert@bank.example');
    expect(await rows('bob@bank.example')).toEqual([]);
  });

  it('first sign-ins of one person at once make one row', async () => {
    const all = await Promise.all(
      Array.from({ length: 50 }, () =>
        people.fromToken({ objectId: 'oid-cara', email: 'cara@bank.example', name: null }),
      ),
    );
    expect(new Set(all.map((p) => p.id)).size).toBe(1);
    expect(await rows('cara@bank.example')).toHaveLength(1);
  });
});
