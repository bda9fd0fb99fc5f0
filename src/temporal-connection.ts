import { Client, Connection } from '@temporalio/client';
import type { Endpoints } from './config';

/** TLS and API key for a real cluster, from TEMPORAL_TLS / TEMPORAL_API_KEY; nothing for the dev server. */
export function connectionSecurity(): { tls?: boolean; apiKey?: string } {
  const apiKey = process.env.TEMPORAL_API_KEY;
  const tls = process.env.TEMPORAL_TLS === 'true' || Boolean(apiKey);
  return { ...(tls ? { tls: true } : {}), ...(apiKey ? { apiKey } : {}) };
}

export async function connectClient(endpoints: Endpoints): Promise<Client> {
  const connection = await Connection.connect({ address: endpoints.temporalAddress, ...connectionSecurity() });
  return new Client({ connection, namespace: endpoints.namespace });
}
