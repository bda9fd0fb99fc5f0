import { runEmbeddedPostgres } from './postgres';

/** `postgres-main.ts <dataDir> <port>`: the embedded server until SIGINT/SIGTERM (its exit hooks stop it). */
async function run(): Promise<void> {
  const [dataDir, port] = process.argv.slice(2);
  await runEmbeddedPostgres(dataDir, Number(port));
  console.log(`postgres ready on port ${port}`);
  // Keep the process (and so the server) alive until a signal arrives.
  setInterval(() => undefined, 1 << 30);
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});
