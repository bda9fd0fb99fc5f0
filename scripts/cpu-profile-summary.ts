import fs from 'node:fs';
import { z } from 'zod';

/**
 * `npx tsx scripts/cpu-profile-summary.ts FILE.cpuprofile [--top N] [--skip S]`: where a Node process's CPU went, from a
 * V8 CPU profile (`node --cpu-prof`; docs/benchmarks.md shows how to take one of the worker during the bench).
 * Prints self time by part (the Temporal SDK, the workflow sandbox, the activities, HTTP, PostgreSQL, GC, idle…)
 * and the top functions by self time. `--skip S` leaves out the first S seconds (start-up: loading, bundling).
 */
const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** The part of the process a frame belongs to, by its script's path (first match wins). */
const PARTS: [string, RegExp][] = [
  ['idle', /^\(idle\)$/],
  ['garbage collection', /^\(garbage collector\)$/],
  ['native / program', /^\(program\)$/],
  ['workflow sandbox (bundle)', /workflow-bundle|webpack|\/workflows\//],
  ['temporal sdk: worker', /@temporalio\/worker/],
  ['temporal sdk: other', /@temporalio\//],
  ['protobuf', /protobufjs|@temporalio\/proto/],
  ['undici (HTTP)', /undici/],
  ['pg (PostgreSQL client)', /\/pg(-[a-z]+)?\//],
  ['project: activities', /\/src\/activities\//],
  ['project: other', /\/src\//],
  ['node internals', /^node:|^internal\//],
];

function partOf(functionName: string, url: string): string {
  for (const [part, re] of PARTS) if (re.test(url) || re.test(functionName)) return part;
  return url ? 'other dependencies' : `(${functionName || 'anonymous'})`;
}

function main(): void {
  process.stdout.on('error', () => process.exit(0)); // a closed pipe (`| head`) ends the listing
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args[topAt + 1]) : 15;
  const skipAt = args.indexOf('--skip');
  const skipUs = skipAt >= 0 ? Number(args[skipAt + 1]) * 1e6 : 0;
  if (!file || !Number.isInteger(top) || top < 1 || !(skipUs >= 0)) {
    console.error('usage: tsx scripts/cpu-profile-summary.ts FILE.cpuprofile [--top N] [--skip SECONDS]');
    process.exit(2);
  }
  let profile: z.infer<typeof profileSchema>;
  try {
    profile = profileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    console.error(`${file}: not a readable V8 CPU profile (${(err as Error).message.split('\n')[0]})`);
    process.exit(2);
  }
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let at = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= skipUs) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const parts = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    total += us;
    const part = partOf(functionName, url);
    parts.set(part, (parts.get(part) ?? 0) + us);
    const where = url.replace(/^.*node_modules\//, '').replace(/^file:\/\//, '');
    const name = `${functionName || '(anonymous)'} ${url ? `${where}:${lineNumber + 1}` : ''}`.trim();
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const busy = total - (parts.get('idle') ?? 0);
  const row = (name: string, us: number) =>
    `${name.padEnd(60)} ${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / busy).toFixed(1).padStart(6)} %`;
  console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (shares of busy)`);
  for (const [part, us] of [...parts].sort((a, b) => b[1] - a[1])) if (part !== 'idle') console.log(row(part, us));
  console.log(`\ntop ${top} functions by self time`);
  for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(row(name, us));
}

main();
