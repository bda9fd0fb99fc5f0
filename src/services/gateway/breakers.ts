import type { FastifyRequest } from 'fastify';
import client from 'prom-client';
import { breakerScopeSchema, GATEWAY_HEADERS, UPSTREAMS } from '../../contracts/gateway';
import type { ServiceName } from '../catalog';
import { parseOr400 } from '../shared/validation';
import { BREAKER_STATES, CircuitBreaker } from './circuit-breaker';

const FAILURE_THRESHOLD = 5;
const SHARED_OPEN_MS = 5_000;
// A scoped breaker's open period is platform time (a minute), scaled by the caller's time scale.
const SCOPED_OPEN_PLATFORM_MS = 60_000;
const MIN_SCOPED_OPEN_MS = 250;
// Scoped breakers are a test aid: keep only the most recent ones.
const MAX_SCOPED_BREAKERS = 500;

interface Breaker {
  upstream: ServiceName;
  scope: string;
  breaker: CircuitBreaker;
}

/** The Gateway's breakers: one shared per upstream, and one per scope a caller names; their states in metrics. */
export class GatewayBreakers {
  private readonly breakers = new Map<string, Breaker>();
  private readonly transitions: client.Counter;

  constructor(registry: client.Registry) {
    this.transitions = new client.Counter({
      name: 'gateway_circuit_transitions_total',
      help: 'Circuit breaker state changes per upstream',
      labelNames: ['upstream', 'from', 'to'],
      registers: [registry],
    });
    for (const s of UPSTREAMS) this.breakers.set(s, this.make(s, '', SHARED_OPEN_MS));
    const breakers = this.breakers;
    new client.Gauge({
      name: 'gateway_circuit_state',
      help: 'Circuit breaker state per upstream and scope (1 for the current state; scope "" is the shared one)',
      labelNames: ['upstream', 'scope', 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { upstream, scope, breaker } of breakers.values()) {
          for (const state of BREAKER_STATES) this.set({ upstream, scope, state }, breaker.current === state ? 1 : 0);
        }
      },
    });
  }

  /** The upstream's shared breaker. */
  shared(upstream: ServiceName): CircuitBreaker {
    return this.breakers.get(upstream)!.breaker;
  }

  /** The breaker for this request: the shared one, or its own when the caller names a scope. */
  forRequest(request: FastifyRequest, upstream: ServiceName): CircuitBreaker {
    const raw = request.headers[GATEWAY_HEADERS.breakerScope];
    if (raw === undefined) return this.shared(upstream);
    const scope = parseOr400(breakerScopeSchema, raw, GATEWAY_HEADERS.breakerScope);
    const key = `${upstream}\u0000${scope}`;
    let found = this.breakers.get(key);
    if (!found) {
      const openMs = Math.max(MIN_SCOPED_OPEN_MS, SCOPED_OPEN_PLATFORM_MS * request.sim.timeScale);
      found = this.make(upstream, scope, openMs);
      this.breakers.set(key, found);
      this.evictScoped();
    }
    return found.breaker;
  }

  private make(upstream: ServiceName, scope: string, openMs: number): Breaker {
    const breaker = new CircuitBreaker(FAILURE_THRESHOLD, openMs, Date.now, (from, to) =>
      this.transitions.inc({ upstream, from, to }),
    );
    return { upstream, scope, breaker };
  }

  private evictScoped(): void {
    let scoped = this.breakers.size - UPSTREAMS.length;
    for (const [key, b] of this.breakers) {
      if (scoped <= MAX_SCOPED_BREAKERS) return;
      if (b.scope && b.breaker.current === 'closed') {
        this.breakers.delete(key);
        scoped--;
      }
    }
  }
}
