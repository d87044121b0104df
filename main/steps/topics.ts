import type { Logger } from 'pino';
import type { Env } from '../../config/env.js';
import { DEMO_TOPICS } from '../../sandbox/topics/demo.js';
import type { Db } from '../../store/db.js';
import { createTopicStore } from '../../store/topics.js';

/**
 * The topic catalogue's demo topics (TOPICS_SEED=demo, the default outside production): added when
 * missing, never overwriting an admin's edit or archive. Production starts with an empty
 * catalogue that admins fill through PUT /api/topics/:id.
 */
export async function seedTopics(env: Pick<Env, 'TOPICS_SEED' | 'NODE_ENV'>, db: Db, logger: Logger): Promise<void> {
  const seed = env.TOPICS_SEED ?? (env.NODE_ENV === 'production' ? 'none' : 'demo');
  if (seed === 'none') return;
  const added = await createTopicStore(db).seed(DEMO_TOPICS);
  if (added > 0) logger.info({ added }, 'demo topics seeded');
}
