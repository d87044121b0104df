import { createRoute } from '@hono/zod-openapi';
import { openApiDocumentSchema } from '../../contracts/index.js';
import { apiApp } from '../openapi/api-app.js';
import type { OpenApiDocument } from '../openapi/document.js';
import { referencePage } from '../openapi/reference-page.js';
import { errors, html, json } from '../openapi/responses.js';

/**
 * The API's own description, without a credential: it holds no data, only the shape of routes
 * whose code is public, and whoever integrates (or operates) Rapport needs it before they have
 * a token. What each route answers stays behind that route's own credential.
 */
export function docsRoutes(document: () => OpenApiDocument) {
  return apiApp()
    .openapi(
      createRoute({
        method: 'get',
        path: '/openapi.json',
        tags: ['docs'],
        summary: 'This API as an OpenAPI 3.1 document',
        responses: { 200: json('The document.', openApiDocumentSchema), ...errors() },
      }),
      (c) => c.json(document(), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/docs',
        tags: ['docs'],
        summary: 'The reference page: every route, its parameters, request and answers',
        responses: { 200: html('The page (no scripts, nothing loaded from elsewhere).'), ...errors() },
      }),
      (c) => c.html(referencePage(document())),
    );
}
