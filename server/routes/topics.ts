import { createRoute } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { Context } from 'hono';
import { topicBody, topicIdParams, topicListQuery, topicListSchema, topicViewSchema } from '../../contracts/index.js';
import type { TopicView } from '../../contracts/index.js';
import { describeSchedule, type Topic } from '../../domain/topics.js';
import type { Person } from '../../domain/identity.js';
import type { TopicStore } from '../../store/topics.js';
import { httpError } from '../errors.js';
import { principalOf } from '../middleware/auth.js';
import type { AppEnv } from '../middleware/request-log.js';
import { apiApp } from '../openapi/api-app.js';
import { jsonBody, otherMediaTypeAsEmpty } from '../openapi/bodies.js';
import { SECURITY } from '../openapi/document.js';
import { errors, json } from '../openapi/responses.js';

export interface TopicRoutesDeps {
  topics: TopicStore;
  /** Whether a person may edit the catalogue: a member of TOPIC_ADMIN_GROUP, judged by person id. */
  isAdmin: (person: Person) => Promise<boolean>;
}

export function topicView(t: Topic): TopicView {
  return { ...t, scheduleText: describeSchedule(t.schedule) };
}

const tags = ['topics'];
const security = SECURITY.apiToken;
const params = topicIdParams;

const list = createRoute({
  method: 'get',
  path: '/',
  tags,
  security,
  summary: 'The topic catalogue',
  description: 'Open topics by id (alerts may name these); `?archived=true` adds the archived ones.',
  request: { query: topicListQuery },
  responses: { 200: json('The topics.', topicListSchema), ...errors(400, 401, 403) },
});

const show = createRoute({
  method: 'get',
  path: '/{id}',
  tags,
  security,
  summary: 'One topic',
  request: { params },
  responses: { 200: json('The topic.', topicViewSchema), ...errors(400, 401, 403, 404) },
});

const put = createRoute({
  method: 'put',
  path: '/{id}',
  tags,
  security,
  summary: 'Create or replace a topic (admins)',
  description:
    'Service principals need the `topics:write` scope; people must be members of the approver group TOPIC_ADMIN_GROUP. A PUT on an archived topic brings it back.',
  middleware: [
    bodyLimit({
      maxSize: 8 * 1024,
      onError: () => {
        throw httpError('VALIDATION', 'request body is larger than 8 KB', '(body)');
      },
    }),
    otherMediaTypeAsEmpty('json', topicBody),
  ],
  request: { params, body: jsonBody(topicBody) },
  responses: {
    200: json('Replaced.', topicViewSchema),
    201: json('Created.', topicViewSchema),
    ...errors(400, 401, 403),
  },
});

const archive = createRoute({
  method: 'delete',
  path: '/{id}',
  tags,
  security,
  summary: 'Archive a topic (admins)',
  description:
    'New alerts can no longer name it; alerts that did keep it, and per-topic settings keyed by its id stay. PUT brings it back.',
  request: { params },
  responses: { 200: json('Archived.', topicViewSchema), ...errors(400, 401, 403, 404) },
});

/** People edit the catalogue only as members of the admin group; services were held to topics:write already. */
async function requireAdmin(c: Context<AppEnv>, isAdmin: TopicRoutesDeps['isAdmin']): Promise<void> {
  const p = principalOf(c);
  if (p.kind === 'person' && !(await isAdmin(p.person))) {
    throw httpError(
      'FORBIDDEN',
      `${p.person.email} may not edit the topic catalogue: only members of the topic admin group can`,
      'authorization',
    );
  }
}

/** /api/topics: the topic catalogue (domain/topics.ts), read by anyone with topics:read, edited by admins. */
export function topicRoutes(deps: TopicRoutesDeps) {
  const notFound = () => httpError('NOT_FOUND', 'no topic with this id', 'id');
  return apiApp()
    .openapi(list, async (c) => {
      const { archived } = c.req.valid('query');
      const topics = await deps.topics.list({ includeArchived: archived });
      return c.json({ topics: topics.map(topicView) }, 200);
    })
    .openapi(show, async (c) => {
      const topic = await deps.topics.get(c.req.valid('param').id);
      if (!topic) throw notFound();
      return c.json(topicView(topic), 200);
    })
    .openapi(put, async (c) => {
      await requireAdmin(c, deps.isAdmin);
      const { id } = c.req.valid('param');
      const { topic, created } = await deps.topics.upsert({ id, ...c.req.valid('json') });
      if (created) {
        c.header('location', `/api/topics/${topic.id}`);
        return c.json(topicView(topic), 201);
      }
      return c.json(topicView(topic), 200);
    })
    .openapi(archive, async (c) => {
      await requireAdmin(c, deps.isAdmin);
      const { id } = c.req.valid('param');
      if (!(await deps.topics.archive(id))) throw notFound();
      const topic = await deps.topics.get(id);
      if (!topic) throw notFound();
      return c.json(topicView(topic), 200);
    });
}
