import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../shared/server';

/** RAG: winner index, vector and semantic search, knowledge graph (placeholder until built). */
export function registerRag(app: FastifyInstance, ctx: ServiceContext): void {
  void app;
  void ctx;
}
