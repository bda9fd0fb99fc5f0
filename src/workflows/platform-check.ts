import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { HealthAnswer } from '../activities/platform';
import { SERVICE_NAMES } from '../services/catalog';

const { service_health } = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: { initialInterval: '200ms', maximumInterval: '2s', maximumAttempts: 10 },
});

/** Calls every service's health endpoint, each as its own activity, and returns what each answered. */
export async function platformCheck(): Promise<{ healthy: boolean; services: HealthAnswer[] }> {
  const services = await Promise.all(SERVICE_NAMES.map((name) => service_health(name)));
  return { healthy: services.every((s) => s.http_status === 200 && s.body.status === 'ok'), services };
}
