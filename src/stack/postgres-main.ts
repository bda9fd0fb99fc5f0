import { isAlive } from '../proc';
import { postmasterPid } from './orphans';
import { runEmbeddedPostgres } from './postgres';

/**
 * `postgres-main.ts <dataDir> <port> [<ip> <subnet>]`: the embedded server until SIGINT/SIGTERM (its exit hooks stop
 * it), listening on its host's own address too when given one (--hosts).
 * When the postmaster dies under it (killed, crashed), this process exits too, so its supervisor restarts both.
 */
async function run(): Promise<void> {
  const [dataDir, port, ip, subnet] = process.argv.slice(2);
  await runEmbeddedPostgres(dataDir, Number(port), ip ? { ip, subnet } : undefined);
  const postmaster = postmasterPid(dataDir);
  console.log(`postgres ready on port ${port} (postmaster pid ${postmaster})`);
  setInterval(() => {
    if (postmaster && isAlive(postmaster)) return;
    console.error(`the postmaster (pid ${postmaster}) is gone; exiting so the supervisor restarts PostgreSQL`);
    process.exit(1);
  }, 250);
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
