import type { FastifyInstance } from 'fastify';
import client from 'prom-client';
import { CAPACITY_ROUTE, capacityBodySchema } from '../../contracts/capacity';
import type { CapacityGate } from './capacity';
import { HttpError, parseOr400 } from './validation';

/** The gate's state in /metrics, and an admin endpoint that reads or sets the process's capacity. */
export function registerCapacity(app: FastifyInstance, gate: CapacityGate, registry: client.Registry): void {
  new client.Gauge({
    name: 'capacity_in_work',
    help: 'Requests being worked on',
    registers: [registry],
    collect() {
      this.set(gate.stats().in_work);
    },
  });
  new client.Gauge({
    name: 'capacity_waiting',
    help: 'Requests waiting for a place in work',
    registers: [registry],
    collect() {
      this.set(gate.stats().waiting);
    },
  });
  new client.Counter({
    name: 'capacity_refused_total',
    help: 'Requests refused because work and queue were full',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(gate.stats().refused);
    },
  });

  app.get(CAPACITY_ROUTE, async () => ({ capacity: gate.capacity, ...gate.stats() }));
  app.put(CAPACITY_ROUTE, async (request) => {
    const { capacity } = parseOr400(capacityBodySchema, jsonBody(request.body));
    gate.configure(capacity);
    return { capacity: gate.capacity, ...gate.stats() };
  });
}

/** The body as JSON: a service that keeps bodies raw (the Gateway forwards them) hands over bytes. */
function jsonBody(body: unknown): unknown {
  if (!Buffer.isBuffer(body) && typeof body !== 'string') return body;
  try {
    return JSON.parse(body.toString());
  } catch {
    throw new HttpError(400, 'bad_request', 'body: not JSON', 'body');
  }
}
