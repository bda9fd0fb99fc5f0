/** gRPC status codes this project tells apart (the numbers are gRPC's own). */
export const GRPC = {
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  UNIMPLEMENTED: 12,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/**
 * An expected condition of the Temporal the user named (not answering, no such namespace, credentials refused,
 * search attributes this caller may not register): the CLI and the worker print the message alone and exit 1.
 */
export class TemporalSetupError extends Error {
  override name = 'TemporalSetupError';
}

/** The gRPC status code of an error from either connection (grpc-js or the worker's native one), or its cause. */
export function grpcCode(err: unknown): number | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (typeof e.code === 'number') return e.code;
  }
  return undefined;
}

/** The server's own words: grpc-js puts them in `details`, the native connection in `message`. */
export function grpcDetail(err: unknown): string {
  let e = err as { code?: unknown; details?: unknown; message?: unknown; cause?: unknown } | undefined;
  while (e && typeof e.code !== 'number' && e.cause) e = e.cause as typeof e;
  const text = typeof e?.details === 'string' && e.details ? e.details : String(e?.message ?? err);
  return text.replace(/^\d+ [A-Z_]+: /, '').split('\n')[0];
}

/** What a failed connect means for the user, or undefined when it is not one of the expected conditions. */
export function connectFailure(err: unknown, address: string, tls: boolean): TemporalSetupError | undefined {
  const code = grpcCode(err);
  const message = (err as Error)?.message ?? '';
  if (code === GRPC.UNAUTHENTICATED || code === GRPC.PERMISSION_DENIED) {
    return new TemporalSetupError(
      `Temporal at ${address} refused this client's credentials (TEMPORAL_API_KEY, TEMPORAL_TLS_*): ${grpcDetail(err)}`,
    );
  }
  const unreachable =
    code === GRPC.UNAVAILABLE ||
    code === GRPC.DEADLINE_EXCEEDED ||
    /Failed to connect before the deadline|tonic::transport|ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(message);
  if (!unreachable) return undefined;
  // The worker's native connection tells a plain-text server answering a TLS client apart; grpc-js does not.
  if (tls && /InvalidContentType|wrong version number/i.test(message)) {
    return new TemporalSetupError(
      `the server at ${address} does not speak TLS: unset TEMPORAL_TLS / TEMPORAL_API_KEY, or check the address`,
    );
  }
  const hint = tls ? ' (is the address right, and does it expect TLS?)' : '';
  return new TemporalSetupError(`no Temporal server answers at ${address}${tls ? ' over TLS' : ''}${hint}`);
}
