import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { commandFlags, userArgs, type CommandFlag } from '../../src/cli/npm-argv';
import { program } from '../../src/cli/program';

/** Every command that runs something, with the words that name it (`schedule create`). */
function leaves(cmd: Command, words: string[] = []): Array<{ words: string[]; cmd: Command }> {
  if (!cmd.commands.length) return [{ words, cmd }];
  return cmd.commands.flatMap((sub) => leaves(sub, [...words, sub.name()]));
}

/** A fresh program whose actions only record what commander parsed. */
function parse(argv: string[]): { args: unknown[]; opts: Record<string, unknown> } {
  const cli = program();
  let seen: { args: unknown[]; opts: Record<string, unknown> } | undefined;
  for (const { cmd } of leaves(cli)) {
    cmd.action((...args: unknown[]) => {
      seen = { args: args.slice(0, -2), opts: { ...(args.at(-2) as Record<string, unknown>) } };
    });
  }
  cli.parse(argv, { from: 'user' });
  if (!seen) throw new Error(`no action ran for ${argv.join(' ')}`);
  return seen;
}

/**
 * What npm does with `npm run <script> <typed>` when no `--` comes first: each flag the command takes is kept as
 * `npm_config_<flag>` (`true` unless written `--flag=value`; npm's own boolean `--json` is `true` even then), the
 * rest reach the script as bare words, and repeated flags' values are joined by a blank line.
 */
function npmRun(script: string[], typed: string[], flags: CommandFlag[]) {
  const env: NodeJS.ProcessEnv = {
    npm_lifecycle_event: script[0],
    npm_lifecycle_script: `tsx src/client.ts ${script.join(' ')}`,
  };
  const argv = [...script];
  for (const word of typed) {
    const m = /^(--[^=]+)(?:=(.*))?$/s.exec(word);
    const flag = m && flags.find((f) => f.long === m[1]);
    if (!m || !flag) {
      argv.push(word);
      continue;
    }
    const npmBoolean = flag.long === '--json';
    if (npmBoolean && m[2] !== undefined) argv.push(m[2]);
    const value = m[2] === undefined || npmBoolean ? 'true' : m[2];
    env[flag.envName] = env[flag.envName] === undefined ? value : `${env[flag.envName]}\n\n${value}`;
  }
  return { argv, env };
}

const cli = program();
const scripts = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')).scripts as Record<
  string,
  string
>;
const cases = leaves(cli).map(({ words, cmd }) => {
  // Positional arguments a user would give: a flow for `[flow]`, an id otherwise.
  const positional = cmd.registeredArguments.map((a, i) => (a.name() === 'flow' ? 'creative-flow' : `id-${i}`));
  return { name: words.join(' '), script: [words[0]], typed: [...words.slice(1), ...positional], cmd };
});

test('every command has its npm script', () => {
  for (const { script } of cases) expect(scripts[script[0]]).toBe(`tsx src/client.ts ${script[0]}`);
});

describe.each(cases)('$name', ({ script, typed, cmd }) => {
  const flags = commandFlags(cmd);
  const asTyped = (extra: string[]) => [...script, ...typed, ...extra];
  const viaNpm = (extra: string[], log: boolean) => {
    const { argv, env } = npmRun(script, [...typed, ...extra], flags);
    return userArgs(cli, argv, { env, originalArgs: () => (log ? [...typed, ...extra] : undefined) });
  };

  // Commands without flags (`schedule list`) have nothing to lose to npm.
  const each = flags.length
    ? test.each(flags.map((f) => [f.long, f] as const))
    : test.skip.each([['(none)', flags[0]]]);
  each('%s parses the same with and without --', (_, flag) => {
    if (!flag.takesValue) {
      const expected = parse(asTyped([flag.long]));
      expect(expected.opts).toMatchObject({ [cmd.options.find((o) => o.long === flag.long)!.attributeName()]: true });
      expect(parse(viaNpm([flag.long], false))).toEqual(expected);
      expect(parse(viaNpm([flag.long], true))).toEqual(expected);
      return;
    }
    for (const value of ['v1', 'a b=c']) {
      const expected = parse(asTyped([flag.long, value]));
      expect(parse(asTyped([`${flag.long}=${value}`]))).toEqual(expected);
      // `--flag value`: the value lost its place among the bare words, so npm's log of the command line is read.
      expect(parse(viaNpm([flag.long, value], true))).toEqual(expected);
      expect(() => viaNpm([flag.long, value], false)).toThrow(`write ${flag.long}=VALUE, or put '--'`);
      // `--flag=value` keeps its value in npm's variable (but for npm's own `--json`).
      expect(parse(viaNpm([`${flag.long}=${value}`], flag.long === '--json'))).toEqual(expected);
    }
  });

  test('all its flags at once, some repeated, parse the same with and without --', () => {
    const extra = flags.flatMap((f) => (f.takesValue ? [f.long, 'v1', `${f.long}=v2`] : [f.long]));
    expect(parse(viaNpm(extra, true))).toEqual(parse(asTyped(extra)));
  });
});

test('outside npm, or after --, the arguments are left as they are', () => {
  const argv = ['start-workflow', 'creative-flow', '--count', '5'];
  expect(userArgs(cli, argv, { env: {}, originalArgs: () => undefined })).toBe(argv);
  const npm = { npm_lifecycle_event: 'start-workflow', npm_lifecycle_script: 'tsx src/client.ts start-workflow' };
  expect(userArgs(cli, argv, { env: npm, originalArgs: () => undefined })).toBe(argv);
  // Another script's variables (e.g. `npm test` running the CLI as a child) are not ours to read.
  const other = { npm_lifecycle_event: 'test', npm_lifecycle_script: 'jest', npm_config_count: 'true' };
  expect(userArgs(cli, argv, { env: other, originalArgs: () => undefined })).toBe(argv);
});

test('the boolean flags the issue names get through npm without --', () => {
  const stack = npmRun(['stack'], ['--monitoring'], commandFlags(cli.commands.find((c) => c.name() === 'stack')!));
  expect(parse(userArgs(cli, stack.argv, { env: stack.env, originalArgs: () => undefined })).opts.monitoring).toBe(
    true,
  );
  const start = cli.commands.find((c) => c.name() === 'start-workflow')!;
  const run = npmRun(
    ['start-workflow'],
    ['creative-flow', '--local-activities', '--find-breakpoint'],
    commandFlags(start),
  );
  expect(parse(userArgs(cli, run.argv, { env: run.env, originalArgs: () => undefined })).opts).toMatchObject({
    localActivities: true,
    findBreakpoint: true,
  });
});
