import type { TimeMark } from './html-marks';

/** A point of a chart on a linear axis. */
export interface XY {
  x: number;
  y: number;
}

/** One dataset as Chart.js takes it. */
export interface Dataset {
  label: string;
  data: number[] | XY[];
  stack?: string;
  backgroundColor?: string | string[];
  borderColor?: string | string[];
  borderDash?: number[];
  borderWidth?: number;
  pointRadius?: number;
  /** Chart.js draws higher orders first, under the lower ones. */
  order?: number;
}

/** A chart as Chart.js takes it, plain JSON (no callbacks), so it can be embedded in the page as data. */
export interface ChartSpec {
  id: string;
  title: string;
  /** Where the page shows it: over time, the breakpoint search, or by step. */
  group: 'time' | 'search' | 'steps';
  /** Events drawn over a time chart (see html-marks.ts). */
  marks?: TimeMark[];
  config: { type: 'bar' | 'line'; data: { labels?: (string | number)[]; datasets: Dataset[] }; options: object };
}

export const COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1'];
export const color = (i: number) => COLORS[i % COLORS.length];
