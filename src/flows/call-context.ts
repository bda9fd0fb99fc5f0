import type { CallContext } from './types';

/** A context for one of several calls inside a step: its own idempotency key under the step's. */
export function subContext(ctx: CallContext, part: string): CallContext {
  return { ...ctx, key: `${ctx.key}:${part}` };
}
