/**
 * Reads Prometheus' text exposition format (what every `/metrics` here serves) into samples, and sums them. The
 * benchmark and the tests read services' counters and histograms with it. The one npm parser looked at
 * (parse-prometheus-text-format 1.1.1) drops the sum, the count and all but the first series of a labelled
 * histogram, which is what the benchmark needs.
 */

export interface Sample {
  /** The sample's own name: `http_request_duration_seconds_sum`, not the family's. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/y;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const unescape = (v: string) => v.replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));

/** A sample's value: a number, or one of the format's words for infinity and not-a-number; undefined if neither. */
function value(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (NUMBER.test(text)) return Number(text);
  if (/^\+?Inf$/.test(text)) return Infinity;
  if (text === '-Inf') return -Infinity;
  return text === 'NaN' ? NaN : undefined;
}

/** One line: name, labels (values may hold any character, escaped), value, then an optional timestamp and exemplar. */
function sampleOf(line: string): Sample | undefined {
  const name = NAME.exec(line)?.[0];
  if (!name) return undefined;
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at += 1;
    for (;;) {
      LABEL.lastIndex = at;
      const l = LABEL.exec(line);
      if (!l) break;
      labels[l[1]] = unescape(l[2]);
      at = LABEL.lastIndex;
    }
    if (line[at] !== '}') return undefined;
    at += 1;
  }
  const [raw, ...rest] = line.slice(at).trim().split(/\s+/);
  const v = value(raw);
  // After the value: nothing, a timestamp, or an exemplar (`# {trace_id="…"} 1`), with or without a timestamp first.
  const tail = rest[0] !== undefined && NUMBER.test(rest[0]) ? rest.slice(1) : rest;
  if (v === undefined || (tail.length > 0 && tail[0] !== '#')) return undefined;
  return { name, labels, value: v };
}

/** Every sample in the text; comments, blank lines and lines that are not samples are skipped. */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const sample = sampleOf(line);
    if (sample) samples.push(sample);
  }
  return samples;
}

/** The sum of the samples of one name whose labels include all of `match`. */
export function sumSamples(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}
