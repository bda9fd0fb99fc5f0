import type { z } from 'zod';

/** A request the service refuses: becomes a 4xx naming the bad field. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

/** Parses a request part with a zod schema; a failure names the first bad field. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, part = 'body'): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.length ? issue.path.join('.') : part;
  throw new HttpError(400, 'bad_request', `${part}: ${field}: ${issue.message}`, field);
}

export function notFound(what: string): HttpError {
  return new HttpError(404, 'not_found', `${what} not found`);
}
