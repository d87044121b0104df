import type { Topic, TopicDefinition } from '../domain/topics.js';
import { iso, json, type Db } from './db.js';

const COLUMNS = `id, name, description, default_channels as "defaultChannels", schedule,
  urgent_allowed as "urgentAllowed", archived_at is not null as archived, updated_at as "updatedAt"`;

function normalise(row: Topic): Topic {
  return {
    ...row,
    defaultChannels: json(row.defaultChannels),
    schedule: json(row.schedule) ?? null,
    updatedAt: iso(row.updatedAt)!,
  };
}

/** The topic catalogue (migration 14). Definitions arrive checked by domain/topics.ts. */
export function createTopicStore(db: Pick<Db, 'query'>) {
  return {
    async list(options: { includeArchived?: boolean } = {}): Promise<Topic[]> {
      const where = options.includeArchived ? '' : 'where archived_at is null';
      const { rows } = await db.query<Topic>(`select ${COLUMNS} from topics ${where} order by id`, [], {
        urgent: true,
      });
      return rows.map(normalise);
    },

    async get(id: string): Promise<Topic | null> {
      const { rows } = await db.query<Topic>(`select ${COLUMNS} from topics where id = $1`, [id], { urgent: true });
      return rows[0] ? normalise(rows[0]) : null;
    },

    /** Creates or replaces a topic (and brings an archived one back); `created` says which. */
    async upsert(topic: TopicDefinition): Promise<{ topic: Topic; created: boolean }> {
      const { rows } = await db.query<Topic & { created: boolean }>(
        `insert into topics (id, name, description, default_channels, schedule, urgent_allowed)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (id) do update set name = excluded.name, description = excluded.description,
           default_channels = excluded.default_channels, schedule = excluded.schedule,
           urgent_allowed = excluded.urgent_allowed, archived_at = null, updated_at = now()
         returning ${COLUMNS}, (xmax = 0) as created`,
        [
          topic.id,
          topic.name,
          topic.description,
          JSON.stringify(topic.defaultChannels),
          topic.schedule === null ? null : JSON.stringify(topic.schedule),
          topic.urgentAllowed,
        ],
        { urgent: true },
      );
      const { created, ...row } = rows[0]!;
      return { topic: normalise(row), created };
    },

    /** Seeds topics that are not there yet; an admin's edits (or an archive) are never overwritten. */
    async seed(topics: readonly TopicDefinition[]): Promise<number> {
      let added = 0;
      for (const t of topics) {
        const { rows } = await db.query(
          `insert into topics (id, name, description, default_channels, schedule, urgent_allowed)
           values ($1, $2, $3, $4, $5, $6) on conflict (id) do nothing returning id`,
          [
            t.id,
            t.name,
            t.description,
            JSON.stringify(t.defaultChannels),
            t.schedule === null ? null : JSON.stringify(t.schedule),
            t.urgentAllowed,
          ],
        );
        added += rows.length;
      }
      return added;
    },

    /** Archives a topic; false when there is no such topic. Alerts that named it keep their id. */
    async archive(id: string): Promise<boolean> {
      const { rows } = await db.query(
        `update topics set archived_at = coalesce(archived_at, now()), updated_at = now() where id = $1 returning id`,
        [id],
        { urgent: true },
      );
      return rows.length > 0;
    },
  };
}
export type TopicStore = ReturnType<typeof createTopicStore>;
