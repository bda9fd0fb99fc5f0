import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BEGIN, END, expectedFiles, flowsReference, markdownTable, withFlowsTable } from '../../scripts/generate-docs';
import { FLOWS, FLOW_NAMES } from '../../src/flows/catalog';

const ROOT = path.resolve(__dirname, '../..');

test.each(Object.entries(expectedFiles(ROOT)))('%s is what `npm run docs` generates from the catalog', (file, want) => {
  const have = fs.readFileSync(path.join(ROOT, file), 'utf8');
  // One line to act on instead of a long diff of a stale table.
  if (have !== want) throw new Error(`${file} is stale: run npm run docs (then commit it)`);
});

test('the generated docs carry every flow, every step and its summary', () => {
  const reference = flowsReference();
  for (const name of FLOW_NAMES) {
    expect(reference).toContain(`## ${name}\n`);
    for (const s of FLOWS[name].definitions) expect(reference).toContain(`| \`${s.name}\``);
    for (const s of FLOWS[name].definitions) expect(reference).toContain(s.summary);
  }
  const readme = withFlowsTable(`${BEGIN}\n${END}\n`);
  for (const name of FLOW_NAMES) expect(readme).toContain(FLOWS[name].description);
});

test('a README without the markers is refused with a message naming them', () => {
  expect(() => withFlowsTable('# no block\n')).toThrow(/no generated flows block/);
});

test('tables are aligned as prettier aligns them, with pipes escaped', () => {
  expect(markdownTable(['a', 'bb'], [['x|y', 'z']])).toBe('| a    | bb  |\n| ---- | --- |\n| x\\|y | z   |');
});

test("the generated files are already in prettier's shape, so lint and the generator agree", () => {
  const bin = require.resolve('prettier/bin/prettier.cjs');
  for (const [file, content] of Object.entries(expectedFiles(ROOT))) {
    // Prettier's API is ESM-only inside jest; its CLI reads the repository's config for the file's path.
    const run = spawnSync(process.execPath, [bin, '--stdin-filepath', file], {
      cwd: ROOT,
      input: content,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(content);
  }
});
