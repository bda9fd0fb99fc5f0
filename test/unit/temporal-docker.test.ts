import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { DockerfileParser, type JSONInstruction } from 'dockerfile-ast';
import { validate as validateDockerfile } from 'dockerfile-utils';
import { parse as parseYaml } from 'yaml';
import { SERVICE_NAMES, SERVICES } from '../../src/services/catalog';
import { SEARCH_ATTRIBUTES } from '../../src/flows/search-attributes';
import { TEMPORAL_SERVER_VERSION, TEMPORAL_UI_SERVER_VERSION } from '../../src/stack/temporal-server-binary';
import { metricsHostFromEnv } from '../../src/services/shared/metrics-server';
import { ROOT, runCommand } from '../support/spawn';

/** Static checks of temporal-docker/ and the Dockerfile: there is no Docker engine here, so nothing is run. */
const DIR = path.join(ROOT, 'temporal-docker');
const COMPOSE_FILE = path.join(DIR, 'docker-compose.yml');
const PROMETHEUS_FILE = path.join(DIR, 'prometheus/prometheus.yml');
const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  expose?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  deploy?: { replicas?: number };
  profiles?: string[];
}
interface Compose {
  services: Record<string, Service>;
}
interface ScrapeConfig {
  job_name: string;
  static_configs?: Array<{ targets: string[] }>;
  dns_sd_configs?: Array<{ names: string[]; type: string; port: number }>;
}

const read = (file: string) => fs.readFileSync(file, 'utf8');
// Merge keys on, as compose reads them (the file shares its project settings through anchors).
const compose = parseYaml(read(COMPOSE_FILE), { merge: true }) as Compose;
const services = compose.services;
const prometheus = parseYaml(read(PROMETHEUS_FILE)) as { rule_files: string[]; scrape_configs: ScrapeConfig[] };

/** The compose-spec JSON schema as dclint ships it (its package exports no path to it, so found beside it). */
const COMPOSE_SCHEMA = path.join(path.dirname(require.resolve('dclint/package.json')), 'schemas/compose.schema.json');

/** The services built from the repository's Dockerfile. */
const projectServices = Object.entries(services).filter(([, s]) => s.build);

