import { z } from 'zod';
import { API_VERSION, ApiError } from '../../shared/index.ts';
import { VERSION } from '../version.ts';
import type { Route } from './routes.ts';

/**
 * The OpenAPI 3.1 document of /v1, generated from the route table and its zod schemas (zod's own
 * JSON Schema output, draft 2020-12 as OpenAPI 3.1 uses), never written by hand.
 */
export function openApiDocument(routes: readonly Route[]): object {
  const schema = (s: z.ZodType, io: 'input' | 'output') => z.toJSONSchema(s, { io, unrepresentable: 'any' });
  const errorBody = { content: { 'application/json': { schema: schema(ApiError, 'output') } } };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const ok =
      r.response === 'file' ? { description: 'the file (Range requests answered with 206)', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }
      : r.response === 'events' ? { description: 'server-sent events: `event: progress` with a ProgressEvent, `event: job` with the Job', content: { 'text/event-stream': { schema: { type: 'string' } } } }
      : { description: 'OK', content: { 'application/json': { schema: schema(r.response, 'output') } } };
    (paths[r.path] ??= {})[r.method] = {
      summary: r.summary,
      ...(r.auth ? {} : { security: [] }),
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema(r.body, 'input') } } } } : {}),
      responses: {
        [r.status]: ok,
        '4XX': { description: 'bad request, unknown id, conflict, auth, busy (429 with Retry-After)', ...errorBody },
        '5XX': { description: 'a bug in Segue (still JSON)', ...errorBody },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Segue helper', version: `${VERSION} (api v${API_VERSION})`, description: 'The local helper the Segue Premiere Pro panel drives. Bearer token from `segue serve`.' },
    servers: [{ url: 'http://127.0.0.1:7717' }],
    components: { securitySchemes: { pairing: { type: 'http', scheme: 'bearer' } } },
    security: [{ pairing: [] }],
    paths,
  };
}
