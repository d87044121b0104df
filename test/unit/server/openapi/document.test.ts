import { describe, expect, it } from 'vitest';
import { openApiPath } from '../../../../server/openapi/response-check.js';
import { fullApp } from './full-app.js';

type Doc = {
  openapi: string;
  info: { title: string; version: string };
  tags?: { name: string }[];
  paths: Record<
    string,
    Record<
      string,
      {
        tags?: string[];
        parameters?: { name: string; in: string }[];
        responses?: Record<string, { description?: string }>;
      }
    >
  >;
};

const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];

/**
 * Routes served that are not API routes: the task pane's static files (whatever the build
 * emits under /addin/), served by one wildcard route.
 */
const NOT_DOCUMENTED = new Set(['GET /addin/*']);

async function served() {
  const app = await fullApp();
  const res = await app.request('/api/openapi.json');
  return { app, res, doc: (await res.json()) as Doc };
}

const operations = (doc: Doc) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, op })),
  );

/** Every `$ref` in the document, wherever it is. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, v]) => (key === '$ref' && typeof v === 'string' ? [v] : refs(v)));
  }
  return [];
}

/** A local JSON pointer (`#/components/schemas/Alert`) looked up in the document. */
function resolve(doc: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>(
      (node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined),
      doc,
    );
}

describe('the OpenAPI document (GET /api/openapi.json)', () => {
  it('is served without a credential', async () => {
    const { res } = await served();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
  });

  it('has every route the app serves, and serves every route it has', async () => {
    const { app, doc } = await served();
    const routes = new Set(
      app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${openApiPath(r.path)}`),
    );
    const documented = new Set(operations(doc).map((o) => o.key));
    expect([...routes].filter((r) => !documented.has(r) && !NOT_DOCUMENTED.has(r))).toEqual([]);
    expect([...documented].filter((r) => !routes.has(r))).toEqual([]);
    // The optional faces are all mounted here, so this is every route Rapport has.
    for (const route of [
      'POST /api/alerts',
      'PUT /api/topics/{id}',
      'POST /sms/inbound',
      'POST /slack/events',
      'GET /api/addin/alerts/{id}',
      'GET /api/addin/summary',
    ]) {
      expect(documented).toContain(route);
    }
  });

  it('is OpenAPI 3.1 in shape: every operation answers, every parameter and $ref resolves', async () => {
    const { doc } = await served();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    const tags = new Set(doc.tags?.map((t) => t.name));
    for (const { key, path, op } of operations(doc)) {
      expect(path, key).toMatch(/^\//);
      const responses = Object.entries(op.responses ?? {});
      expect(responses.length, `${key} has responses`).toBeGreaterThan(0);
      for (const [status, response] of responses) {
        expect(status, key).toMatch(/^([1-5]\d\d|[1-5]XX|default)$/);
        expect(typeof response.description, `${key} ${status} has a description`).toBe('string');
      }
      for (const name of path.match(/\{[^}]+\}/g) ?? []) {
        expect(
          op.parameters?.some((p) => p.in === 'path' && `{${p.name}}` === name),
          `${key} declares ${name}`,
        ).toBe(true);
      }
      expect(op.tags?.length, `${key} has a tag`).toBeGreaterThan(0);
      for (const tag of op.tags ?? []) expect(tags, `${key}: tag ${tag} is declared`).toContain(tag);
    }
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(20);
    for (const ref of new Set(all)) expect(resolve(doc, ref), `${ref} resolves`).toBeDefined();
  });
});

describe('the reference page (GET /api/docs)', () => {
  it('shows every operation, grouped by tag, from the document, with nothing loaded from elsewhere', async () => {
    const { app, doc } = await served();
    const res = await app.request('/api/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    for (const tag of doc.tags ?? []) expect(html).toContain(`id="tag-${tag.name}"`);
    for (const { path } of operations(doc)) expect(html).toContain(`<code>${path}</code>`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=/i);
    for (const [, href] of html.matchAll(/href="([^"]*)"/g)) expect(href).toMatch(/^(#|\/api\/openapi\.json$)/);
  });
});
