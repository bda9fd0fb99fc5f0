import { Client, Connection, type TLSConfig } from '@temporalio/client';
import fs from 'node:fs';
import type { Endpoints } from './config';
import { connectFailure, TemporalSetupError } from './temporal-errors';
import { ensureNamespaceReady, type NamespaceTarget } from './temporal-namespace';

const CONNECT_TIMEOUT_MS = 5000;

function readPem(variable: string): Buffer | undefined {
  const file = process.env[variable];
  if (!file) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new TemporalSetupError(`cannot read ${variable}=${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
}

/**
 * TLS and API key for a real cluster, from the variables the `temporal` CLI reads too: TEMPORAL_TLS,
 * TEMPORAL_API_KEY (implies TLS), TEMPORAL_TLS_CLIENT_CERT_PATH + _KEY_PATH (mTLS), TEMPORAL_TLS_SERVER_CA_CERT_PATH,
 * TEMPORAL_TLS_SERVER_NAME. Nothing for the dev server.
 */
export function connectionSecurity(): { tls?: TLSConfig | true; apiKey?: string } {
  const apiKey = process.env.TEMPORAL_API_KEY || undefined;
  const crt = readPem('TEMPORAL_TLS_CLIENT_CERT_PATH');
  const key = readPem('TEMPORAL_TLS_CLIENT_KEY_PATH');
  if (Boolean(crt) !== Boolean(key)) {
    throw new TemporalSetupError(
      'TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together: set both',
    );
  }
  const ca = readPem('TEMPORAL_TLS_SERVER_CA_CERT_PATH');
  const serverName = process.env.TEMPORAL_TLS_SERVER_NAME || undefined;
  const config: TLSConfig = {
    ...(crt && key ? { clientCertPair: { crt, key } } : {}),
    ...(ca ? { serverRootCACertificate: ca } : {}),
    ...(serverName ? { serverNameOverride: serverName } : {}),
  };
  const tls =
    Object.keys(config).length > 0 || ['true', '1'].includes(process.env.TEMPORAL_TLS ?? '') || Boolean(apiKey);
  return { ...(tls ? { tls: Object.keys(config).length ? config : true } : {}), ...(apiKey ? { apiKey } : {}) };
}

/** The namespace check's view of where we connect (and how, for the commands it prints). */
export function namespaceTarget(endpoints: Endpoints, security = connectionSecurity()): NamespaceTarget {
  return {
    address: endpoints.temporalAddress,
    namespace: endpoints.namespace,
    tls: Boolean(security.tls),
    apiKey: Boolean(security.apiKey),
  };
}

/**
 * Connects to Temporal and checks the namespace: it exists, and has the project's search attributes
 * (registered here when missing and allowed). Expected failures are TemporalSetupErrors, one line each.
 */
export async function connectClient(endpoints: Endpoints, log?: (line: string) => void): Promise<Client> {
  const security = connectionSecurity();
  let connection: Connection;
  try {
    connection = await Connection.connect({
      address: endpoints.temporalAddress,
      connectTimeout: CONNECT_TIMEOUT_MS,
      ...security,
    });
  } catch (err) {
    throw connectFailure(err, endpoints.temporalAddress, Boolean(security.tls)) ?? err;
  }
  try {
    await ensureNamespaceReady(connection, namespaceTarget(endpoints, security), log);
  } catch (err) {
    await connection.close();
    throw err;
  }
  return new Client({ connection, namespace: endpoints.namespace });
}
