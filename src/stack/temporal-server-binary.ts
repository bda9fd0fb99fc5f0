import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../config';
import { findGo } from './temporal-cli';

/** The pinned official server, the same version the pinned CLI's dev server embeds. */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
/** The pinned official Web UI server, the one the pinned CLI embeds (so its Go modules are already cached). */
export const TEMPORAL_UI_SERVER_VERSION = '2.42.1';
const MODULE = 'go.temporal.io/server';
const CACHE_DIR = path.join(PROJECT_ROOT, '.temporal', 'bin');

/** The binaries the cluster needs: the server (every role), the SQL schema tool and the Web UI server. */
export const SERVER_BINARIES = {
  server: {
    package: `${MODULE}/cmd/server`,
    version: TEMPORAL_SERVER_VERSION,
    built: 'server',
    cache: path.join(CACHE_DIR, `temporal-server-${TEMPORAL_SERVER_VERSION}`),
    env: 'TEMPORAL_SERVER_PATH',
  },
  sqlTool: {
    package: `${MODULE}/cmd/tools/sql`,
    version: TEMPORAL_SERVER_VERSION,
    built: 'sql',
    cache: path.join(CACHE_DIR, `temporal-sql-tool-${TEMPORAL_SERVER_VERSION}`),
    env: 'TEMPORAL_SQL_TOOL_PATH',
  },
  // ui-server's cmd/server embeds the built UI assets, like the CLI's dev server does.
  ui: {
    package: 'github.com/temporalio/ui-server/v2/cmd/server',
    version: TEMPORAL_UI_SERVER_VERSION,
    built: 'server',
    cache: path.join(CACHE_DIR, `temporal-ui-server-${TEMPORAL_UI_SERVER_VERSION}`),
    env: 'TEMPORAL_UI_SERVER_PATH',
  },
} as const;

export type ServerBinaries = Record<keyof typeof SERVER_BINARIES, string>;

/** Each prints "… version X" for --version; anything else is not the pinned build. */
function runsAsVersion(file: string, version: string): boolean {
  if (!fs.existsSync(file)) return false;
  const r = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 && r.stdout.includes(version);
}

/** The binaries at hand: TEMPORAL_SERVER_PATH / TEMPORAL_SQL_TOOL_PATH, else the project's cache. */
export function findServerBinaries(): Partial<ServerBinaries> {
  const found: Partial<ServerBinaries> = {};
  for (const [key, b] of Object.entries(SERVER_BINARIES) as Array<
    [keyof ServerBinaries, (typeof SERVER_BINARIES)[keyof ServerBinaries]]
  >) {
    const fromEnv = process.env[b.env];
    if (fromEnv) {
      if (!fs.existsSync(fromEnv)) throw new Error(`${b.env}=${fromEnv} does not exist`);
      found[key] = fromEnv;
    } else if (runsAsVersion(b.cache, b.version)) {
      found[key] = b.cache;
    }
  }
  return found;
}

type BinaryKey = keyof ServerBinaries;

/** `go install` takes packages of one module per call: the server's two, the UI server's one. */
function installCommands(missing: BinaryKey[]): string[][] {
  const byModule = new Map<string, string[]>();
  for (const k of missing) {
    const b = SERVER_BINARIES[k];
    const spec = `${b.package}@v${b.version}`;
    const mod = spec.split('/cmd/')[0];
    byModule.set(mod, [...(byModule.get(mod) ?? []), spec]);
  }
  return [...byModule.values()];
}

/**
 * The server, SQL tool and UI server, built from the Go module proxy into `.temporal/bin` when missing (about
 * five minutes of CPU on two cores with the CLI's modules cached; reused afterwards). Throws one clear line when
 * no route works.
 */
export function ensureServerBinaries(log: (line: string) => void = console.error): ServerBinaries {
  const found = findServerBinaries();
  const missing = (Object.keys(SERVER_BINARIES) as BinaryKey[]).filter((k) => !found[k]);
  if (!missing.length) return found as ServerBinaries;
  const go = findGo();
  const commands = installCommands(missing);
  if (!go) {
    throw new Error(
      `the Temporal server binaries (${missing.join(', ')}) are not in ${CACHE_DIR} and there is no go toolchain to ` +
        `build them: install Go, or build them elsewhere (${commands.map((c) => `'go install ${c.join(' ')}'`).join(', ')}) ` +
        `and set ${missing.map((k) => SERVER_BINARIES[k].env).join(' / ')}`,
    );
  }
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  for (const packages of commands) {
    // Each call gets its own GOBIN: the server and the UI server both build a binary named `server`.
    const gobin = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-server-go-'));
    log(`building ${packages.join(' and ')} with ${go} (a few minutes; reused afterwards)`);
    try {
      execFileSync(go, ['install', '-ldflags=-s -w', ...packages], {
        env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      for (const k of missing.filter((m) => packages.some((p) => p.startsWith(`${SERVER_BINARIES[m].package}@`)))) {
        const b = SERVER_BINARIES[k];
        // Copy then rename, so a concurrent start never runs half a binary.
        const partial = `${b.cache}.${process.pid}.tmp`;
        fs.copyFileSync(path.join(gobin, b.built), partial);
        fs.chmodSync(partial, 0o755);
        fs.renameSync(partial, b.cache);
        found[k] = b.cache;
      }
    } catch (err) {
      throw new Error(`could not build ${packages.join(' and ')}: ${(err as Error).message.split('\n')[0]}`);
    } finally {
      fs.rmSync(gobin, { recursive: true, force: true });
    }
  }
  return found as ServerBinaries;
}
