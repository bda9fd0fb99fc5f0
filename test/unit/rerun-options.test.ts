import { program } from '../../src/cli/program';
import { UsageError } from '../../src/cli/errors';
import { parseRerunOptions } from '../../src/cli/rerun-options';

test('a run id, with or without --dry-run', () => {
  expect(parseRerunOptions('creative-flow-20261206-031500-ab12', {})).toEqual({
    runId: 'creative-flow-20261206-031500-ab12',
    dryRun: false,
  });
  expect(parseRerunOptions('nightly-2026-12-06T03:00:00Z', { dryRun: true })).toEqual({
    runId: 'nightly-2026-12-06T03:00:00Z',
    dryRun: true,
  });
});

test.each([
  [undefined, 'give the run id to re-run: npm run rerun <run-id>'],
  ['', 'give the run id to re-run: npm run rerun <run-id>'],
  ['run" OR x="y', `bad run id 'run" OR x="y': letters, digits and . _ : @ - only`],
  ['a'.repeat(201), 'a run id has at most 200 characters'],
])('run id %j is refused with one line', (runId, message) => {
  expect(() => parseRerunOptions(runId, {})).toThrow(new UsageError(message));
});

test('--dry-run takes no value', () => {
  expect(() => parseRerunOptions('r', { dryRun: 'yes' })).toThrow('--dry-run takes no value');
});

test('the command line refuses a bad run id before it connects anywhere', async () => {
  const cli = program();
  await expect(cli.parseAsync(['rerun', 'bad id'], { from: 'user' })).rejects.toThrow(
    "bad run id 'bad id': letters, digits and . _ : @ - only",
  );
  await expect(cli.parseAsync(['rerun'], { from: 'user' })).rejects.toThrow('give the run id to re-run');
});
