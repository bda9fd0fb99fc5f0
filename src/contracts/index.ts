import type { ServiceName } from '../services/catalog';
import { DRIVE_INTEL_ROUTES } from './drive-intel';
import { GATEWAY_ROUTES } from './gateway';
import { META_PUBLISHER_ROUTES } from './meta-publisher';
import { ML_SERVICE_ROUTES } from './ml-service';
import type { RouteTable } from './route';
import { SHARED_ROUTES } from './shared';
import { TITAN_CORE_ROUTES } from './titan-core';
import { VIDEO_AGENT_ROUTES } from './video-agent';

/** Each service's own routes, by the catalog's names: its OpenAPI document and its callers read them. */
export const SERVICE_CONTRACTS: Record<ServiceName, RouteTable> = {
  gateway: GATEWAY_ROUTES,
  'drive-intel': DRIVE_INTEL_ROUTES,
  'video-agent': VIDEO_AGENT_ROUTES,
  'meta-publisher': META_PUBLISHER_ROUTES,
  'ml-service': ML_SERVICE_ROUTES,
  'titan-core': TITAN_CORE_ROUTES,
};

/** Every route a service serves: its own and the ones all services share. */
export const allRoutes = (service: ServiceName): RouteTable => ({ ...SHARED_ROUTES, ...SERVICE_CONTRACTS[service] });
