import type { FastifyInstance } from 'fastify';
import type { ServiceName } from './catalog';
import type { ServiceContext } from './shared/server';
import { registerDriveIntel } from './drive-intel/routes';
import { registerGateway } from './gateway/routes';
import { registerMetaPublisher } from './meta-publisher/routes';
import { registerMlService } from './ml-service/routes';
import { registerTitanCore } from './titan-core/routes';
import { registerVideoAgent } from './video-agent/routes';

export type RouteRegistrar = (
  app: FastifyInstance,
  ctx: ServiceContext,
  upstreams: Record<ServiceName, string>,
) => void;

/** Each service's routes, by name. */
export const SERVICE_ROUTES: Record<ServiceName, RouteRegistrar> = {
  gateway: registerGateway,
  'drive-intel': registerDriveIntel,
  'video-agent': registerVideoAgent,
  'meta-publisher': registerMetaPublisher,
  'ml-service': registerMlService,
  'titan-core': registerTitanCore,
};
