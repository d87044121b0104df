import type { Db } from './db.js';

export interface PersonRow {
  id: string;
  entraOid: string | null;
  slackUserId: string | null;
  email: string;
  name: string | null;
}

const COLUMNS = `id, entra_oid as "entraOid", slack_user_id as "slackUserId", email, name`;

/** The people table: one row per person, whichever face they came through. */
export function createPeopleStore(db: Pick<Db, 'query'>) {
  const one = async (where: string, value: string) =>
    (await db.query<PersonRow>(`select ${COLUMNS} from people where ${where} = $1`, [value], { urgent: true }))
      .rows[0] ?? null;
  return {
    byId: (id: string) => one('id', id),
    byEntraOid: (oid: string) => one('entra_oid', oid),
    bySlackUser: (userId: string) => one('slack_user_id', userId),
    byEmail: (email: string) => one('email', email.toLowerCase()),
    async insert(row: PersonRow): Promise<void> {
      await db.query(
        `insert into people (id, entra_oid, slack_user_id, email, name) values ($1, $2, $3, $4, $5)`,
        [row.id, row.entraOid, row.slackUserId, row.email, row.name],
        { urgent: true },
      );
    },
    async update(id: string, fields: Partial<Omit<PersonRow, 'id'>>): Promise<void> {
      const cols: Record<string, string> = {
        entraOid: 'entra_oid',
        slackUserId: 'slack_user_id',
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
  };
}
export type PeopleStore = ReturnType<typeof createPeopleStore>;
