import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { ensureTemporalCli, TEMPORAL_CLI_VERSION } from '../src/stack/temporal-cli';

/**
 * `npm run setup`: what the tests need beyond npm packages: the pinned Temporal CLI (in .temporal/bin
 * unless one is found), a Chromium for the Web UI test, a redis-server for the RAG cache test, Prometheus (for
 * `--monitoring` and its test) with promtool, and amtool for the alert rules' tests (Debian's packages, when run as
 * root).
 */

/** A program the tests run: found at `path`, or installed from Debian's `pkg` when run as root. */
function ensureDebianProgram(what: string, path: string, pkg: string, envVar: string): void {
  if (!fs.existsSync(path)) {
    if (process.getuid?.() !== 0 || !fs.existsSync('/usr/bin/apt-get')) {
      throw new Error(`no ${what} at ${path}: install Debian's '${pkg}' package, or set ${envVar}`);
    }
    console.error(`installing ${pkg} from Debian (apt-get)`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], { stdio: 'inherit', env });
  }
  console.log(`${what}: ${path}`);
}

try {
  const cli = ensureTemporalCli((line) => console.error(line));
  console.log(`temporal CLI: ${cli} (pinned version ${TEMPORAL_CLI_VERSION})`);
  ensureDebianProgram('chromium', process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', 'chromium', 'CHROMIUM_PATH');
  ensureDebianProgram(
    'redis-server',
    process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server',
    'redis-server',
    'REDIS_SERVER_PATH',
  );
  ensureDebianProgram(
    'prometheus',
    process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus',
    'prometheus',
    'PROMETHEUS_PATH',
  );
  ensureDebianProgram('promtool', process.env.PROMTOOL_PATH ?? '/usr/bin/promtool', 'prometheus', 'PROMTOOL_PATH');
  ensureDebianProgram('amtool', process.env.AMTOOL_PATH ?? '/usr/bin/amtool', 'prometheus-alertmanager', 'AMTOOL_PATH');
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
