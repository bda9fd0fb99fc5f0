import { z } from 'zod';
import { CHAOS_SIGNALS as SIGNALS, CHAOS_TARGETS, type ChaosPlan } from '../stack/chaos';
import { UsageError } from './errors';

export type { ChaosPlan };

const durationMs = z
  .string()
  .regex(/^\d+(\.\d+)?(ms|s|m)$/, 'every= takes a duration such as 500ms, 20s or 2m')
  .transform((t) => {
    const [, n, unit] = /^([\d.]+)(ms|s|m)$/.exec(t)!;
    return Number(n) * { ms: 1, s: 1000, m: 60_000 }[unit as 'ms' | 's' | 'm'];
  })
  .refine((ms) => ms >= 1000 && ms <= 3_600_000, 'every= must be between 1s and 60m');

/**
 * `--chaos 'kill=ml-service,video-agent every=20s'` or `--chaos 'random every=15s'` (and optionally
 * `signal=SIGTERM`; SIGKILL by default). Every problem is a UsageError naming it and what is valid.
 */
export function parseChaos(text: string): ChaosPlan {
  const bad = (why: string) => new UsageError(`bad --chaos '${text}': ${why}`);
  let targets: ChaosPlan['targets'] | undefined;
  let everyMs: number | undefined;
  let signal: ChaosPlan['signal'] = 'SIGKILL';
  for (const token of text.trim().split(/\s+/).filter(Boolean)) {
    const [key, value] = token.includes('=')
      ? [token.slice(0, token.indexOf('=')), token.slice(token.indexOf('=') + 1)]
      : [token, ''];
    if (key === 'random' && !value) {
      if (targets) throw bad('give either random or kill=, once');
      targets = 'random';
    } else if (key === 'kill') {
      if (targets) throw bad('give either random or kill=, once');
      const names = value.split(',').filter(Boolean);
      const unknown = names.find((n) => !CHAOS_TARGETS.includes(n));
      if (!names.length || unknown !== undefined) {
        throw bad(`unknown target '${unknown ?? ''}'; valid targets are ${CHAOS_TARGETS.join(', ')}`);
      }
      targets = names;
    } else if (key === 'every') {
      const parsed = durationMs.safeParse(value);
      if (!parsed.success) throw bad(parsed.error.issues[0].message);
      everyMs = parsed.data;
    } else if (key === 'signal') {
      const s = value.toUpperCase().replace(/^(SIG)?/, 'SIG');
      if (!(SIGNALS as readonly string[]).includes(s)) throw bad(`signal= must be one of ${SIGNALS.join(', ')}`);
      signal = s as ChaosPlan['signal'];
    } else {
      throw bad(`unknown part '${token}'; write 'kill=NAME[,NAME…] every=20s' or 'random every=15s' [signal=SIGTERM]`);
    }
  }
  if (!targets) throw bad("say whom to kill: 'kill=NAME[,NAME…]' or 'random'");
  if (everyMs === undefined) throw bad("say how often: 'every=20s'");
  return { text: text.trim(), targets, everyMs, signal };
}
