import { defineUpdate, setHandler } from '@temporalio/workflow';
import { planDurationMs, plannedStarts } from '../../load/arrivals';
import type { ControlChange, StandardResult } from '../../result/schema';
import type { RunContext } from './context';
import type { ControlState, Schedule, StressRunCarry } from './input';

/** What `set` changes: an open model's rate, a closed model's concurrency, an open model's or a search's cap. */
export interface SetRequest {
  rate?: number;
  concurrency?: number;
  max_in_flight?: number;
}

/** Stops starting new flows; the flows in flight go on. */
export const pauseUpdate = defineUpdate<ControlChange>('pause');
/** Starts flows again: an open schedule goes on where it stood when paused. */
export const resumeUpdate = defineUpdate<ControlChange>('resume');
/** Ends the offered load: the flows in flight finish, and the result is completed with what was started. */
export const stopUpdate = defineUpdate<ControlChange>('stop');
/** Changes the load from now on. */
export const setUpdate = defineUpdate<ControlChange, [SetRequest]>('set');

/** The same bounds the command line puts on --rate and --max-in-flight. */
export const CONTROL_LIMITS = { rate: 10_000, inFlight: 100_000 } as const;

type Setting = keyof SetRequest;
type Model = RunContext['driver']['model'];

const MODEL_NAMES: Record<Model, string> = {
  closed: 'a closed model',
  open: 'an open model',
  breakpoint: 'a breakpoint search',
};

/** Which models take each setting, and what to say to a run of another model. */
const SETTINGS: Record<Setting, { models: Model[]; otherwise: string }> = {
  rate: { models: ['open'], otherwise: 'rate paces an open model only (a closed run: set concurrency)' },
  concurrency: { models: ['closed'], otherwise: 'concurrency is a closed model’s: set max_in_flight' },
  max_in_flight: { models: ['open', 'breakpoint'], otherwise: 'max_in_flight is an open model’s: set concurrency' },
};

/** The controls carried from the run before continue-as-new, or none yet. */
export function controlsOf(carried: StressRunCarry | undefined): ControlState {
  const c = carried?.controls;
  return c ? { ...c, offered: undefined } : { paused: false, pausedMs: 0, stopped: false, changes: [] };
}

/** The schedule offered now: the one a control re-based, else the driver's own (none in a closed model). */
export function currentSchedule(run: RunContext): Schedule | undefined {
  return run.controls.schedule ?? run.driver.schedule?.(run);
}

/** The result with the changes accepted so far (none: as it was). */
export function withControls(result: StandardResult, run: RunContext): StandardResult {
  return run.controls.changes.length ? { ...result, controls: [...run.controls.changes] } : result;
}

/** Appends an accepted change, stamped by the workflow clock. */
function record(run: RunContext, action: ControlChange['action'], values: SetRequest = {}): ControlChange {
  const now = Date.now();
  const offset = Math.round((now - run.startedAt) / 10) / 100;
  const change: ControlChange = { at: new Date(now).toISOString(), offset_seconds: offset, action, ...values };
  run.controls.changes.push(change);
  return change;
}

/** Refuses any control once the run no longer offers load. */
function offering(run: RunContext): void {
  if (run.end.status !== 'running') throw new Error('the run has ended');
  if (run.controls.stopped) throw new Error('the run was stopped already: it ends once its flows in flight do');
  if (run.controls.offered) throw new Error('the run has offered all its load: it ends once its flows in flight do');
}

/** Where the schedule stands at `at`: the time it has left, or for a plan of `count` starts, the starts left. */
function left(run: RunContext, s: Schedule, at: number): { ms: number; count?: number } {
  const ms = planDurationMs(s.plan) - Math.max(0, at - s.origin);
  if (s.plan.count === undefined) return { ms };
  return { ms, count: s.plan.count - (run.totals.load.issued - s.base) };
}

/** The schedule from the control's time on: `rate` held to where the current one ends, or for its starts left. */
function rated(run: RunContext, rate: number): Schedule {
  const s = currentSchedule(run)!;
  const at = run.controls.paused ? run.controls.pausedAt! : Date.now();
  const rest = left(run, s, at);
  const ms = rest.count === undefined ? rest.ms : (rest.count / rate) * 1000;
  const count = rest.count === undefined ? {} : { count: rest.count };
  const plan = { start_rate: rate, stages: [{ duration_ms: ms, target_rate: rate }], ...count };
  return { plan, origin: at, base: run.totals.load.issued };
}

