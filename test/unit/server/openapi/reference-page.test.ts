import { describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../../../../server/openapi/document.js';
import { referencePage } from '../../../../server/openapi/reference-page.js';

describe('reference page', () => {
  it('escapes every value of the document, and links each $ref to the schema it names', () => {
    const evil = '<script>alert("x")</script>';
    const doc = {
      openapi: '3.1.0',
      info: { title: `Rapport ${evil}`, version: '1' },
      tags: [{ name: 'x"><b>', description: evil }],
      paths: {
        '/a/{id}': {
          get: {
            tags: ['x"><b>'],
            summary: evil,
            parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: evil } }],
            responses: {
              200: {
                description: evil,
                content: { 'application/json': { schema: { $ref: '#/components/schemas/A"<' } } },
              },
            },
          },
        },
      },
      components: { schemas: { 'A"<': { type: 'object', description: evil } } },
    } as unknown as OpenApiDocument;
    const html = referencePage(doc);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('"><b>');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).toContain('<a href="#schema-A-">&quot;#/components/schemas/A\\&quot;&lt;&quot;</a>');
    expect(html).toContain('id="schema-A-"');
  });
});
