import type { z } from 'zod';

export type HttpMethod = 'GET' | 'POST' | 'PUT';

/**
 * One HTTP route of a service as its callers see it. The path is written Fastify's way (`/videos/:id/scenes`); a
 * trailing `*` takes the rest of the path, slashes included, and `params` names it `path`.
 */
export interface RouteContract {
  method: HttpMethod;
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Request headers the route reads beyond the simulation's own (those every route takes). */
  headers?: z.ZodObject;
  /** The 2xx answer. */
  response: z.ZodType;
  /** The 2xx statuses it answers with: 200 by default (201 when created and 200 on a repeat, 202 accepted...). */
  status?: number | readonly number[];
  /** The answer's media type when it is not JSON. */
  contentType?: string;
  /** The 4xx/5xx body when it is not the common one (Meta's Graph errors, for one). */
  errors?: z.ZodType;
}

/** A service's routes by name. */
export type RouteTable = Record<string, RouteContract>;

/** A route contract, kept with its exact schema types so handlers and callers infer from it. */
export function route<const R extends RouteContract>(contract: R): R {
  return contract;
}

/** The route's 2xx statuses. */
export function successStatuses(contract: RouteContract): readonly number[] {
  const status = contract.status ?? 200;
  return typeof status === 'number' ? [status] : status;
}

const pattern = (path: string): RegExp =>
  new RegExp(
    `^${path
      .split('/')
      .map((segment) => (segment === '*' ? '.+' : segment.startsWith(':') ? '[^/]+' : escape(segment)))
      .join('/')}$`,
  );
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const patterns = new Map<string, RegExp>();

/** Whether a concrete request path (query string ignored) is one of the route's. */
export function pathMatches(contract: Pick<RouteContract, 'path'>, path: string): boolean {
  let re = patterns.get(contract.path);
  if (!re) patterns.set(contract.path, (re = pattern(contract.path)));
  return re.test(path.split('?')[0]);
}

/** The route of a table a request takes, if any. */
export function findRoute(table: RouteTable, method: string, path: string): RouteContract | undefined {
  return Object.values(table).find((r) => r.method === method && pathMatches(r, path));
}

/** `/videos/:id/scenes` as OpenAPI writes it, `/videos/{id}/scenes` (a trailing `*` is `{path}`). */
export function openApiPath(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment === '*' ? '{path}' : segment.startsWith(':') ? `{${segment.slice(1)}}` : segment))
    .join('/');
}

/** A concrete path of the route: each `:name` filled from `params` (URI-encoded), the `*` from `params.path`. */
export function fillPath(contract: Pick<RouteContract, 'path'>, params: Record<string, string | number> = {}): string {
  return contract.path
    .split('/')
    .map((segment) => {
      const name = segment === '*' ? 'path' : segment.startsWith(':') ? segment.slice(1) : undefined;
      if (name === undefined) return segment;
      const value = String(params[name]);
      return segment === '*' ? value : encodeURIComponent(value);
    })
    .join('/');
}
