import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import { z, type ZodType } from 'zod';

/** What breaks the contract: reported to `onViolation`, and the answer becomes a 500 saying so. */
export type ContractViolationHandler = (violation: string) => void;

const isZod = (schema: unknown): schema is ZodType => schema instanceof z.ZodType;
const essence = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

/** hono's `:id` path parameters in OpenAPI's spelling, `{id}`. */
export const openApiPath = (path: string) => path.replaceAll(/:([A-Za-z0-9_]+)/g, '{$1}');

/** The route that answered: the handler that ran last, or the endpoint a middleware answered for (auth, limits). */
function answeringRoute(c: Context) {
  const routes = matchedRoutes(c);
  return routes.slice(c.req.routeIndex).find((r) => r.method !== 'ALL');
}

/**
 * Holds every answer to the response its route declares for that status: the status must be
 * declared, the content type too, and a JSON body must parse with the declared schema. For
 * tests (the integration harness turns it on); routes the document does not list are not checked.
 */
export function responseCheck(app: Pick<OpenAPIHono, 'openAPIRegistry'>, onViolation: ContractViolationHandler) {
  let routes: Map<string, RouteConfig> | undefined;
  const routeFor = (method: string, path: string) => {
    routes ??= new Map(
      app.openAPIRegistry.definitions.flatMap((d) =>
        d.type === 'route' ? [[`${d.route.method.toUpperCase()} ${d.route.path}`, d.route] as const] : [],
      ),
    );
    return routes.get(`${method} ${openApiPath(path)}`);
  };

  async function violation(c: Context, route: RouteConfig): Promise<string | undefined> {
    const status = String(c.res.status);
    const declared = route.responses[status] ?? route.responses.default;
    if (!declared) return `status ${status} is not declared`;
    const type = c.res.headers.get('content-type');
    if (!type || '$ref' in declared) return undefined;
    const media = Object.entries(declared.content ?? {}).find(([t]) => essence(t) === essence(type))?.[1];
    if (!media) return `status ${status} with content type ${type} is not declared`;
    const schema = 'schema' in media ? media.schema : undefined;
    if (!isZod(schema) || essence(type) !== 'application/json') return undefined;
    const body: unknown = await c.res
      .clone()
      .json()
      .catch(() => Symbol('not JSON'));
    const parsed = schema.safeParse(body);
    return parsed.success ? undefined : `status ${status} body:\n${z.prettifyError(parsed.error)}`;
  }

  return createMiddleware(async (c, next) => {
    await next();
    if (c.req.method === 'HEAD') return;
    const endpoint = answeringRoute(c);
    const route = endpoint && routeFor(endpoint.method, endpoint.path);
    if (!route) return;
    const problem = await violation(c, route);
    if (!problem) return;
    const message = `${c.req.method} ${route.path} answered outside its contract: ${problem}`;
    onViolation(message);
    c.res = undefined;
    c.res = Response.json({ error: { code: 'INTERNAL', message } }, { status: 500 });
  });
}
