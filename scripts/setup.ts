import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { ensureTemporalCli, TEMPORAL_CLI_VERSION } from '../src/stack/temporal-cli';
import { ensureServerBinaries } from '../src/stack/temporal-server-binary';

/**
 * `npm run setup`: what the tests need beyond npm packages: the pinned Temporal CLI (in .temporal/bin
 * unless one is found), the official server, its SQL tool and UI server for `--temporal cluster` (built from the Go
 * module proxy into .temporal/bin, reused when there; required in CI, a warning elsewhere), a Chromium for the Web
 * UI test, a redis-server for the RAG cache test, Prometheus (for `--monitoring` and its test) with promtool, and
 * amtool for the alert rules' tests, and as root iproute2 and iptables for `--hosts` (Debian's packages, when run as
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
  try {
    const server = ensureServerBinaries((line) => console.error(line));
    console.log(`temporal server, sql tool, ui server: ${Object.values(server).join(', ')}`);
  } catch (err) {
    // Only `--temporal cluster` and its test need them; CI runs that test, so there it is an error.
    if (process.env.CI === 'true') throw err;
    console.error(`warning: ${(err as Error).message}; 'npm run stack -- --temporal cluster' will say so too`);
  }
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
  // `--hosts` (namespaces, a bridge, veth pairs) and its network faults need root, so only root's setup installs them.
  if (process.getuid?.() === 0) {
    ensureDebianProgram('ip', process.env.IP_PATH ?? '/usr/sbin/ip', 'iproute2', 'IP_PATH');
    ensureDebianProgram('iptables', process.env.IPTABLES_PATH ?? '/usr/sbin/iptables', 'iptables', 'IPTABLES_PATH');
  }
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
