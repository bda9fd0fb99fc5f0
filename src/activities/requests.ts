import type { CallContext } from '../flows/types';
import type { HttpMethod, RouteContract } from '../contracts/route';
import { fillPath } from '../contracts/route';
import type { ServiceName } from '../services/catalog';
import { callService, type HttpDeps } from './http';

/**
 * One service call as data: where it goes, what it sends and how long its answer may take in platform time.
 * Activities send these, and the benchmark's plain runner sends the very same ones.
 */
export interface ServiceRequest<T> {
  service: ServiceName;
  method: HttpMethod;
  path: string;
  body?: unknown;
  /** The call's budget in platform time; `callService`'s default when absent. */
  budgetPlatformMs?: number;
  /** Never set: it carries the answer's type from the builder to `send`. */
  readonly answer?: T;
}

/** The answer type a request's builder promises. */
export type AnswerOf<R> = R extends ServiceRequest<infer T> ? T : never;

/** Where a contract's route sends a call: its method, and its path with the parameters filled in. */
export const routeOf = (
  service: ServiceName,
  contract: RouteContract,
  params?: Record<string, string | number>,
): Pick<ServiceRequest<never>, 'service' | 'method' | 'path'> => ({
  service,
  method: contract.method,
  path: fillPath(contract, params),
});

/** Sends a built request with the step's context (idempotency key, faults, time scale). */
export const send = <T>(deps: HttpDeps, ctx: CallContext, req: ServiceRequest<T>): Promise<T> =>
  callService<T>(deps, req.service, ctx, req.method, req.path, req.body, req.budgetPlatformMs);

/** POSTs to one service, for a group of activities whose every call is a JSON POST there. */
export const poster =
  (deps: HttpDeps, service: ServiceName) =>
  <T>(ctx: CallContext, path: string, body: unknown): Promise<T> =>
    send<T>(deps, ctx, { service, method: 'POST', path, body });
