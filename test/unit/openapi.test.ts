import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Pool } from 'pg';
import { request } from 'undici';
import { SERVICE_CONTRACTS } from '../../src/contracts';
import { QUIET_FAULTS } from '../../src/contracts/fault-profile';
import { openApiDocument, type OpenApiDocument } from '../../src/contracts/openapi';
import { CAPACITY_ROUTE } from '../../src/contracts/capacity';
import { SERVICE_NAMES, type ServiceName } from '../../src/services/catalog';
import { SERVICE_ROUTES } from '../../src/services/registry';
import { createServiceApp } from '../../src/services/shared/server';
import { findActivityCalls, type FoundCall } from '../support/activity-calls';

const documents = Object.fromEntries(
  SERVICE_NAMES.map((name) => [name, openApiDocument(name, SERVICE_CONTRACTS[name])]),
) as Record<ServiceName, OpenApiDocument>;

/**
 * Validates documents with @seriousme/openapi-schema-validator (the official OpenAPI 3.1 schema). The package
 * is ESM only, so it runs in a child node; answers each file's result.
 */
function validate(docs: Record<string, unknown>): Record<string, { valid: boolean; errors?: unknown }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-'));
  const files = Object.entries(docs).map(([name, doc]) => {
    const file = path.join(dir, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify(doc));
    return file;
  });
  const script = `
    import { Validator } from '@seriousme/openapi-schema-validator';
    const results = {};
    for (const file of process.argv.slice(1)) {
      const validator = new Validator();
      const { valid, errors } = await validator.validate(file);
      results[file] = { valid, errors, version: validator.version };
    }
    console.log(JSON.stringify(results));`;
  try {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script, ...files], {
      cwd: path.join(__dirname, '../..'),
      encoding: 'utf8',
    });
    const results = JSON.parse(out) as Record<string, { valid: boolean; errors?: unknown; version: string }>;
    return Object.fromEntries(
      Object.keys(docs).map((name, i) => {
        const r = results[files[i]];
        return [name, r.valid && r.version.startsWith('3.1') ? { valid: true } : { valid: false, errors: r }];
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The document's operation a concrete path and method take, if any (`{path}` last takes the rest). */
function operationFor(doc: OpenApiDocument, method: string, concrete: string): string | undefined {
  const target = concrete.split('?')[0];
  return Object.keys(doc.paths ?? {}).find((template) => {
    const re = template
      .split('/')
      .map((s, i, all) =>
        s === '{path}' && i === all.length - 1
          ? '.+'
          : /^\{.+\}$/.test(s)
            ? '[^/]+'
            : s.replace(/[.*+?^$()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    return new RegExp(`^${re}$`).test(target) && method.toLowerCase() in (doc.paths?.[template] ?? {});
  });
}

test('every service document is a valid OpenAPI 3.1 document', () => {
  const results = validate(documents);
  for (const name of SERVICE_NAMES) expect({ name, ...results[name] }).toEqual({ name, valid: true });
});

test('a document missing a route fails the route check, and a broken one fails validation', () => {
  const rest = Object.entries(SERVICE_CONTRACTS['drive-intel']).filter(([name]) => name !== 'upload');
  const without = openApiDocument('drive-intel', Object.fromEntries(rest));
  expect(operationFor(documents['drive-intel'], 'POST', '/videos')).toBe('/videos');
  expect(operationFor(without, 'POST', '/videos')).toBeUndefined();
  const broken = { ...documents['drive-intel'], paths: { '/videos': { post: { responses: 'none' } } } };
  expect(validate({ broken }).broken.valid).toBe(false);
});

test('each service serves its document at /openapi.json, on a real port', async () => {
  for (const name of SERVICE_NAMES) {
    const app = createServiceApp({ name, pool: {} as Pool, faults: QUIET_FAULTS, timeScale: 1, seed: 1 }, (a, ctx) =>
      SERVICE_ROUTES[name](a, ctx, Object.fromEntries(SERVICE_NAMES.map((s) => [s, 'http://127.0.0.1:9'])) as never),
    );
    const origin = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const res = await request(`${origin}/openapi.json`);
      expect(res.statusCode).toBe(200);
      expect(await res.body.json()).toEqual(JSON.parse(JSON.stringify(documents[name])));
    } finally {
      await app.close();
    }
  }
});

describe('every route an activity calls is in its service document', () => {
  const found = findActivityCalls();
  // Every call's path was followed to its value: a call the collector cannot read is a call the test misses.
  test('every call site is read', () => expect(found.unresolved).toEqual([]));
  test('the activities call every service', () => {
    expect(new Set(found.calls.map((c) => c.service))).toEqual(new Set(SERVICE_NAMES));
  });

  const missing = (calls: FoundCall[]) =>
    calls
      .filter((c) => !operationFor(documents[c.service], c.method, c.path.replace(/\{p\}/g, 'p')))
      .map((c) => `${c.service} ${c.method} ${c.path} (${c.at})`);

  // A service whose contract its helper has not written yet has only the shared routes: its calls wait for it.
  const written = SERVICE_NAMES.filter((s) => Object.keys(SERVICE_CONTRACTS[s]).length > 0);
  const pending = SERVICE_NAMES.filter((s) => !written.includes(s));
  test.each(written)('%s', (service) => {
    expect(missing(found.calls.filter((c) => c.service === service))).toEqual([]);
  });
  if (pending.length) test.skip.each(pending)('%s (no contract yet)', () => undefined);

  test('a call through the Gateway to a named upstream is a route of that upstream', () => {
    const upstreamCalls = found.calls.flatMap((c): FoundCall[] => {
      const m = /^\/api\/([a-z-]+)(\/.*)$/.exec(c.service === 'gateway' ? c.path : '');
      if (!m || !written.includes(m[1] as ServiceName)) return [];
      return [{ ...c, service: m[1] as ServiceName, path: m[2] }];
    });
    expect(missing(upstreamCalls)).toEqual([]);
  });

  test('the direct calls (health, capacity) are in every document', () => {
    for (const name of SERVICE_NAMES) {
      expect(operationFor(documents[name], 'GET', '/health')).toBe('/health');
      expect(operationFor(documents[name], 'PUT', CAPACITY_ROUTE)).toBe(CAPACITY_ROUTE);
    }
  });
});
