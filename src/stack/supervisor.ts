import { ExponentialBackoff, type IBackoff } from 'cockatiel';
import fs from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { cmdlineOf } from '../proc';
import type { ManagedProcess } from './processes';
import type { ChildStatus } from './stack-file';

/** One child the supervisor keeps running: how to start it (resolving once it serves) and what else it owns. */
export interface ChildSpec {
  name: string;
  /** Spawns the child and resolves once it is ready; `onSpawn` sees the process as soon as it exists. */
  start(onSpawn: (p: ManagedProcess) => void): Promise<ManagedProcess>;
  /** A pid besides the process's own that is the child's real server (the postmaster under its wrapper). */
  innerPid?(): number | undefined;
}

export interface RestartPolicy {
  /** First restart delay; later ones grow with decorrelated jitter up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** Failed starts, or exits of its own soon after a start, in a row before the child is given up on. */
  maxFailures: number;
  /** A child that served this long before it exited starts a fresh series of attempts. */
  stableMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 200,
  maxDelayMs: 10_000,
  maxFailures: 5,
  stableMs: 5_000,
};

export interface SupervisorOptions {
  log: (line: string) => void;
  /** Every supervisor line is also appended here. */
  logFile?: string;
  /** Called whenever a child's status changed (the stack rewrites stack.json). */
  onChange?: () => void;
  /** Sees every process spawned, first starts and restarts (the stack's pid registry). */
  onSpawn?: (p: ManagedProcess) => void;
  policy?: Partial<RestartPolicy>;
}

/** Signals another process sends to end a child; a crash of its own shows as an exit code, SIGSEGV or SIGABRT. */
const OUTSIDE_SIGNALS: readonly string[] = ['SIGKILL', 'SIGTERM', 'SIGINT', 'SIGHUP'];

interface Child {
  spec: ChildSpec;
  status: ChildStatus;
  proc?: ManagedProcess;
  readyAt: number;
  failures: number;
  backoff?: IBackoff<unknown>;
}

/**
 * Restarts every child that exits while the stack is not stopping, with backoff, and gives up on a child
 * that keeps failing. Stopping first closes the door to restarts, then stops children in reverse start order.
 */
export class Supervisor {
  private readonly children: Child[] = [];
  private readonly policy: RestartPolicy;
  private readonly backoff: ExponentialBackoff<unknown>;
  private readonly cancel = new AbortController();
  private stopping = false;
  private innerWatch?: NodeJS.Timeout;

  constructor(private readonly opts: SupervisorOptions) {
    this.policy = { ...DEFAULT_RESTART_POLICY, ...opts.policy };
    this.backoff = new ExponentialBackoff({
      initialDelay: this.policy.initialDelayMs,
      maxDelay: this.policy.maxDelayMs,
    });
  }

  /** Starts a child for the first time; a child that cannot start fails the call (nothing to restart yet). */
  async add(spec: ChildSpec): Promise<void> {
    if (this.children.some((c) => c.spec.name === spec.name)) throw new Error(`child ${spec.name} added twice`);
    const child: Child = { spec, status: { name: spec.name, state: 'starting', restarts: 0 }, readyAt: 0, failures: 0 };
    this.children.push(child);
    const proc = await spec.start((p) => this.spawned(child, p));
    if (this.stopping) return;
    this.ready(child, proc);
  }

  /** The children's current status, in start order. */
  status(): ChildStatus[] {
    return this.children.map((c) => ({ ...c.status }));
  }

  get restarts(): number {
    return this.children.reduce((n, c) => n + c.status.restarts, 0);
  }

  /** Stops every child (reverse start order); nothing is restarted from the moment this is called. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.cancel.abort();
    clearInterval(this.innerWatch);
    for (const child of [...this.children].reverse()) {
      await child.proc?.stop();
      child.status.state = 'stopped';
    }
  }

  private say(line: string): void {
    this.opts.log(line);
    if (this.opts.logFile) fs.appendFileSync(this.opts.logFile, `${new Date().toISOString()} ${line}\n`);
  }

  private spawned(child: Child, p: ManagedProcess): void {
    // A start that was under way when the stack began to stop: its process must not outlive the stack.
    if (this.stopping) void p.stop();
    child.proc = p;
    child.status.pid = p.child.pid;
    child.status.cmdline = p.child.pid ? cmdlineOf(p.child.pid) : undefined;
    child.status.log_file = p.logFile;
    this.opts.onSpawn?.(p);
  }

  private ready(child: Child, proc: ManagedProcess): void {
    child.status.state = 'running';
    child.status.inner_pid = child.spec.innerPid?.();
    child.readyAt = Date.now();
    void proc.exited.then(() => this.exited(child, proc));
    if (child.spec.innerPid) this.watchInnerPids();
    this.opts.onChange?.();
  }

  /** An inner server (the postmaster) that dies under a live wrapper counts as the child's exit. */
  private watchInnerPids(): void {
    if (this.innerWatch) return;
    this.innerWatch = setInterval(() => {
      for (const c of this.children) {
        const inner = c.status.inner_pid;
        if (c.status.state !== 'running' || !inner || c.proc?.child.exitCode !== null) continue;
        try {
          process.kill(inner, 0);
        } catch {
          this.say(`${c.spec.name}: its server (pid ${inner}) is gone; stopping its wrapper to restart both`);
          void c.proc?.stop(2_000);
        }
      }
    }, 500);
    this.innerWatch.unref();
  }

  private exited(child: Child, proc: ManagedProcess): void {
    if (this.stopping || child.proc !== proc) return;
    const { exitCode: code, signalCode: signal } = proc.child;
    child.status.last_exit = { at: new Date().toISOString(), code, signal };
    child.status.state = 'restarting';
    // A child that served and was then ended from outside (chaos, an operator) did not fail: its streak starts over.
    const endedFromOutside = signal !== null && OUTSIDE_SIGNALS.includes(signal);
    if (endedFromOutside || Date.now() - child.readyAt >= this.policy.stableMs) {
      child.failures = 0;
      child.backoff = undefined;
    }
    this.opts.onChange?.();
    void this.restart(child, `exited (${signal ? `signal ${signal}` : `code ${code}`})`);
  }

  private async restart(child: Child, why: string): Promise<void> {
    const { name } = child.spec;
    for (;;) {
      child.failures++;
      if (child.failures > this.policy.maxFailures) {
        child.status.state = 'failed';
        this.say(
          `gave up on ${name} after ${this.policy.maxFailures} failed restarts in a row; its log: ${child.status.log_file}`,
        );
        this.opts.onChange?.();
        return;
      }
      child.backoff = (child.backoff ?? this.backoff).next(undefined);
      const wait = child.backoff.duration;
      // Said after the wait: a child that died of the same Ctrl-C as the stack is neither announced nor restarted.
      try {
        await delay(wait, undefined, { signal: this.cancel.signal });
      } catch {
        return; // stopping
      }
      if (this.stopping) return;
      this.say(
        `${name} ${why}; restart ${child.failures}/${this.policy.maxFailures} after ${(wait / 1000).toFixed(1)} s (log: ${child.status.log_file})`,
      );
      try {
        const started = Date.now();
        const proc = await child.spec.start((p) => this.spawned(child, p));
        if (this.stopping) return;
        child.status.restarts++;
        this.ready(child, proc);
        this.say(
          `${name} restarted: pid ${proc.child.pid}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s (restart #${child.status.restarts})`,
        );
        return;
      } catch (err) {
        if (this.stopping) return;
        await child.proc?.stop(2_000); // a start that timed out may have left its process running
        why = `did not come back (${(err as Error).message.split('\n')[0]})`;
      }
    }
  }
}