/** Checks one setting's value and that the run's model takes it. */
function checkSetting(run: RunContext, key: Setting, value: unknown): void {
  const max = key === 'rate' ? CONTROL_LIMITS.rate : CONTROL_LIMITS.inFlight;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new Error(`${key} must be a number above 0 and at most ${max}, not ${String(value)}`);
  }
  if (key !== 'rate' && !Number.isInteger(value)) throw new Error(`${key} must be a whole number, not ${value}`);
  if (!SETTINGS[key].models.includes(run.driver.model)) {
    throw new Error(`this run is ${MODEL_NAMES[run.driver.model]}: ${SETTINGS[key].otherwise}`);
  }
}

/** The update validator of `set`: a plain object of known settings, each valid for this run. */
function checkSet(run: RunContext, request: unknown): void {
  offering(run);
  if (typeof request !== 'object' || request === null || Array.isArray(request)) {
    throw new Error('set takes an object: { rate?, concurrency?, max_in_flight? }');
  }
  const entries = Object.entries(request).filter(([, v]) => v !== undefined);
  const unknown = entries.find(([k]) => !(k in SETTINGS));
  if (unknown) throw new Error(`unknown setting '${unknown[0]}': set takes rate, concurrency or max_in_flight`);
  if (!entries.length) throw new Error('set needs rate, concurrency or max_in_flight');
  for (const [k, v] of entries) checkSetting(run, k as Setting, v);
  if ((request as SetRequest).rate !== undefined) {
    const s = currentSchedule(run)!;
    const rest = left(run, s, run.controls.paused ? run.controls.pausedAt! : Date.now());
    if ((rest.count ?? rest.ms) <= 0 || run.totals.load.issued - s.base >= plannedStarts(s.plan)) {
      throw new Error('the schedule has no starts left to offer');
    }
  }
}

/** Applies an accepted `set`: the in-flight limit at once, a rate by re-basing the schedule from now. */
function applySet(run: RunContext, request: SetRequest): ControlChange {
  const cap = request.concurrency ?? request.max_in_flight;
  if (cap !== undefined) {
    run.limits.maxInFlight = cap;
    run.controls.maxInFlight = cap;
  }
  if (request.rate !== undefined) run.controls.schedule = rated(run, request.rate);
  const values = Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)) as SetRequest;
  return record(run, 'set', values);
}

/** Resumes: the paused time is added to the pause total, and the schedule moves on by it. */
function resume(run: RunContext): ControlChange {
  const { controls } = run;
  const pausedFor = Date.now() - controls.pausedAt!;
  controls.pausedMs += pausedFor;
  const s = currentSchedule(run);
  if (s) controls.schedule = { ...s, origin: s.origin + pausedFor };
  controls.paused = false;
  controls.pausedAt = undefined;
  return record(run, 'resume');
}

/** Stops: no more starts; an ongoing pause ends here (it counts as paused time). */
function stop(run: RunContext): ControlChange {
  const { controls } = run;
  if (controls.paused) controls.pausedMs += Date.now() - controls.pausedAt!;
  controls.paused = false;
  controls.pausedAt = undefined;
  controls.stopped = true;
  run.totals.load.offerEnd = Date.now();
  return record(run, 'stop');
}

/** The stress-run parent's four updates, each refused by its validator unless it applies to the run as it is. */
export function installControls(run: RunContext): void {
  const { controls } = run;
  setHandler(
    pauseUpdate,
    () => {
      controls.paused = true;
      controls.pausedAt = Date.now();
      return record(run, 'pause');
    },
    {
      validator: () => {
        offering(run);
        if (controls.paused) throw new Error('the run is paused already');
      },
    },
  );
  setHandler(resumeUpdate, () => resume(run), {
    validator: () => {
      offering(run);
      if (!controls.paused) throw new Error('the run is not paused');
    },
  });
  setHandler(stopUpdate, () => stop(run), { validator: () => offering(run) });
  setHandler(setUpdate, (request) => applySet(run, request), { validator: (request) => checkSet(run, request) });
}
