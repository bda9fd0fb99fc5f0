/**
 * docs/adding-a-flow.md lists every file a new flow touches: each repository path it names must still exist, so the
 * guide fails here, not in a reader's hands, when a file moves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { FLOW_NAMES } from '../../src/flows/catalog';

const ROOT = path.resolve(__dirname, '../..');
const GUIDE = 'docs/adding-a-flow.md';
/** A placeholder in a path: `<flow>`, `<service>`, or a glob's `*`. */
const PLACEHOLDER = /<[^>]+>|\*/;

/** Every backticked repository path the guide names (under src/, test/, scripts/ or docs/), in order, once. */
function namedPaths(markdown: string): string[] {
  const found = [...markdown.matchAll(/`((?:src|test|scripts|docs)\/[^`\s]*)`/g)].map((m) => m[1]);
  return [...new Set(found)];
}

/** The directory before a path's first placeholder: what must exist for a path that names no one file. */
function directoryBeforePlaceholder(p: string): string {
  const parts = p.split('/');
  const at = parts.findIndex((part) => PLACEHOLDER.test(part));
  return parts.slice(0, at).join('/');
}

/** Whether a named path still holds: as written, or with `<flow>` as some catalog flow, or by its directory. */
function pathHolds(p: string, exists: (file: string) => boolean, flows: readonly string[]): boolean {
  if (!PLACEHOLDER.test(p)) return exists(p);
  const onlyFlow = p.replace(/<flow>/g, '');
  if (p.includes('<flow>') && !PLACEHOLDER.test(onlyFlow)) {
    return flows.some((flow) => exists(p.replace(/<flow>/g, flow)));
  }
  return exists(directoryBeforePlaceholder(p));
}

const existsInRepo = (file: string) => fs.existsSync(path.join(ROOT, file));

test('every path docs/adding-a-flow.md names exists', () => {
  const named = namedPaths(fs.readFileSync(path.join(ROOT, GUIDE), 'utf8'));
  expect(named.length).toBeGreaterThan(10);
  const missing = named.filter((p) => !pathHolds(p, existsInRepo, FLOW_NAMES));
  // One line per path to fix, rather than a diff of two lists.
  if (missing.length) throw new Error(`${GUIDE} names paths that do not exist:\n${missing.join('\n')}`);
});

test('paths are found in backticks and placeholders are checked by flow name or by directory', () => {
  expect(namedPaths('see `src/a.ts`, `src/a.ts` and `npm run docs`, not src/b.ts')).toEqual(['src/a.ts']);
  const files = new Set(['src/workflows/meta-api.ts', 'src/contracts', 'src/flows/catalog.ts']);
  const exists = (f: string) => files.has(f.replace(/\/$/, ''));
  expect(pathHolds('src/flows/catalog.ts', exists, ['meta-api'])).toBe(true);
  expect(pathHolds('src/flows/gone.ts', exists, ['meta-api'])).toBe(false);
  expect(pathHolds('src/workflows/<flow>.ts', exists, ['creative-flow', 'meta-api'])).toBe(true);
  expect(pathHolds('src/activities/<flow>.ts', exists, ['meta-api'])).toBe(false);
  expect(pathHolds('src/contracts/<service>.ts', exists, [])).toBe(true);
  expect(pathHolds('src/nowhere/<service>.ts', exists, [])).toBe(false);
});
