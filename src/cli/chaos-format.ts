import type { ChaosFault, ChaosSection } from '../result/schema';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** One network fault: when, between whom, until when, and when the stack served across it again. */
function faultLine(f: ChaosFault): string {
  const until = f.end_offset_seconds === null ? 'still in force' : `to +${f.end_offset_seconds.toFixed(1)} s`;
  const healed =
    f.healed_after_ms === null || f.healed_after_ms === undefined
      ? 'not healed'
      : `healed ${seconds(f.healed_after_ms)} after`;
  return `  +${f.offset_seconds.toFixed(1).padStart(6)} s  ${f.kind.padEnd(9)} ${`${f.a} <-> ${f.b}`.padEnd(36)} ${until}, ${healed}${f.detail ? ` (${f.detail})` : ''}`;
}

/** The kills (and network faults) of a run as a person reads them: one headline, then one line per kill or fault. */
export function formatChaos(c: ChaosSection): string {
  const back = c.kills.map((k) => k.healthy_after_ms).filter((ms): ms is number => ms !== null);
  const sorted = [...back].sort((a, b) => a - b);
  const missing = c.kills.length - back.length;
  const faults = c.faults ?? [];
  const head =
    `chaos: ${c.spec} (seed ${c.seed}): ${c.kills.length} kill${c.kills.length === 1 ? '' : 's'}` +
    (c.kills.length
      ? missing
        ? `, ${missing} not serving again when the run ended`
        : `, all serving again (median ${seconds(sorted[Math.floor((sorted.length - 1) / 2)])}, max ${seconds(sorted.at(-1)!)})`
      : '') +
    (faults.length ? `; ${faults.length} network fault${faults.length === 1 ? '' : 's'}` : '');
  const lines = c.kills.map(
    (k) =>
      `  +${k.offset_seconds.toFixed(1).padStart(6)} s  ${k.signal}  ${k.target.padEnd(15)} pid ${String(k.pid).padEnd(7)} ` +
      (k.healthy_after_ms === null ? 'not back' : `back in ${seconds(k.healthy_after_ms)}`),
  );
  return [head, ...lines, ...faults.map(faultLine)].join('\n');
}
