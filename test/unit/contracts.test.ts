import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { allRoutes, SERVICE_CONTRACTS } from '../../src/contracts';
import { fillPath, findRoute, openApiPath, pathMatches } from '../../src/contracts/route';
import { checkContract } from '../../src/activities/http';
import { SERVICE_NAMES } from '../../src/services/catalog';

const SRC = path.join(__dirname, '../../src');

/** The packages a module reaches through its value imports (type-only imports are erased), transitively. */
function packagesReached(entry: string): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
    for (const statement of source.statements) {
      const specifier = valueImport(statement);
      if (!specifier) continue;
      if (!specifier.startsWith('.')) {
        if (!packages.has(specifier)) packages.set(specifier, path.relative(SRC, file));
        continue;
      }
      const base = path.resolve(path.dirname(file), specifier);
      visit([`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f)) ?? `${base}.ts`);
    }
  };
  visit(entry);
  return packages;
}

function valueImport(statement: ts.Statement): string | undefined {
  if (ts.isImportDeclaration(statement)) {
    const clause = statement.importClause;
    if (clause?.isTypeOnly) return undefined;
    const named = clause?.namedBindings;
    const allTypes =
      clause && !clause.name && named && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly);
    return allTypes ? undefined : (statement.moduleSpecifier as ts.StringLiteral).text;
  }
  if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
    return (statement.moduleSpecifier as ts.StringLiteral).text;
  }
  return undefined;
}

test('the workflow bundle reaches no zod (workflows take zod-free contract data)', () => {
  const reached = packagesReached(path.join(SRC, 'workflows/index.ts'));
  expect(reached.has('@temporalio/workflow')).toBe(true);
  expect([...reached].filter(([name]) => name === 'zod' || name.startsWith('zod-'))).toEqual([]);
});

test('route paths: matching, filling and the OpenAPI form', () => {
  const scenes = { path: '/videos/:id/scenes' };
  expect(pathMatches(scenes, '/videos/abc/scenes?x=1')).toBe(true);
  expect(pathMatches(scenes, '/videos/abc/def/scenes')).toBe(false);
  expect(pathMatches({ path: '/api/:service/*' }, '/api/ml-service/a/b')).toBe(true);
  expect(pathMatches({ path: '/v19.0/:id/insights' }, '/v19x0/1/insights')).toBe(false);
  expect(fillPath(scenes, { id: 'a b' })).toBe('/videos/a%20b/scenes');
  expect(openApiPath('/api/:service/*')).toBe('/api/{service}/{path}');
});

test('every service has a route table, and no two routes of a service share a method and path', () => {
  for (const name of SERVICE_NAMES) {
    const keys = Object.values(allRoutes(name)).map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  }
});

test('callService refuses a call its contract lacks, naming it, not retried', () => {
  const written = SERVICE_NAMES.filter((s) => Object.keys(SERVICE_CONTRACTS[s]).length > 0);
  expect(written).toContain('drive-intel');
  expect(() => checkContract('drive-intel', 'POST', '/videos/1/scenes')).not.toThrow();
  expect(() => checkContract('drive-intel', 'GET', '/health')).not.toThrow();
  expect(() => checkContract('drive-intel', 'GET', '/videos/1/scenes')).toThrow(
    expect.objectContaining({ type: 'NotInContract', nonRetryable: true }),
  );
  expect(() => checkContract('drive-intel', 'POST', '/nowhere')).toThrow(/no such route in the drive-intel contract/);
  expect(findRoute(allRoutes('gateway'), 'PUT', '/api/video-agent/render-jobs')).toBeDefined();
});