describe('the compose file', () => {
  test('is valid against the compose-spec schema', () => {
    // The schema is draft-07 but names its meta-schema by an https address Ajv does not know; Ajv's default
    // meta-schema is draft-07, so the $schema key is dropped (as dclint does). strict off: it has `deprecated`.
    const schema = JSON.parse(read(COMPOSE_SCHEMA)) as Record<string, unknown>;
    delete schema.$schema;
    const ajv = new Ajv({ allErrors: true, strict: false, allowUnionTypes: true });
    const valid = ajv.validate(schema, compose);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('passes dclint (schema and its correctness rules; its key-ordering style rules are off)', async () => {
    // dclint is an ES module package (with a CommonJS build), hence import().
    const { DCLinter } = await import('dclint');
    const style = ['services-alphabetical-order', 'service-keys-order', 'top-level-properties-order'];
    const linter = new DCLinter({
      rules: Object.fromEntries([...style, 'service-dependencies-alphabetical-order'].map((r) => [r, 0])),
      quiet: false,
      debug: false,
      exclude: [],
    });
    const [result] = linter.lintFiles([COMPOSE_FILE], false);
    expect(
      result.messages.map((m: { line: number; rule: string; message: string }) => `${m.line}: ${m.rule}: ${m.message}`),
    ).toEqual([]);
  });

  test('pins every image to a version', () => {
    const images = Object.entries(services).map(([name, s]) => ({ name, image: s.image }));
    expect(images.filter((i) => !i.image)).toEqual([]);
    const unpinned = images.filter(({ image }) => {
      const tag = image!.split(':')[1];
      // geminivideo-sim:local is the image built from the Dockerfile, whose base image is pinned (below).
      return !tag || tag === 'latest' || (!/\d+\.\d+/.test(tag) && tag !== 'local');
    });
    expect(unpinned).toEqual([]);
  });

  test('runs the server and UI versions the project pins', () => {
    expect(services.temporal.image).toBe(`temporalio/auto-setup:${TEMPORAL_SERVER_VERSION}`);
    expect(services['temporal-ui'].image).toBe(`temporalio/ui:${TEMPORAL_UI_SERVER_VERSION}`);
  });

  test('has no search-attribute registration job: the worker registers them on connect', () => {
    const text = read(COMPOSE_FILE);
    for (const { name } of SEARCH_ATTRIBUTES)
      expect({ name, mentioned: text.includes(name) }).toEqual({ name, mentioned: false });
    expect(Object.values(services).filter((s) => s.image?.startsWith('temporalio/admin-tools'))).toEqual([]);
    expect(services.worker.depends_on?.temporal).toEqual({ condition: 'service_healthy' });
  });

  test('runs every process of the stack from the one image: six services, two executors, workers, migrations', () => {
    expect(projectServices.map(([, s]) => s.build)).toEqual(
      projectServices.map(() => ({ context: '..', dockerfile: 'Dockerfile' })),
    );
    const commands = Object.fromEntries(projectServices.map(([name, s]) => [name, s.command]));
    for (const name of SERVICE_NAMES) expect(commands[name]).toEqual(['src/services/main.ts', name]);
    expect(commands['executor-1']).toEqual(['src/services/meta-publisher/executor-main.ts', 'executor-1']);
    expect(commands['executor-2']).toEqual(['src/services/meta-publisher/executor-main.ts', 'executor-2']);
    expect(commands.worker).toEqual(['src/worker.ts']);
    expect(commands.migrate).toEqual(['src/db/migrate-main.ts']);
    // Every script a command names exists (the image copies src/ whole).
    for (const [name, s] of projectServices) {
      const script = [...(s.entrypoint ?? []), ...(s.command ?? [])].find((a) => a.endsWith('.ts'))!;
      expect({ name, script, exists: fs.existsSync(path.join(ROOT, script)) }).toEqual({ name, script, exists: true });
    }
  });

  test('scales the workers: deploy.replicas, and nothing that pins one container (name, host port)', () => {
    const worker = services.worker as Service & { container_name?: string; ports?: unknown };
    expect(worker.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports).toBeUndefined();
  });

  test('points every process at the others by service name, and the services at their own address', () => {
    for (const [name, s] of projectServices) {
      if (name === 'migrate') continue;
      const env = s.environment ?? {};
      expect({ name, temporal: env.TEMPORAL_ADDRESS }).toEqual({ name, temporal: 'temporal:7233' });
      expect(new URL(env.DATABASE_URL).host).toBe('postgres:5432');
      for (const service of SERVICE_NAMES) {
        const url = new URL(env[`SERVICE_URL_${service.toUpperCase().replace(/-/g, '_')}`]);
        expect({ name, service, url: url.origin }).toEqual({
          name,
          service,
          url: `http://${service}:${SERVICES[service].port}`,
        });
      }
    }
    expect(new URL(services.migrate.environment!.DATABASE_URL).host).toBe('postgres:5432');
    // Migrations before anything that reads the schema.
    for (const name of [...SERVICE_NAMES, 'executor-1', 'executor-2', 'worker'])
      expect({ name, dep: services[name].depends_on?.migrate }).toEqual({
        name,
        dep: { condition: 'service_completed_successfully' },
      });
  });

  test('passes the HubSpot secret and Gateway API key from variables that have no default', () => {
    for (const [name, s] of projectServices) {
      if (name === 'migrate') continue;
      const env = s.environment ?? {};
      // `${VAR:?message}`: compose refuses to start when it is unset; never the published default secret.
      expect({ name, secret: env.HUBSPOT_APP_SECRET }).toEqual({
        name,
        secret: expect.stringMatching(/^\$\{HUBSPOT_APP_SECRET:\?/),
      });
      expect({ name, key: env.GATEWAY_API_KEY }).toEqual({
        name,
        key: expect.stringMatching(/^\$\{GATEWAY_API_KEY:\?/),
      });
    }
  });

  test('gives the project image only variables the code reads', () => {
    const source = fs
      .readdirSync(path.join(ROOT, 'src'), { withFileTypes: true, recursive: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts'))
      .map((e) => read(path.join(e.parentPath, e.name)))
      .join('\n');
    const names = new Set(projectServices.flatMap(([, s]) => Object.keys(s.environment ?? {})));
    const serviceUrls = new Set(SERVICE_NAMES.map((n) => `SERVICE_URL_${n.toUpperCase().replace(/-/g, '_')}`));
    for (const name of names) {
      // Read as env.NAME, by name ('NAME'), or as a key of a zod schema of the environment (src/config.ts). SERVICE_URL_*
      // are built from the catalog's names (src/services/catalog.ts serviceUrlEnvName).
      const read = serviceUrls.has(name) || new RegExp(`env\\.${name}\\b|'${name}'|\\b${name}: z\\.`).test(source);
      expect({ name, read }).toEqual({ name, read: true });
    }
    // The exporters bind off loopback only when told to, as the compose file does.
    expect(metricsHostFromEnv({})).toBe('127.0.0.1');
    expect(metricsHostFromEnv({ METRICS_HOST: '0.0.0.0' })).toBe('0.0.0.0');
  });

  test('health-checks every service at its own /health', () => {
    for (const name of SERVICE_NAMES) {
      const check = services[name].healthcheck?.test.join(' ') ?? '';
      expect({ name, check }).toEqual({
        name,
        check: expect.stringContaining(`http://${name}:${SERVICES[name].port}/health`),
      });
    }
  });
});

describe("the compose file's Prometheus", () => {
  test("mounts the repository's own rules file, read-only, where its config loads it from", () => {
    const [source, target, mode] = services.prometheus
      .volumes!.map((v) => v.split(':'))
      .find((v) => v[1].endsWith('rules.yml'))!;
    expect(path.resolve(DIR, source)).toBe(path.join(ROOT, 'monitoring/rules.yml'));
    expect(mode).toBe('ro');
    expect(prometheus.rule_files).toEqual([target]);
    const config = services.prometheus.volumes!.find((v) => v.startsWith('./prometheus/prometheus.yml:'))!;
    expect(config.split(':')[1]).toBe('/etc/prometheus/prometheus.yml');
  });

  test("runs the major version of Debian's prometheus, which promtool tests the rules with", () => {
    expect(services.prometheus.image).toMatch(/^prom\/prometheus:v2\.\d+\.\d+$/);
  });

  test('scrapes every process: each target is a compose service and a port it listens on', () => {
    /** The ports a service listens on, as its own settings say, and declared in its `expose`. */
    const listens = (name: string): string[] => {
      const s = services[name];
      if (!s) return [];
      const env = s.environment ?? {};
      const own = (SERVICE_NAMES as string[]).includes(name)
        ? env[`SERVICE_URL_${name.toUpperCase().replace(/-/g, '_')}`]
        : undefined;
      const settings = [
        own && new URL(own).port,
        env.EXECUTOR_METRICS_PORT,
        env.WORKER_METRICS_PORT,
        env.PROMETHEUS_ENDPOINT?.split(':')[1],
        ...(s.command ?? []).map((a) => /^--web\.listen-address=.*:(\d+)$/.exec(a)?.[1]),
      ];
      return settings.filter((p): p is string => Boolean(p) && (s.expose ?? []).includes(p!));
    };
    const targets = prometheus.scrape_configs.flatMap((c) => [
      ...(c.static_configs ?? []).flatMap((s) => s.targets),
      ...(c.dns_sd_configs ?? []).flatMap((d) => d.names.map((n) => `${n}:${d.port}`)),
    ]);
    for (const target of targets) {
      const [host, port] = target.split(':');
      expect({ target, listens: listens(host).includes(port) }).toEqual({ target, listens: true });
    }
    // Every process of the project is a target: the services, both executors, the workers, and Temporal.
    const hosts = new Set(targets.map((t) => t.split(':')[0]));
    for (const name of [...SERVICE_NAMES, 'executor-1', 'executor-2', 'worker', 'temporal'])
      expect({ name, scraped: hosts.has(name) }).toEqual({ name, scraped: true });
    // The workers are found by DNS, so each replica of `--scale worker=N` is scraped.
    expect(prometheus.scrape_configs.find((c) => c.dns_sd_configs)?.dns_sd_configs?.[0].names).toEqual(['worker']);
  });

  const promtool = fs.existsSync(PROMTOOL) ? test : test.skip;
  promtool('promtool accepts its config, with the rules file where the volume puts it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-prometheus-'));
    try {
      // The same config with the container's rules path mapped back to the repository's file.
      const text = read(PROMETHEUS_FILE).replaceAll(prometheus.rule_files[0], path.join(ROOT, 'monitoring/rules.yml'));
      fs.writeFileSync(path.join(dir, 'prometheus.yml'), text);
      const run = await runCommand(PROMTOOL, ['check', 'config', path.join(dir, 'prometheus.yml')], {
        ...process.env,
        NO_COLOR: '1',
      });
      expect({ code: run.code, out: run.stdout + run.stderr }).toMatchObject({ code: 0 });
      expect(run.stdout + run.stderr).toMatch(/SUCCESS: 6 rules found/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Dockerfile', () => {
  const text = read(path.join(ROOT, 'Dockerfile'));
  const dockerfile = DockerfileParser.parse(text);
  const instructions = dockerfile.getInstructions();
  const args = (keyword: string) =>
    instructions.filter((i) => i.getKeyword() === keyword).map((i) => i.getArguments().map((a) => a.getValue()));
  const json = (keyword: string) =>
    (instructions.find((i) => i.getKeyword() === keyword) as JSONInstruction)
      .getJSONStrings()
      .map((s) => s.getJSONValue());

  test('has no problem dockerfile-utils reports', () => {
    expect(validateDockerfile(text).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  test('builds on a pinned Node 20 image', () => {
    const froms = dockerfile.getFROMs();
    expect(froms).toHaveLength(1);
    expect(froms[0].getImageName()).toBe('node');
    expect(froms[0].getImageTag()).toMatch(/^20\.\d+\.\d+-/);
  });

  test('installs with npm ci from the lock file, without dev dependencies (tsx, which runs the code, is not one)', () => {
    const runs = args('RUN').map((a) => a.join(' '));
    expect(runs.some((r) => /\bnpm ci\b/.test(r) && r.includes('--omit=dev'))).toBe(true);
    const pkg = JSON.parse(read(path.join(ROOT, 'package.json'))) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toContain('tsx');
  });

  test('copies only files that exist and that .dockerignore lets into the build context', () => {
    const sources = args('COPY').flatMap((a) => a.slice(0, -1));
    expect(sources.length).toBeGreaterThanOrEqual(3);
    const ignore = read(path.join(ROOT, '.dockerignore'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignore[0]).toBe('*');
    const allowed = new Set(ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, '')));
    for (const source of sources) {
      expect({ source, exists: fs.existsSync(path.join(ROOT, source)) }).toEqual({ source, exists: true });
      expect({ source, allowed: allowed.has(source.replace(/\/$/, '')) }).toEqual({ source, allowed: true });
    }
    expect(args('COPY').some((a) => a[0] === 'src')).toBe(true);
  });

  test('runs the TypeScript entry points through tsx; the default command is the worker', () => {
    expect(json('ENTRYPOINT')).toEqual(['node', '--import', 'tsx']);
    const cmd = json('CMD');
    expect(cmd).toEqual(['src/worker.ts']);
    expect(fs.existsSync(path.join(ROOT, cmd[0]))).toBe(true);
  });

  test('bundles the workflows at build time with the module the worker loads them from', async () => {
    const run = args('RUN').find((a) => a.join(' ').includes('workflow-bundle'))!;
    const module = /require\('\.\/(src\/[\w/-]+)'\)\.(\w+)\(/.exec(run.join(' '))!;
    const loaded = (await import(path.join(ROOT, module[1]))) as Record<string, unknown>;
    expect(typeof loaded[module[2]]).toBe('function');
  });
});
