import http from 'node:http';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { ConfigError } from '../../config';

const portSchema = z.coerce.number().int().min(1).max(65_535);

/** A metrics port from the environment (WORKER_METRICS_PORT, EXECUTOR_METRICS_PORT): none when unset. */
export function metricsPortFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const parsed = portSchema.safeParse(text);
  if (!parsed.success) throw new ConfigError(`bad environment variable ${name}=${text}: a port from 1 to 65535`);
  return parsed.data;
}

/**
 * The address the metrics exporters bind (an executor's, the worker's SDK exporter): METRICS_HOST, else loopback.
 * In a container it is 0.0.0.0, so Prometheus in another container can scrape them (temporal-docker/).
 */
export function metricsHostFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.METRICS_HOST || '127.0.0.1';
}

/**
 * Serves a prom-client registry at GET /metrics for a process that has no HTTP server of its own (an executor,
 * the stack). Resolves once listening; `close` stops it.
 */
export async function serveMetrics(
  registry: Registry,
  port: number,
  host = '127.0.0.1',
): Promise<{ close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`metrics port ${host}:${port} is already in use`) : err),
    );
    server.listen(port, host, () => resolve());
  });
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
