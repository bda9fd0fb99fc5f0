import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { RouteContract } from '../../contracts/route';
import { parseOr400 } from './validation';

export type RouteHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Serves a contract's route: its method and path come from the contract, so the two cannot drift apart. */
export function serve(app: FastifyInstance, contract: RouteContract, handler: RouteHandler): void {
  app.route({ method: contract.method, url: contract.path, handler });
}

/** The request's path parameters, validated by the route's contract (a 400 names the bad one). */
export function paramsOf<C extends { params: z.ZodObject }>(
  contract: C,
  request: FastifyRequest,
): z.infer<C['params']> {
  return parseOr400<C['params']>(contract.params, request.params, 'path');
}

/** The request's body, validated by the route's contract. */
export function bodyOf<C extends { body: z.ZodType }>(contract: C, request: FastifyRequest): z.infer<C['body']> {
  return parseOr400<C['body']>(contract.body, request.body);
}
