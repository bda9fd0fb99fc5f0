import { request } from 'undici';
import type { ServiceName } from '../services/catalog';
import type { HttpDeps } from './http';

export interface HealthAnswer {
  service: ServiceName;
  url: string;
  http_status: number;
  latency_ms: number;
  body: Record<string, unknown>;
}

/** Health checks: plain GETs, retried by Temporal when a service is not up yet. */
export function createPlatformActivities(deps: HttpDeps) {
  return {
    async service_health(service: ServiceName): Promise<HealthAnswer> {
      const url = `${deps.services[service]}/health`;
      const started = Date.now();
      const res = await request(url, { dispatcher: deps.agent, headersTimeout: 5_000, bodyTimeout: 5_000 });
      const body = (await res.body.json()) as Record<string, unknown>;
      return { service, url, http_status: res.statusCode, latency_ms: Date.now() - started, body };
    },
  };
}
