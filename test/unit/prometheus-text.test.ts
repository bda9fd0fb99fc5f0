import client from 'prom-client';
import { parsePrometheusText, sumSamples } from '../../src/stats/prometheus-text';

// The input is what prom-client (the services' metrics library) really serves.
async function exposition(): Promise<string> {
  const registry = new client.Registry();
  const faults = new client.Counter({
    name: 'faults_injected_total',
    help: 'h',
    labelNames: ['kind'],
    registers: [registry],
  });
  faults.inc({ kind: 'error' }, 3);
  faults.inc({ kind: 'timeout' });
  const durations = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'h',
    labelNames: ['route', 'method'],
    buckets: [0.01, 0.1],
    registers: [registry],
  });
  durations.observe({ route: '/videos', method: 'POST' }, 0.005);
  durations.observe({ route: '/videos', method: 'POST' }, 0.05);
  durations.observe({ route: '/videos/:id/scenes', method: 'POST' }, 0.2);
  const odd = new client.Gauge({ name: 'odd_label', help: 'h', labelNames: ['text'], registers: [registry] });
  odd.set({ text: 'a "quoted" \\ back,slash}' }, 7);
  registry.setDefaultLabels({ service: 'drive-intel' });
  return registry.metrics();
}

test('counters, labelled histograms and escaped labels come out as samples', async () => {
  const samples = parsePrometheusText(await exposition());
  expect(sumSamples(samples, 'faults_injected_total', { kind: 'error' })).toBe(3);
  expect(sumSamples(samples, 'faults_injected_total')).toBe(4);
  expect(sumSamples(samples, 'faults_injected_total', { kind: 'error', service: 'drive-intel' })).toBe(3);
  expect(sumSamples(samples, 'faults_injected_total', { service: 'ml-service' })).toBe(0);
  // Every series of the histogram: its sum, count and cumulative buckets.
  expect(sumSamples(samples, 'http_request_duration_seconds_count', { route: '/videos' })).toBe(2);
  expect(sumSamples(samples, 'http_request_duration_seconds_sum', { route: '/videos' })).toBeCloseTo(0.055, 9);
  expect(sumSamples(samples, 'http_request_duration_seconds_count', { route: '/videos/:id/scenes' })).toBe(1);
  expect(sumSamples(samples, 'http_request_duration_seconds_bucket', { route: '/videos', le: '0.01' })).toBe(1);
  expect(sumSamples(samples, 'http_request_duration_seconds_bucket', { route: '/videos', le: '+Inf' })).toBe(2);
  expect(samples.find((s) => s.name === 'odd_label')?.labels.text).toBe('a "quoted" \\ back,slash}');
});

test('comments, blank lines, timestamps, exemplars and infinities are handled; a line that is no sample is skipped', () => {
  const text = [
    '# HELP x h',
    '# TYPE x counter',
    '',
    'x{a="1"} 2 1700000000000',
    'not a sample line here',
    'y 1.5e3',
    'h_bucket{le="+Inf",path="/a}b"} 4 # {trace_id="abc"} 0.5',
    'g -Inf',
    'z{a="1"',
  ].join('\n');
  expect(parsePrometheusText(text)).toEqual([
    { name: 'x', labels: { a: '1' }, value: 2 },
    { name: 'y', labels: {}, value: 1500 },
    { name: 'h_bucket', labels: { le: '+Inf', path: '/a}b' }, value: 4 },
    { name: 'g', labels: {}, value: -Infinity },
  ]);
  expect(parsePrometheusText('big +Inf\nnan NaN')[0].value).toBe(Infinity);
  expect(parsePrometheusText('nan NaN')[0].value).toBeNaN();
});
