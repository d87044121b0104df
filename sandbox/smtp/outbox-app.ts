import { Hono, type Context } from 'hono';
import { basePath } from 'hono/route';
import { z } from 'zod';
import type { SmtpCatcher } from './catcher.js';
import { listPage, messagePage, notFoundPage, OUTBOX_CSP } from './outbox-pages.js';

export type OutboxSource = Pick<SmtpCatcher, 'list' | 'get' | 'raw' | 'parsed' | 'clear' | 'count' | 'duplicates'>;

const listQuery = z.object({
  to: z.string().trim().max(320).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const messageId = z.string().regex(/^[0-9A-Z]{26}$/);

function base(c: Context): string {
  return basePath(c).replace(/\/+$/, '');
}

function html(c: Context, body: string, status: 200 | 400 | 404 = 200) {
  c.header('content-security-policy', OUTBOX_CSP);
  c.header('x-content-type-options', 'nosniff');
  return c.html(body, status);
}

/**
 * The outbox page and JSON API. Mount it anywhere (`app.route('/outbox', createOutboxApp(catcher))`);
 * links follow the mount path.
 */
export function createOutboxApp(source: OutboxSource) {
  const app = new Hono();

  app.get('/api/messages', (c) => {
    const query = listQuery.safeParse(c.req.query());
    if (!query.success) return c.json({ error: { code: 'VALIDATION', message: query.error.issues[0]?.message } }, 400);
    return c.json(source.list(query.data));
  });

  app.get('/api/messages/:id', async (c) => {
    const id = c.req.param('id');
    const message = messageId.safeParse(id).success ? source.get(id) : undefined;
    if (!message) return c.json({ error: { code: 'NOT_FOUND', message: 'no such message' } }, 404);
    const raw = await source.raw(id);
    const parsed = await source.parsed(id);
    return c.json({
      ...message,
      bodyKept: raw !== undefined,
      text: parsed?.text ?? null,
      html: typeof parsed?.html === 'string' ? parsed.html : null,
      headers: parsed?.headerLines ?? [],
      raw: raw?.toString('utf8') ?? null,
    });
  });

  app.delete('/api/messages', async (c) => c.json({ deleted: await source.clear() }));

  app.get('/api/stats', (c) => c.json({ count: source.count(), duplicates: source.duplicates() }));

  app.get('/', (c) => {
    const query = listQuery.safeParse(c.req.query());
    if (!query.success) return html(c, notFoundPage(base(c), 'Bad search parameters.'), 400);
    const found = source.list(query.data);
    return html(
      c,
      listPage({
        base: base(c),
        to: query.data.to ?? '',
        limit: query.data.limit,
        offset: query.data.offset,
        total: found.total,
        count: source.count(),
        duplicates: source.duplicates().length,
        messages: found.messages,
      }),
    );
  });

  app.get('/messages/:id', async (c) => {
    const id = c.req.param('id');
    const message = messageId.safeParse(id).success ? source.get(id) : undefined;
    if (!message) return html(c, notFoundPage(base(c), 'No such message.'), 404);
    return html(c, messagePage(base(c), message, await source.parsed(id), await source.raw(id)));
  });

  app.get('/messages/:id/raw', async (c) => {
    const id = c.req.param('id');
    const raw = messageId.safeParse(id).success ? await source.raw(id) : undefined;
    if (!raw) return c.text('no such message, or its body was not kept', 404);
    return c.body(new Uint8Array(raw), 200, {
      'content-type': 'message/rfc822',
      'content-disposition': `attachment; filename="${id}.eml"`,
      'x-content-type-options': 'nosniff',
    });
  });

  return app;
}
