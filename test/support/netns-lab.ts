import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { NetHosts } from '../../src/stack/netfault/hosts';

/** Two network namespaces of the test's own on a bridge of its own: `a` (a client agent) and `b` (a TCP server). */
export interface NetnsLab {
  hosts: NetHosts;
  /** Asks the agent in `a` to do one thing; resolves with its answer. */
  ask(op: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Events of the connection `hold` opened (close, error). */
  events: Array<Record<string, unknown>>;
  /** Every namespace and link the lab made, for the check that none is left. */
  names: { netns: string[]; links: string[] };
  remove(): Promise<void>;
}

const PORT = 7070;
const BIG = 256 * 1024;

// 'big' answers 256 KiB and closes; anything else is echoed.
const SERVER = `require('net').createServer((s) => { s.on('error', () => {}); s.on('data', (d) => {
  if (d.toString().startsWith('big')) s.end(Buffer.alloc(${BIG}, 97)); else s.write(d); });
}).listen(${PORT}, '0.0.0.0', () => console.log('up'));`;

// Reads JSON requests on stdin, answers each as a JSON line: hold, echo, connect, big.
const AGENT = `const net = require('net'); let held; const say = (o) => console.log(JSON.stringify(o));
const open = (t) => new Promise((ok) => { const s = net.connect({ host: process.argv[1], port: ${PORT} });
  const timer = setTimeout(() => { s.destroy(); ok({ err: 'timeout' }); }, t);
  s.once('connect', () => { clearTimeout(timer); ok({ s }); }); s.once('error', (e) => { clearTimeout(timer); ok({ err: e.code }); }); });
const ops = {
  async hold(q) { const r = await open(q.timeoutMs); if (r.err) return { ok: false, err: r.err }; held = r.s;
    held.on('error', (e) => say({ event: 'error', err: e.code })); held.on('close', () => say({ event: 'close' })); return { ok: true }; },
  echo(q) { return new Promise((ok) => { const t0 = Date.now(); const timer = setTimeout(() => ok({ ok: false }), q.timeoutMs);
    held.once('data', () => { clearTimeout(timer); ok({ ok: true, ms: Date.now() - t0 }); }); held.write('ping'); }); },
  async connect(q) { const t0 = Date.now(); const r = await open(q.timeoutMs); r.s?.destroy(); return { ok: !r.err, err: r.err, ms: Date.now() - t0 }; },
  async big(q) { const t0 = Date.now(); const r = await open(q.timeoutMs); if (r.err) return { ok: false, err: r.err };
    let n = 0; return new Promise((ok) => { r.s.on('data', (d) => (n += d.length)); r.s.on('close', () => ok({ ok: n === ${BIG}, ms: Date.now() - t0 })); r.s.write('big'); }); },
};
require('readline').createInterface({ input: process.stdin }).on('line', async (l) => { const q = JSON.parse(l); say({ id: q.id, ...(await ops[q.op](q)) }); });
console.log('up');`;

const sh = (args: string[]) => execFileSync(args[0], args.slice(1), { stdio: 'pipe' }).toString();

/** A node process in a namespace, resolved once it printed 'up'. */
function startIn(netns: string, script: string, arg?: string): Promise<ChildProcessWithoutNullStreams> {
  const p = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', script, ...(arg ? [arg] : [])]);
  return new Promise((resolve, reject) => {
    p.stdout.once('data', () => resolve(p));
    p.once('exit', (code) => reject(new Error(`${netns}: node exited ${code}`)));
  });
}

/** Makes the lab: names carry the project's prefix and this process's pid, so parallel runs do not meet. */
export async function makeNetnsLab(): Promise<NetnsLab> {
  const tag = `gvnf${process.pid % 100_000}`;
  const names = { netns: [`${tag}-a`, `${tag}-b`], links: [`${tag}br`, `${tag}a`, `${tag}b`] };
  const ips = ['10.250.77.1', '10.250.77.2'];
  const procs: ChildProcessWithoutNullStreams[] = [];
  const remove = async () => {
    // A namespace lives on while a process is in it: each process is waited for.
    const gone = procs.map((p) =>
      p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : undefined,
    );
    procs.forEach((p) => p.kill('SIGKILL'));
    await Promise.all(gone);
    // Links first: the kernel tears a namespace down in the background, so its veth would outlive `netns del`.
    const links = [...names.links].reverse().map((l) => ['ip', 'link', 'del', l]);
    for (const args of [...links, ...names.netns.map((ns) => ['ip', 'netns', 'del', ns])]) {
      try {
        sh(args);
      } catch {
        // already gone
      }
    }
  };
  sh(['ip', 'link', 'add', names.links[0], 'type', 'bridge']);
  sh(['ip', 'link', 'set', names.links[0], 'up']);
  names.netns.forEach((ns, i) => {
    sh(['ip', 'netns', 'add', ns]);
    sh(['ip', 'link', 'add', names.links[i + 1], 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    sh(['ip', 'link', 'set', names.links[i + 1], 'master', names.links[0], 'up']);
    sh(['ip', '-n', ns, 'addr', 'add', `${ips[i]}/24`, 'dev', 'eth0']);
    sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  });
  procs.push(await startIn(names.netns[1], SERVER));
  const agent = await startIn(names.netns[0], AGENT, ips[1]);
  procs.push(agent);
  const events: Array<Record<string, unknown>> = [];
  const waiting = new Map<number, (r: Record<string, unknown>) => void>();
  let buffer = '';
  agent.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const line of lines.filter(Boolean)) {
      const msg = JSON.parse(line) as Record<string, unknown>;
      if (typeof msg.id === 'number') waiting.get(msg.id)?.(msg);
      else events.push(msg);
    }
  });
  let next = 0;
  const ask = (op: Record<string, unknown>) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const id = ++next;
      waiting.set(id, resolve);
      agent.stdin.write(`${JSON.stringify({ timeoutMs: 1000, ...op, id })}\n`);
    });
  return {
    hosts: { a: { netns: names.netns[0], ip: ips[0] }, b: { netns: names.netns[1], ip: ips[1] } },
    ask,
    events,
    names,
    remove,
  };
}
