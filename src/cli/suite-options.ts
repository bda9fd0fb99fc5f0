import { FLOW_NAMES, FLOWS, isFlowName, type FlowName } from '../flows/catalog';
import { parseChaos, type ChaosPlan } from './chaos-options';
import { UsageError } from './errors';
import { parseStartOptions, type StartOptions } from './start-options';
import { parseThreshold, type Threshold } from '../result/thresholds';

/** What `start-workflow all` runs: one stress run per flow, in catalog order, judged by one set of thresholds. */
export interface SuiteOptions {
  runs: StartOptions[];
  thresholds: Threshold[];
  json?: string;
  chaos?: ChaosPlan;
  /** Prometheus in the stack the suite brings up when none runs. */
  monitoring?: boolean;
}

/** The suite's verdict when the user names no threshold. */
export const DEFAULT_SUITE_THRESHOLDS = ['success_rate>=90'];

/**
 * `--count 20` sets every flow's count, `--count meta-api=100` one flow's (repeatable; the per-flow value
 * wins). Returns the value for each flow that got one.
 */
function perFlowValues(flag: string, values: string[], flows: FlowName[]): Map<FlowName, string> {
  const out = new Map<FlowName, string>();
  let all: string | undefined;
  const named = new Map<FlowName, string>();
  for (const value of values) {
    const m = /^([a-z-]+)=(.*)$/.exec(value);
    if (!m) {
      all = value;
      continue;
    }
    if (!isFlowName(m[1])) {
      throw new UsageError(`--${flag} ${value}: unknown flow '${m[1]}'; valid flows are ${FLOW_NAMES.join(', ')}`);
    }
    if (!flows.includes(m[1])) throw new UsageError(`--${flag} ${value}: ${m[1]} is not among --flows`);
    named.set(m[1], m[2]);
  }
  for (const flow of flows) {
    const v = named.get(flow) ?? all;
    if (v !== undefined) out.set(flow, v);
  }
  return out;
}

function selectedFlows(list: string | undefined): FlowName[] {
  if (!list) return [...FLOW_NAMES];
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !isFlowName(n));
  if (unknown.length || !names.length) {
    throw new UsageError(
      `--flows ${list}: unknown flow '${unknown[0] ?? ''}'; valid flows are ${FLOW_NAMES.join(', ')}`,
    );
  }
  // Catalog order, each once.
  return FLOW_NAMES.filter((f) => names.includes(f));
}

/** `start-workflow all`'s flags as commander gives them. */
export interface RawSuite {
  count?: string[];
  concurrency?: string[];
  rate?: string[];
  duration?: string[];
  stages?: string[];
  maxInFlight?: string[];
  findBreakpoint?: boolean;
  startRate?: string;
  stepFactor?: string;
  hold?: string;
  maxSteps?: string;
  flows?: string;
  timeScale?: string;
  seed?: string;
  faults?: string;
  json?: string;
  threshold?: string[];
  chaos?: string;
  localActivities?: boolean;
  monitoring?: boolean;
}

/** The suite's thresholds (the default when none is given); a step must be one some flow of the suite has. */
function suiteThresholds(given: string[] | undefined, flows: FlowName[]): Threshold[] {
  const texts = given?.length ? given : DEFAULT_SUITE_THRESHOLDS;
  return texts.map((t) => {
    let threshold: Threshold;
    try {
      threshold = parseThreshold(t);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const step = threshold.metric.includes('.') ? threshold.metric.split('.')[0] : undefined;
    if (step && !flows.some((f) => (FLOWS[f].steps as readonly string[]).includes(step))) {
      throw new UsageError(`bad threshold '${t}': no flow of the suite has a step '${step}'`);
    }
    return threshold;
  });
}

/** Validates `start-workflow all`'s input; every problem is a UsageError naming it. */
export function parseSuiteOptions(raw: RawSuite): SuiteOptions {
  const flows = selectedFlows(raw.flows);
  if (raw.findBreakpoint) throw new UsageError('--find-breakpoint searches one flow: name it instead of the suite');
  const perFlow = (flag: string, values: string[] | undefined) => perFlowValues(flag, values ?? [], flows);
  const counts = perFlow('count', raw.count);
  const concurrencies = perFlow('concurrency', raw.concurrency);
  const rates = perFlow('rate', raw.rate);
  const durations = perFlow('duration', raw.duration);
  const stages = perFlow('stages', raw.stages);
  const caps = perFlow('max-in-flight', raw.maxInFlight);
  const runs = flows.map((flow) =>
    parseStartOptions(flow, {
      count: counts.get(flow),
      concurrency: concurrencies.get(flow),
      rate: rates.get(flow),
      duration: durations.get(flow),
      stages: stages.get(flow),
      maxInFlight: caps.get(flow),
      startRate: raw.startRate,
      stepFactor: raw.stepFactor,
      hold: raw.hold,
      maxSteps: raw.maxSteps,
      timeScale: raw.timeScale,
      seed: raw.seed,
      faults: raw.faults,
      json: raw.json,
      threshold: [],
      localActivities: raw.localActivities,
    }),
  );
  const thresholds = suiteThresholds(raw.threshold, flows);
  const chaos = raw.chaos === undefined ? undefined : parseChaos(raw.chaos);
  return { runs, thresholds, json: runs[0].json, chaos, ...(raw.monitoring ? { monitoring: true } : {}) };
}
