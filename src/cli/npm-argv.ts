import fs from 'node:fs';
import { fdTargets, parentPid } from '../proc';

/**
 * `npm run start-workflow creative-flow --count 50` reaches us as `creative-flow 50` plus
 * `npm_config_count=true`: npm keeps unknown flags as its own config and drops their names, the
 * environment does not keep their order, and npm rewrites its process title without them. npm's debug
 * log does keep the command line as typed (`verbose argv "run" ...`); on Linux we find the running npm
 * among our ancestors and read the log file it has open. Returns the user's arguments after the script
 * name, or undefined when that cannot be done.
 */
export function npmOriginalArgs(env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const event = env.npm_lifecycle_event;
  if (!event) return undefined;
  let pid = process.ppid;
  for (let depth = 0; depth < 8 && pid > 1; depth++) {
    const argv = argvFromNpmLog(pid);
    if (argv) {
      const at = argv.indexOf(event);
      if (at < 0) return undefined;
      const rest = argv.slice(at + 1);
      return rest[0] === '--' ? rest.slice(1) : rest;
    }
    const parent = parentPid(pid);
    if (parent === undefined) return undefined;
    pid = parent;
  }
  return undefined;
}

/** The argv line of the npm debug log that process `pid` has open, if it is an npm with one. */
function argvFromNpmLog(pid: number): string[] | undefined {
  const log = fdTargets(pid).find((target) => /_logs\/[^/]*-debug-\d+\.log$/.test(target));
  if (!log) return undefined;
  const line = fs
    .readFileSync(log, 'utf8')
    .split('\n')
    .find((l) => /^\d+ verbose argv /.test(l));
  if (!line) return undefined;
  return (line.match(/"(?:[^"\\]|\\.)*"/g) ?? []).map((quoted) => JSON.parse(quoted) as string);
}

/** Flags npm swallowed (set as npm_config_<flag>), among those the command takes a value for. */
export function swallowedFlags(valueFlags: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  if (!env.npm_lifecycle_event) return [];
  return valueFlags.filter((f) => env[`npm_config_${f.replace(/-/g, '_')}`] !== undefined);
}

/**
 * The arguments as the user meant them: `argv` (what reached the script) unless npm swallowed some
 * value flags, in which case the command line as typed is read back. `fixed` is how many leading
 * arguments the npm script itself supplies (e.g. the sub-command).
 */
export function userArgs(argv: string[], fixed: number, valueFlags: readonly string[]): string[] {
  const swallowed = swallowedFlags(valueFlags);
  if (!swallowed.length) return argv;
  const original = npmOriginalArgs();
  if (original) return [...argv.slice(0, fixed), ...original];
  throw new Error(
    `npm kept ${swallowed.map((f) => `--${f}`).join(', ')} for itself and its log of the command line is not readable ` +
      `here; write --${swallowed[0]}=VALUE, or put '--' before the flow name`,
  );
}
