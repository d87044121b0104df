import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeopleDirectory, type PeopleDirectory } from '../../../services/people.js';
import type { Db } from '../../../store/db.js';
import { createPeopleStore } from '../../../store/people.js';
import { testDb } from '../../../testkit/db.js';

/** The people directory on the real store: one person per object id, one email per person, Slack joined by email. */
let db: Db;
let people: PeopleDirectory;
const APPROVER = 'dana@bank.example';

beforeAll(async () => {
  db = await testDb();
  people = createPeopleDirectory(createPeopleStore(db), { groupEmails: [APPROVER] });
});
const boundTo = async (email: string) => createPeopleStore(db).boundTo(email);
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

  it('follows a rename (same object id, same person); an address another object id takes passes to the new person', async () => {
    const bob = await people.fromToken({ objectId: 'oid-bob', email: 'bob@bank.example', name: null });
    const renamed = await people.fromToken({ objectId: 'oid-bob', email: 'robert@bank.example', name: null });
    expect(renamed).toMatchObject({ id: bob.id, email: 'robert@bank.example' });
    expect(await rows('bob@bank.example')).toEqual([]);

    // A newcomer given Bob's old address is a new person, not Bob.
    const newcomer = await people.fromToken({ objectId: 'oid-newcomer', email: 'robert@bank.example', name: null });
    expect(newcomer.id).not.toBe(bob.id);
    expect(await rows('robert@bank.example')).toEqual([
      { id: newcomer.id, entra_oid: 'oid-newcomer', slack_user_id: null },
    ]);
    // Bob keeps his id; he takes the address back if the identity provider gives it to him again.
    const again = await people.fromToken({ objectId: 'oid-bob', email: 'robert@bank.example', name: null });
    expect(again.id).toBe(bob.id);
    expect((await rows('robert@bank.example'))[0]?.id).toBe(bob.id);
  });

  it('binds an approver-group email to the first person who signs in with it, for good', async () => {
    const dana = await people.fromToken({ objectId: 'oid-dana', email: APPROVER, name: 'Dana' });
    expect(await boundTo(APPROVER)).toBe(dana.id);
    await people.fromToken({ objectId: 'oid-dana', email: 'dana.new@bank.example', name: 'Dana' });
    const heir = await people.fromToken({ objectId: 'oid-heir', email: APPROVER, name: null });
    expect(heir.id).not.toBe(dana.id);
    expect(await boundTo(APPROVER)).toBe(dana.id);
    // An approval link sent to the address stands for the person it is bound to.
    expect((await people.fromMailbox(APPROVER)).id).toBe(dana.id);
  });

  it("a mailbox nobody signed in with becomes a person whom a later sign-in joins; another Slack user's address passes on", async () => {
    const link = await people.fromMailbox('erin@bank.example');
    const signedIn = await people.fromToken({ objectId: 'oid-erin', email: 'erin@bank.example', name: null });
    expect(signedIn.id).toBe(link.id);
    const erinSlack = await people.fromSlack({ slackUserId: 'U-ERIN', email: 'erin@bank.example' });
    expect(erinSlack.id).toBe(link.id);
    const otherSlack = await people.fromSlack({ slackUserId: 'U-OTHER', email: 'erin@bank.example' });
    expect(otherSlack.id).not.toBe(link.id);
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
