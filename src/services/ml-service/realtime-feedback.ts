import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../shared/server';

/** Real-time feedback into the model (placeholder until built). */
export function registerRealtimeFeedback(app: FastifyInstance, ctx: ServiceContext): void {
  void app;
  void ctx;
}
