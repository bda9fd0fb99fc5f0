import { creativeRequests, type CreativeStep } from '../activities/creative-requests';
import type { ServiceName } from '../services/catalog';
import type { Sample } from '../stats/prometheus-text';
import { scrapeMetrics } from './scrape-metrics';

/**
 * What the services themselves measured: each one's `http_request_duration_seconds` (from the request's arrival to
 * its answer, injected latency and capacity waits included), read before and after a stretch of work. Against the
 * time a caller measured for the same calls, it says how much of that time the service spent and how much was
 * the way there and back (sockets, the caller's event loop).
 */
export type ServiceTimes = Map<string, { service: string; method: string; route: string; sum: number; count: number }>;

function durations(service: string, samples: Sample[], into: ServiceTimes): void {
  for (const s of samples) {
    const part = s.name.endsWith('_sum') ? 'sum' : s.name.endsWith('_count') ? 'count' : undefined;
    if (!part || !s.name.startsWith('http_request_duration_seconds_')) continue;
    const [method, route] = [s.labels.method ?? '', s.labels.route ?? ''];
    const key = `${service} ${method} ${route}`;
    const t = into.get(key) ?? { service, method, route, sum: 0, count: 0 };
    t[part] += s.value;
    into.set(key, t);
  }
}

/** Every service's request durations so far, by method and route. */
export async function readServiceTimes(services: Record<ServiceName, string>): Promise<ServiceTimes> {
  const times: ServiceTimes = new Map();
  for (const [name, url] of Object.entries(services)) durations(name, await scrapeMetrics(`${url}/metrics`), times);
  return times;
}

/** A route pattern (`/videos/:id/scenes`) as a test of a path. */
const routeMatches = (route: string, path: string) =>
  new RegExp(`^${route.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+')}$`).test(path);

/**
 * Per creative step: the mean time its service spent on the step's call between two readings, in milliseconds
 * (undefined when the step's route saw no calls).
 */
export function stepServiceMeans(
  before: ServiceTimes,
  after: ServiceTimes,
  steps: readonly CreativeStep[],
): Record<string, number | undefined> {
  return Object.fromEntries(
    steps.map((step) => {
      // The builders only place their inputs in the path and body: an empty input gives the method and route.
      const req = (creativeRequests[step] as (input: never) => { service: string; method: string; path: string })(
        {} as never,
      );
      let sum = 0;
      let count = 0;
      for (const [key, t] of after) {
        if (t.service !== req.service || t.method !== req.method || !routeMatches(t.route, req.path)) continue;
        const b = before.get(key) ?? { sum: 0, count: 0 };
        sum += t.sum - b.sum;
        count += t.count - b.count;
      }
      return [step, count > 0 ? (1000 * sum) / count : undefined];
    }),
  );
}
