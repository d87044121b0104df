import { esc } from '../pages.js';
import type { OpenApiDocument } from './document.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Operation = {
  tags?: string[];
  summary?: string;
  description?: string;
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: Json }[];
  requestBody?: { description?: string; required?: boolean; content?: Record<string, { schema?: Json }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Json }> }>;
};

/** The page's one style sheet; its hash is the only style its Content-Security-Policy allows (server/middleware/security-headers.ts). */
export const REFERENCE_CSS = `body{font-family:Arial,Helvetica,sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#1f2933;line-height:1.45}
pre{background:#f6f8fa;padding:8px;overflow-x:auto;font-size:12px;margin:4px 0}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #d0d7de;padding:4px 8px;vertical-align:top;text-align:left}article{border-top:1px solid #d0d7de;padding:8px 0}
.method{display:inline-block;min-width:56px;padding:2px 6px;border-radius:4px;color:#fff;font-size:13px;text-align:center}
.get{background:#1f6feb}.post{background:#1a7f37}.put{background:#9a6700}.patch{background:#8250df}.delete{background:#cf222e}
.media{font-family:monospace;color:#57606a;margin:4px 0 0}.muted{color:#6b7280;font-size:13px}`;

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;
const anchor = (...parts: string[]) => parts.join('-').replaceAll(/[^A-Za-z0-9_-]+/g, '-');
const schemaName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

/** A schema as indented JSON, every value escaped, each `$ref` a link to the schema it names. */
function schemaHtml(value: Json | undefined, depth = 0): string {
  const pad = '  '.repeat(depth + 1);
  const end = '  '.repeat(depth);
  if (Array.isArray(value)) {
    return value.length ? `[\n${value.map((v) => pad + schemaHtml(v, depth + 1)).join(',\n')}\n${end}]` : '[]';
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (!entries.length) return '{}';
    const lines = entries.map(([key, v]) => {
      const shown =
        key === '$ref' && typeof v === 'string'
          ? `<a href="#${esc(anchor('schema', schemaName(v)))}">${esc(JSON.stringify(v))}</a>`
          : schemaHtml(v, depth + 1);
      return `${pad}${esc(JSON.stringify(key))}: ${shown}`;
    });
    return `{\n${lines.join(',\n')}\n${end}}`;
  }
  return esc(JSON.stringify(value ?? null));
}

function contentHtml(content: Record<string, { schema?: Json }> | undefined): string {
  return Object.entries(content ?? {})
    .map(([type, media]) => `<p class="media">${esc(type)}</p><pre>${schemaHtml(media.schema)}</pre>`)
    .join('\n');
}

function operationHtml(method: string, path: string, op: Operation): string {
  const security = (op.security ?? []).flatMap((s) => Object.keys(s));
  const parameters = op.parameters?.length
    ? `<h4>Parameters</h4><table><tr><th>Name</th><th>In</th><th>Required</th><th>Schema</th><th>Description</th></tr>
${op.parameters
  .map(
    (p) =>
      `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'yes' : 'no'}</td><td><pre>${schemaHtml(p.schema)}</pre></td><td>${esc(p.description ?? '')}</td></tr>`,
  )
  .join('\n')}</table>`
    : '';
  const body = op.requestBody
    ? `<h4>Request body${op.requestBody.required ? '' : ' (optional)'}</h4>${op.requestBody.description ? `<p>${esc(op.requestBody.description)}</p>` : ''}${contentHtml(op.requestBody.content)}`
    : '';
  const responses = Object.entries(op.responses ?? {})
    .map(
      ([status, r]) =>
        `<div class="response"><p><strong>${esc(status)}</strong> ${esc(r.description ?? '')}</p>${contentHtml(r.content)}</div>`,
    )
    .join('\n');
  return `<article id="${esc(anchor('op', method, path))}">
<h3><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
${op.summary ? `<p>${esc(op.summary)}</p>` : ''}${op.description ? `<p>${esc(op.description)}</p>` : ''}
<p class="muted">Credential: ${security.length ? security.map((s) => `<code>${esc(s)}</code>`).join(' or ') : 'none'}</p>
${parameters}${body}<h4>Responses</h4>${responses}
</article>`;
}

/**
 * The reference page of GET /api/docs, rendered here from the OpenAPI document: no scripts and
 * no assets from elsewhere, every value escaped. Operations are grouped by tag.
 */
export function referencePage(document: OpenApiDocument): string {
  const operations = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    METHODS.flatMap((method) => {
      const op = (item as Record<string, Operation | undefined>)[method];
      return op ? [{ method, path, op }] : [];
    }),
  );
  const tags = [...(document.tags ?? [])];
  for (const { op } of operations) {
    for (const name of op.tags ?? []) if (!tags.some((t) => t.name === name)) tags.push({ name });
  }
  const sections = tags.map((tag) => {
    const ops = operations.filter(({ op }) => op.tags?.includes(tag.name));
    return `<section id="${esc(anchor('tag', tag.name))}"><h2>${esc(tag.name)}</h2>
${tag.description ? `<p>${esc(tag.description)}</p>` : ''}
${ops.map(({ method, path, op }) => operationHtml(method, path, op)).join('\n')}</section>`;
  });
  const schemas = Object.entries(document.components?.schemas ?? {}).map(
    ([name, schema]) =>
      `<article id="${esc(anchor('schema', name))}"><h3>${esc(name)}</h3><pre>${schemaHtml(schema as Json)}</pre></article>`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${esc(document.info.title)} API reference</title>
<style>${REFERENCE_CSS}</style>
</head><body>
<h1>${esc(document.info.title)} API <small class="muted">${esc(document.info.version)}</small></h1>
${document.info.description ? `<p>${esc(document.info.description)}</p>` : ''}
<p>The same as a machine-readable OpenAPI ${esc(document.openapi)} document: <a href="/api/openapi.json">/api/openapi.json</a>.</p>
<nav><ul>${tags.map((t) => `<li><a href="#${esc(anchor('tag', t.name))}">${esc(t.name)}</a></li>`).join('')}<li><a href="#schemas">schemas</a></li></ul></nav>
${sections.join('\n')}
<section id="schemas"><h2>Schemas</h2>
${schemas.join('\n')}</section>
</body></html>`;
}
