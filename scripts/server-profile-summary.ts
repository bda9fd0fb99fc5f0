import fs from 'node:fs';
import readline from 'node:readline';

/**
 * `perf script -i FILE | npx tsx scripts/server-profile-summary.ts`: where a Temporal server's CPU went, from a Linux
 * `perf record -g` profile of an unstripped server (docs/benchmarks.md shows how to take one during the bench).
 * Prints each sample's work (the gRPC method its goroutine served, the history queue it processed, the garbage
 * collector), then cross-cutting shares (SQLite, statement preparation, allocation, protobuf, gzip), in % of samples.
 */

type Sample = string[];

/** The samples of `perf script` text, read line by line (it runs to gigabytes): frame names, leaf first. */
async function samples(input: NodeJS.ReadableStream): Promise<Sample[]> {
  const out: Sample[] = [];
  let current: Sample | undefined;
  for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) {
    if (line.trim() === '') {
      if (current) out.push(current);
      current = undefined;
    } else if (!/^\s/.test(line)) {
      current = [];
    } else if (current) {
      // "\t  ffffffff813ae453 finish_task_switch.isra.0+0x93 ([kernel.kallsyms])"
      const m = /^\s*[0-9a-f]+\s+(.+?)(?:\+0x[0-9a-f]+)?\s+\(/.exec(line);
      if (m) current.push(m[1]);
    }
  }
  if (current) out.push(current);
  return out;
}

/** What one sample's goroutine was doing: the gRPC method it served, else the queue task, else what else says. */
function work(frames: Sample): string {
  const outermost = (re: RegExp) => {
    for (let i = frames.length - 1; i >= 0; i--) {
      const m = re.exec(frames[i]);
      if (m) return m;
    }
    return undefined;
  };
  const rpc = outermost(/_(History|Matching|Workflow|Operator|Admin)Service_(\w+)_Handler/);
  if (rpc) {
    const role = {
      History: 'history',
      Matching: 'matching',
      Workflow: 'frontend',
      Operator: 'frontend',
      Admin: 'admin',
    };
    return `${role[rpc[1] as keyof typeof role]} ${rpc[2]}`;
  }
  const queue = outermost(/history\.\(\*(transfer|visibility|timer|outbound|archival)\w*TaskExecutor\)/);
  if (queue) return `history ${queue[1]} queue: executing tasks`;
  if (outermost(/service\/history\/queues\./)) return 'history queues: reading, scheduling, bookkeeping';
  if (outermost(/^runtime\.gcBgMarkWorker/)) return 'garbage collector (background)';
  if (outermost(/^google\.golang\.org\/grpc/)) return 'gRPC transport (framing, reading, writing)';
  if (outermost(/^runtime\.(mcall|schedule|findRunnable|park_m|goexit0|mstart)/)) return 'Go scheduler';
  if (frames.some((f) => /^(finish_task_switch|__schedule|schedule|irqentry|asm_|entry_SYSCALL)/.test(f)))
    return 'kernel';
  return `other (${frames.at(-1) ?? '?'})`;
}

const CROSS_CUTS: [string, RegExp][] = [
  ['SQLite (modernc.org/sqlite, all of it)', /^modernc\.org\/(sqlite|libc)/],
  ['  of which statement preparation', /_sqlite3LockAndPrepare/],
  ['allocation (runtime.mallocgc)', /^runtime\.mallocgc$/],
  ['protobuf', /^google\.golang\.org\/protobuf/],
  ['gzip (gRPC compression)', /^compress\/(flate|gzip)/],
  ['metrics (tally, prometheus client)', /^github\.com\/(uber-go\/tally|prometheus\/client_golang)/],
];

async function main(): Promise<void> {
  // Piped into head or less, a closed pipe ends the summary quietly.
  process.stdout.on('error', () => process.exit(0));
  const file = process.argv[2];
  const all = await samples(file && file !== '-' ? fs.createReadStream(file) : process.stdin);
  if (all.length === 0) {
    console.error('no samples: give the output of `perf script -i FILE` (on stdin or as a file)');
    process.exit(2);
  }
  const pct = (n: number) => `${((100 * n) / all.length).toFixed(1).padStart(5)} %`;
  const byWork = new Map<string, number>();
  for (const s of all) byWork.set(work(s), (byWork.get(work(s)) ?? 0) + 1);
  console.log(`${all.length} samples\n\nwhat the server was doing`);
  for (const [w, n] of [...byWork].sort((a, b) => b[1] - a[1]).filter(([, n]) => n / all.length >= 0.005))
    console.log(`  ${pct(n)}  ${w}`);
  console.log('\nacross all of it');
  for (const [name, re] of CROSS_CUTS)
    console.log(`  ${pct(all.filter((s) => s.some((f) => re.test(f))).length)}  ${name}`);
}

void main();
