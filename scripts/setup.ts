import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { ensureTemporalCli, TEMPORAL_CLI_VERSION } from '../src/stack/temporal-cli';

/**
 * `npm run setup`: what the tests need beyond npm packages: the pinned Temporal CLI (in .temporal/bin
 * unless one is found), a Chromium for the Web UI test and a redis-server for the RAG cache test (Debian's
 * packages, when run as root).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM)) {
    console.log(`chromium: ${CHROMIUM}`);
    return;
  }
  if (process.getuid?.() !== 0 || !fs.existsSync('/usr/bin/apt-get')) {
    throw new Error(`no chromium at ${CHROMIUM}: install Debian's 'chromium' package, or set CHROMIUM_PATH`);
  }
  console.error('installing chromium from Debian (apt-get)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env });
  console.log(`chromium: ${CHROMIUM}`);
}

const REDIS_SERVER = process.env.REDIS_SERVER_PATH ?? '/usr/bin/redis-server';

function ensureRedisServer(): void {
  if (fs.existsSync(REDIS_SERVER)) {
    console.log(`redis-server: ${REDIS_SERVER}`);
    return;
  }
  if (process.getuid?.() !== 0 || !fs.existsSync('/usr/bin/apt-get')) {
    throw new Error(`no redis-server at ${REDIS_SERVER}: install Debian's 'redis-server', or set REDIS_SERVER_PATH`);
  }
  console.error('installing redis-server from Debian (apt-get)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], {
    stdio: 'inherit',
    env,
  });
  console.log(`redis-server: ${REDIS_SERVER}`);
}

try {
  const cli = ensureTemporalCli((line) => console.error(line));
  console.log(`temporal CLI: ${cli} (pinned version ${TEMPORAL_CLI_VERSION})`);
  ensureChromium();
  ensureRedisServer();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
