import type { Command, Option } from 'commander';
import fs from 'node:fs';
import { fdTargets, parentPid } from '../proc';
import { UsageError } from './errors';

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

/** A flag of a command as commander defines it, and the variable npm would keep it in. */
export interface CommandFlag {
  /** `--count` */
  long: string;
  /** `npm_config_count` */
  envName: string;
  takesValue: boolean;
}

/** The long flags `cmd` takes, value and boolean, read from its commander options. */
export function commandFlags(cmd: Command): CommandFlag[] {
  return cmd.options
    .filter((o: Option) => o.long && !o.negate)
    .map((o: Option) => ({
      long: o.long!,
      envName: `npm_config_${o.long!.slice(2).replace(/-/g, '_')}`,
      takesValue: o.required || o.optional,
    }));
}

/** The (sub-)command the arguments name: `schedule create …` is `create` under `schedule`. */
export function commandAt(program: Command, args: readonly string[]): Command {
  let cmd = program;
  for (const arg of args) {
    if (arg.startsWith('-')) continue;
    const sub = cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
    if (!sub) break;
    cmd = sub;
  }
  return cmd;
}

/** The arguments an npm script passes before the user's: `tsx src/client.ts report` gives `report`. */
export function scriptArgs(env: NodeJS.ProcessEnv): string[] | undefined {
  if (!env.npm_lifecycle_event || !env.npm_lifecycle_script) return undefined;
  const words = env.npm_lifecycle_script.trim().split(/\s+/);
  const at = words.findIndex((w) => /(^|\/)client\.ts$/.test(w));
  return at < 0 ? undefined : words.slice(at + 1);
}

/**
 * The swallowed flags rebuilt from npm's variables: a switch is `true`, `--flag=value` keeps its value (a repeated
 * flag's values are joined by a blank line). Undefined when a value went to the bare arguments, whose order is lost.
 */
function rebuildFromEnv(argv: string[], swallowed: CommandFlag[], env: NodeJS.ProcessEnv): string[] | undefined {
  const rebuilt: string[] = [];
  for (const flag of swallowed) {
    const values = env[flag.envName]!.split('\n\n');
    for (const value of values) {
      if (!flag.takesValue) rebuilt.push(value === 'true' ? flag.long : `${flag.long}=${value}`);
      else if (value === 'true') return undefined;
      else rebuilt.push(`${flag.long}=${value}`);
    }
  }
  return [...argv, ...rebuilt];
}

/** Where npm's record of the command line comes from; tests give their own. */
export interface NpmContext {
  env: NodeJS.ProcessEnv;
  originalArgs: () => string[] | undefined;
}

/**
 * The arguments as the user meant them. Under `npm run` without `--`, npm keeps every flag the command takes as
 * `npm_config_<flag>` and passes only the bare words on: switches and `--flag=value` are rebuilt from those
 * variables, and a `--flag value` whose value lost its place is read back from npm's log of the command line.
 * Which flags the command takes, and which take a value, comes from its commander definition.
 */
export function userArgs(
  program: Command,
  argv: string[],
  ctx: NpmContext = { env: process.env, originalArgs: () => npmOriginalArgs() },
): string[] {
  const fixed = scriptArgs(ctx.env);
  if (!fixed) return argv;
  const swallowed = commandFlags(commandAt(program, argv)).filter((f) => ctx.env[f.envName] !== undefined);
  if (!swallowed.length) return argv;
  const rebuilt = rebuildFromEnv(argv, swallowed, ctx.env);
  if (rebuilt) return rebuilt;
  const original = ctx.originalArgs();
  if (original) return [...argv.slice(0, fixed.length), ...original];
  const lost = swallowed.filter((f) => f.takesValue).map((f) => f.long);
  throw new UsageError(
    `npm kept ${lost.join(', ')} for itself and its log of the command line is not readable here; ` +
      `write ${lost[0]}=VALUE, or put '--' before the arguments (npm run <script> -- …)`,
  );
}
