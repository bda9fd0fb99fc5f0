import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { awaitNetnsExec, inNetns } from './hosts/netns-exec';

/** A child process the stack started, with its output going to a log file. */
export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves when the process has exited, with its exit code (or null when killed by a signal). */
  exited: Promise<number | null>;
  /** What this process (not an earlier one of the same name) has written to its log so far. */
  output(): string;
  stop(timeoutMs?: number): Promise<void>;
}

export interface StartProcessOptions {
  env?: NodeJS.ProcessEnv;
  logDir: string;
  cwd?: string;
  onSpawn?: (p: ManagedProcess) => void;
  /** Run inside this network namespace (a `--hosts` part); the pid is still the program's own. */
  netns?: string;
}

export function startProcess(name: string, command: string, args: string[], opts: StartProcessOptions): ManagedProcess {
  fs.mkdirSync(opts.logDir, { recursive: true });
  const logFile = path.join(opts.logDir, `${name}.log`);
  // Appended, so a restarted child's log still holds what its predecessor said before it died.
  const log = fs.openSync(logFile, 'a');
  fs.writeSync(log, `--- ${name} started ${new Date().toISOString()} ---\n`);
  const from = fs.fstatSync(log).size;
  const [program, argv] = inNetns(opts.netns, command, args);
  const child = spawn(program, argv, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', log, log] });
  if (opts.netns) awaitNetnsExec(child.pid);
  fs.closeSync(log);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', () => resolve(-1));
  });
  const managed: ManagedProcess = {
    name,
    child,
    logFile,
    exited,
    output() {
      try {
        const fd = fs.openSync(logFile, 'r');
        try {
          const size = fs.fstatSync(fd).size;
          const buf = Buffer.alloc(Math.max(0, size - from));
          fs.readSync(fd, buf, 0, buf.length, from);
          return buf.toString('utf8');
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        return '';
      }
    },
    async stop(timeoutMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const cancel = new AbortController();
      const timer = delay(timeoutMs, 'timeout' as const, { signal: cancel.signal }).catch(() => 'exited' as const);
      const first = await Promise.race([exited, timer]);
      cancel.abort();
      if (first === 'timeout') {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
  opts.onSpawn?.(managed);
  return managed;
}

/** The last lines of a log file, for error messages about a process that would not start. */
export function tailLog(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Polls `check` until it returns true; fails early when the process dies, or after `timeoutMs`.
 * Polling is the real condition here: a server is ready when it answers.
 */
export async function waitUntilReady(
  proc: ManagedProcess | undefined,
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let died = false;
  void proc?.exited.then(() => (died = true));
  for (;;) {
    if (await check().catch(() => false)) return;
    if (died) throw new Error(`${what} exited during start-up; its log (${proc?.logFile}):\n${tailLog(proc!.logFile)}`);
    if (Date.now() > deadline) {
      throw new Error(`${what} was not ready after ${timeoutMs / 1000}s` + (proc ? `; log: ${proc.logFile}` : ''));
    }
    await delay(100);
  }
}
