import { Agent, request } from 'undici';
import type { ServiceFaults } from '../../contracts/fault-profile';
import { metaBackoffMs } from '../../contracts/meta-usage';
import { encodeFaults, SIM_HEADERS } from '../../contracts/sim-headers';
import { appliedWriteSchema, THROTTLING_CODES, type AppliedWrite } from '../../contracts/meta-publisher';

/** What one call to Meta came to. Only `unanswered` leaves open whether Meta applied the write. */
export type MetaAnswer =
  | { kind: 'applied'; body: Record<string, unknown> }
  | { kind: 'throttled'; advisedMs: number | undefined; error: string }
  | { kind: 'refused'; error: string }
  | { kind: 'unanswered'; error: string };

export interface MetaCallOptions {
  url: string;
  agent: Agent;
  key: string;
  timeScale: number;
  faults: ServiceFaults | null;
}

const headers = (o: MetaCallOptions) => ({
  'content-type': 'application/json',
  [SIM_HEADERS.idempotencyKey]: o.key,
  [SIM_HEADERS.timeScale]: String(o.timeScale),
  ...(o.faults ? { [SIM_HEADERS.faults]: encodeFaults(o.faults) } : {}),
});

async function send(o: MetaCallOptions, method: 'GET' | 'POST', path: string, body?: unknown) {
  try {
    const res = await request(`${o.url}${path}`, {
      method,
      dispatcher: o.agent,
      headers: headers(o),
      body: body === undefined ? undefined : JSON.stringify(body),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  } catch (err) {
    return { status: 0, headers: {}, text: (err as Error).message };
  }
}

/**
 * Sorts Meta's answer: a 4xx is a definite refusal (its limits are throttling), a 5xx or no answer is unknown.
 * A throttled answer's advice is in platform ms.
 */
export function classifyAnswer(
  status: number,
  headers: Record<string, unknown>,
  text: string,
  timeScale = 1,
): MetaAnswer {
  const error = `Meta answered ${status}: ${text.slice(0, 300)}`;
  if (status === 200) {
    try {
      return { kind: 'applied', body: JSON.parse(text) as Record<string, unknown> };
    } catch {
      return { kind: 'unanswered', error: `Meta answered 200 with a body that is not JSON: ${text.slice(0, 100)}` };
    }
  }
  if (status === 429) {
    // Retry-After is in real seconds.
    const seconds = Number(headers['retry-after']);
    const advisedMs = Number.isFinite(seconds) && seconds > 0 ? (seconds * 1000) / timeScale : undefined;
    return { kind: 'throttled', advisedMs, error };
  }
  if (status >= 400 && status < 500) {
    let code: number | undefined;
    try {
      code = (JSON.parse(text) as { error?: { code?: number } }).error?.code;
    } catch {
      // not Meta's error shape: a refusal all the same
    }
    if (code !== undefined && THROTTLING_CODES.has(code))
      return { kind: 'throttled', advisedMs: metaBackoffMs(headers as never), error };
    return { kind: 'refused', error };
  }
  return { kind: 'unanswered', error };
}

/** One write to the simulated Meta API, idempotent by the options' key. */
export async function writeMeta(o: MetaCallOptions, path: string, body: unknown): Promise<MetaAnswer> {
  const res = await send(o, 'POST', path, body);
  return classifyAnswer(res.status, res.headers, res.text, o.timeScale);
}

/** Meta's record of the write under the key: found, known absent, or unknown (the lookup went unanswered). */
export type WriteLookup =
  { kind: 'found'; write: AppliedWrite } | { kind: 'absent' } | { kind: 'unknown'; error: string };

/** Asks Meta whether it applied the write under the options' key; tries a few times before saying it cannot tell. */
export async function lookupWrite(o: MetaCallOptions, tries = 3): Promise<WriteLookup> {
  let error = '';
  for (let i = 0; i < tries; i++) {
    const res = await send(o, 'GET', `/sim/meta/writes/${encodeURIComponent(o.key)}`);
    if (res.status === 404) return { kind: 'absent' };
    if (res.status === 200) {
      const parsed = appliedWriteSchema.safeParse(parseJson(res.text));
      if (parsed.success) return { kind: 'found', write: parsed.data };
    }
    error = `Meta's record of ${o.key} unavailable: ${res.status} ${res.text.slice(0, 200)}`;
  }
  return { kind: 'unknown', error };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
