import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs a command inside a network namespace; resolves with its stdout, rejects with its stderr's last line. */
export async function nsExec(netns: string, cmd: string, args: string[], timeoutMs = 10_000): Promise<string> {
  try {
    const { stdout } = await run('ip', ['netns', 'exec', netns, cmd, ...args], { timeout: timeoutMs });
    return stdout;
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? '').trim();
    throw new Error(`${netns}: ${cmd} ${args.join(' ')}: ${stderr.split('\n').at(-1) || (err as Error).message}`);
  }
}

/** The same, true when it succeeded (for checks and removals of what may already be gone). */
export function nsTry(netns: string, cmd: string, args: string[], timeoutMs?: number): Promise<boolean> {
  return nsExec(netns, cmd, args, timeoutMs).then(
    () => true,
    () => false,
  );
}

/** Synchronous, errors ignored: only for the last-chance clean-up as the process exits. */
export function nsExecSync(netns: string, cmd: string, args: string[]): string {
  try {
    return execFileSync('ip', ['netns', 'exec', netns, cmd, ...args], { timeout: 5_000, stdio: 'pipe' }).toString();
  } catch {
    return '';
  }
}
