import type { StandardResult } from '../result/schema';
import { esc } from './html-util';

/** An event on the time axis: a line at `from`, or a band from `from` to `to` (a fault in force). */
export interface TimeMark {
  /** Short tag drawn on the charts (K1, F1, C1); the events table spells it out. */
  tag: string;
  kind: 'kill' | 'fault' | 'control';
  from: number;
  to?: number;
  what: string;
  color: string;
}

const MARK_COLORS = { kill: '#b42318', fault: '#c26d00', control: '#3a5bd9' } as const;

function controlText(c: NonNullable<StandardResult['controls']>[number]): string {
  if (c.action !== 'set') return c.action;
  const values = (['rate', 'concurrency', 'max_in_flight'] as const)
    .filter((k) => c[k] !== undefined)
    .map((k) => `${k.replace(/_/g, '-')} ${c[k]}`);
  return `set ${values.join(', ')}`;
}

/** The run's chaos kills, network faults and live-control changes, in the order of their time. */
export function timeMarks(r: StandardResult, runEnd: number): TimeMark[] {
  const kills = (r.chaos?.kills ?? []).map((k) => ({
    tag: `K${k.id}`,
    kind: 'kill' as const,
    from: k.offset_seconds,
    what: `killed ${k.target} (${k.signal})${k.healthy_after_ms === null ? ', not back' : `, serving again after ${k.healthy_after_ms} ms`}`,
    color: MARK_COLORS.kill,
  }));
  const faults = (r.chaos?.faults ?? []).map((f) => ({
    tag: `F${f.id}`,
    kind: 'fault' as const,
    from: f.offset_seconds,
    to: f.end_offset_seconds ?? Math.max(runEnd, f.offset_seconds),
    what: `${f.kind} ${f.a} ↔ ${f.b}${f.detail ? ` (${f.detail})` : ''}${f.end_offset_seconds === null ? ', still in force' : ''}`,
    color: MARK_COLORS.fault,
  }));
  const controls = (r.controls ?? []).map((c, i) => ({
    tag: `C${i + 1}`,
    kind: 'control' as const,
    from: c.offset_seconds,
    what: controlText(c),
    color: MARK_COLORS.control,
  }));
  return [...kills, ...faults, ...controls].sort((a, b) => a.from - b.from);
}

/** The marks spelled out under the time charts: tag, time, what happened. */
export function marksTable(marks: TimeMark[]): string {
  if (!marks.length) return '';
  const rows = marks
    .map((m) => {
      const time = m.to === undefined ? `${m.from.toFixed(1)} s` : `${m.from.toFixed(1)}–${m.to.toFixed(1)} s`;
      return `<tr><td><span class="tag" style="border-color:${m.color};color:${m.color}">${esc(m.tag)}</span></td><td>${esc(m.kind)}</td><td class="num">${esc(time)}</td><td>${esc(m.what)}</td></tr>`;
    })
    .join('');
  return `<table class="marks"><thead><tr><th>mark</th><th>event</th><th>time</th><th>what</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/**
 * A Chart.js plugin, as page script: draws each chart's marks (from `MARKS`, by canvas id) as dashed lines and
 * shaded bands over its linear time axis. Kept out of the charts' JSON so Chart.js's option resolver leaves it be.
 */
export const MARKS_PLUGIN = `
const MARKS = {};
Chart.register({
  id: 'timeMarks',
  afterDatasetsDraw(chart) {
    const marks = MARKS[chart.canvas.id] || [];
    if (!marks.length) return;
    const x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
    const clamp = (v) => Math.min(area.right, Math.max(area.left, x.getPixelForValue(v)));
    ctx.save();
    ctx.font = '11px system-ui, sans-serif';
    marks.forEach((m, i) => {
      const x0 = clamp(m.from);
      if (m.to !== undefined) {
        ctx.globalAlpha = 0.12;
        ctx.fillStyle = m.color;
        ctx.fillRect(x0, area.top, Math.max(2, clamp(m.to) - x0), area.bottom - area.top);
        ctx.globalAlpha = 1;
      }
      ctx.strokeStyle = m.color;
      ctx.setLineDash([4, 3]);
      ctx.beginPath();
      ctx.moveTo(x0, area.top);
      ctx.lineTo(x0, area.bottom);
      ctx.stroke();
      ctx.fillStyle = m.color;
      ctx.fillText(m.tag, Math.min(x0 + 3, area.right - 20), area.top + 11 + (i % 3) * 12);
    });
    ctx.restore();
  },
});`;
