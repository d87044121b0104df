import type { Db } from './db.js';

export interface PersonRow {
  id: string;
  entraOid: string | null;
  slackUserId: string | null;
  /** The email Slack verified for that Slack user when it was joined (null: none, or joined before it was kept). */
  slackEmail?: string | null;
  /** Null once the identity provider gave the address to another person (until they sign in again). */
  email: string | null;
  name: string | null;
}

const COLUMNS = `id, entra_oid as "entraOid", slack_user_id as "slackUserId", slack_email as "slackEmail", email, name`;

/** The people table: one row per person, whichever face they came through; and approver bindings. */
export function createPeopleStore(db: Pick<Db, 'query'>) {
  const one = async (where: string, value: string) =>
    (await db.query<PersonRow>(`select ${COLUMNS} from people where ${where} = $1`, [value], { urgent: true }))
      .rows[0] ?? null;
  /** The person an approver-group email is bound to; null while nobody signed in with it. */
  const boundTo = async (email: string): Promise<string | null> => {
    const res = await db.query<{ personId: string }>(
      `select person_id as "personId" from approver_bindings where email = $1`,
      [email.toLowerCase()],
      { urgent: true },
    );
    return res.rows[0]?.personId ?? null;
  };
  return {
    boundTo,
    byId: (id: string) => one('id', id),
    byEntraOid: (oid: string) => one('entra_oid', oid),
    bySlackUser: (userId: string) => one('slack_user_id', userId),
    byEmail: (email: string) => one('email', email.toLowerCase()),
    async insert(row: PersonRow): Promise<void> {
      await db.query(
        `insert into people (id, entra_oid, slack_user_id, slack_email, email, name) values ($1, $2, $3, $4, $5, $6)`,
        [row.id, row.entraOid, row.slackUserId, row.slackEmail ?? null, row.email, row.name],
        { urgent: true },
      );
    },
    async update(id: string, fields: Partial<Omit<PersonRow, 'id'>>): Promise<void> {
      const cols: Record<string, string> = {
        entraOid: 'entra_oid',
        slackUserId: 'slack_user_id',
        slackEmail: 'slack_email',
        email: 'email',
        name: 'name',
      };
      const entries = Object.entries(fields).filter(([k]) => k in cols);
      const sets = entries.map(([k], i) => `${cols[k]} = $${i + 2}`);
      await db.query(
        `update people set ${[...sets, 'seen_at = now()'].join(', ')} where id = $1`,
        [id, ...entries.map(([, v]) => v)],
        { urgent: true },
      );
    },
    /** Binds the email to the person unless it is bound already; returns whom it is bound to now. */
    async bind(email: string, personId: string): Promise<string> {
      await db.query(
        `insert into approver_bindings (email, person_id) values ($1, $2) on conflict (email) do nothing`,
        [email.toLowerCase(), personId],
        { urgent: true },
      );
      return (await boundTo(email))!;
    },
  };
}
export type PeopleStore = ReturnType<typeof createPeopleStore>;
