import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { NetFaults } from '../../src/stack/netfault/faults';
import { stackServesAgain } from '../../src/stack/netfault/heal';
import { leftovers } from '../../src/stack/netfault/rules';
import { makeNetnsLab, type NetnsLab } from '../support/netns-lab';

// Real namespaces, iptables and tc: only root may make them. CI runs as root; elsewhere this says why it skips.
const isRoot = process.getuid?.() === 0;
const hasIp = (() => {
  try {
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
    execFileSync('iptables', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const describeRoot = isRoot && hasIp ? describe : describe.skip;
if (!isRoot || !hasIp) {
  process.stderr.write(
    `netfault.test.ts skipped: it needs root and the ip and iptables commands (${isRoot ? 'a command is missing' : 'not root'})\n`,
  );
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await delay(20);
  }
}

describeRoot('network faults between two namespaces of the test’s own', () => {
  let lab: NetnsLab;
  let faults: NetFaults;
  const lines: string[] = [];
  beforeAll(async () => {
    lab = await makeNetnsLab();
    faults = new NetFaults({ hosts: lab.hosts, say: (l) => lines.push(l), healTimeoutMs: 20_000 });
  });
  afterAll(() => lab?.remove());

  afterEach(async () => {
    // Each fault removed everything it put in either namespace.
    for (const h of Object.values(lab.hosts)) expect(await leftovers(h.netns)).toEqual([]);
  });

  test('partition: new connections time out and an open one stalls; after it, both flow again', async () => {
    expect(await lab.ask({ op: 'hold' })).toMatchObject({ ok: true });
    expect(await lab.ask({ op: 'echo' })).toMatchObject({ ok: true });
    const fault = await faults.open({ kind: 'partition', a: 'a', b: 'b' });
    expect(await lab.ask({ op: 'connect' })).toMatchObject({ ok: false, err: 'timeout' });
    // The echo is sent into the partition: no answer while it holds.
    const stalled = lab.ask({ op: 'echo', timeoutMs: 15_000 });
    expect(await Promise.race([stalled, delay(1500).then(() => 'stalled')])).toBe('stalled');
    await faults.close(fault);
    expect(fault.end_offset_seconds).toBeGreaterThan(fault.offset_seconds);
    expect(await stalled).toMatchObject({ ok: true });
    await until(() => fault.healed_after_ms !== null);
    expect(fault.healed_after_ms).toBeLessThan(15_000);
    expect(await lab.ask({ op: 'connect' })).toMatchObject({ ok: true });
    expect(lab.events).toEqual([]); // the open connection survived the partition
  });

  test('slow: a transfer between the two is held to the rate, and is fast again after', async () => {
    const before = await lab.ask({ op: 'big', timeoutMs: 5_000 });
    expect(before).toMatchObject({ ok: true });
    const fault = await faults.open({ kind: 'slow', a: 'a', b: 'b', rate: '1mbit' });
    expect(fault.detail).toMatch(/rate 1mbit/);
    const slowed = await lab.ask({ op: 'big', timeoutMs: 5_000 });
    await faults.close(fault);
    const after = await lab.ask({ op: 'big', timeoutMs: 5_000 });
    // 256 KiB at 1 Mbit/s takes about 2.1 s; unshaped it takes milliseconds.
    expect(slowed).toMatchObject({ ok: true });
    expect(slowed.ms as number).toBeGreaterThan(1500);
    expect(before.ms as number).toBeLessThan(500);
    expect(after.ms as number).toBeLessThan(500);
    process.stderr.write(`slow: 256 KiB in ${before.ms} ms, at 1mbit ${slowed.ms} ms, after ${after.ms} ms\n`);
  });

  test('reset: an open connection is cut at once, and new ones open after', async () => {
    expect(lab.events).toEqual([]);
    const fault = await faults.open({ kind: 'reset', a: 'a', b: 'b' });
    await until(() => lab.events.some((e) => e.event === 'close'));
    expect(lab.events[0]).toMatchObject({ event: 'error' });
    expect(['ECONNABORTED', 'ECONNRESET']).toContain(lab.events[0].err);
    await faults.close(fault);
    expect(await lab.ask({ op: 'connect' })).toMatchObject({ ok: true });
    await until(() => fault.healed_after_ms !== null);
    // With a window (for=), new connections are refused by a reset until its end.
    const windowed = await faults.open({ kind: 'reset', a: 'a', b: 'b', window: true });
    expect(await lab.ask({ op: 'connect' })).toMatchObject({
      ok: false,
      err: expect.stringMatching(/ECONNREFUSED|ECONNRESET|EPERM/),
    });
    await faults.close(windowed);
    expect(await lab.ask({ op: 'connect' })).toMatchObject({ ok: true });
    await until(() => windowed.healed_after_ms !== null);
  });

  test('a fault a run left behind (killed before it removed it) is cleared by the next; a live run’s and other rules stay', async () => {
    const ns = lab.hosts.a.netns;
    const other = ['OUTPUT', '-d', '10.250.77.9', '-j', 'ACCEPT'];
    execFileSync('ip', ['netns', 'exec', ns, 'iptables', '-A', ...other]);
    // A run of its own puts a partition and a slow fault in place, and is killed before it can remove them.
    const script = path.join(os.tmpdir(), `gv-netfault-crash-${process.pid}.ts`);
    fs.writeFileSync(
      script,
      `import { NetFaults } from ${JSON.stringify(path.resolve(__dirname, '../../src/stack/netfault/faults'))};
      const f = new NetFaults({ hosts: ${JSON.stringify(lab.hosts)} });
      void f.open({ kind: 'partition', a: 'a', b: 'b' }).then(() => f.open({ kind: 'slow', a: 'a', b: 'b' }))
        .then(() => { console.log('up'); setInterval(() => {}, 1000); });`,
    );
    const crashed = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: path.resolve(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise((resolve) => crashed.stdout.once('data', resolve));
    crashed.kill('SIGKILL');
    await new Promise((resolve) => crashed.once('exit', resolve));
    fs.rmSync(script);
    const left = await leftovers(ns);
    expect(left.some((l) => l.includes(`gvsim-fault-${crashed.pid}-`))).toBe(true);
    expect(left.some((l) => l.includes('htb 6776:'))).toBe(true);
    // This process's own fault is a live run's: the clean-up leaves it.
    const mine = await faults.open({ kind: 'partition', a: 'a', b: 'b' });
    await new NetFaults({ hosts: lab.hosts }).clearStale();
    const rules = execFileSync('ip', ['netns', 'exec', ns, 'iptables', '-S']).toString();
    expect(rules).not.toContain(`gvsim-fault-${crashed.pid}-`);
    expect(rules).toContain(`gvsim-fault-${process.pid}-${mine.id}`);
    expect(rules).toContain('-A OUTPUT -d 10.250.77.9/32 -j ACCEPT');
    expect(execFileSync('ip', ['netns', 'exec', ns, 'tc', 'qdisc', 'show']).toString()).not.toContain('htb 6776:');
    await faults.close(mine);
    await until(() => mine.healed_after_ms !== null);
    execFileSync('ip', ['netns', 'exec', ns, 'iptables', '-D', ...other]);
  });

  test('the record: every fault with its start, end, detail and heal; unknown hosts refused by name', async () => {
    expect(faults.faults.map((f) => f.kind)).toEqual(['partition', 'slow', 'reset', 'reset', 'partition']);
    for (const f of faults.faults) {
      expect(f.end_offset_seconds).not.toBeNull();
      expect(f.healed_after_ms).not.toBeNull();
    }
    await expect(faults.open({ kind: 'partition', a: 'a', b: 'c' })).rejects.toThrow(
      /no host 'c' in the stack's hosts \(a, b\)/,
    );
    process.stderr.write(`${lines.join('\n')}\n`);
  });

  test('with the frontend on one side, serving again also takes a Temporal call from the other side', async () => {
    const { a, b } = lab.hosts;
    // Stand-ins for the temporal CLI: one whose call fails, one whose call answers (run inside a's namespace).
    const frontendSide = { a: 'temporal-frontend', b: 'worker-1' };
    expect(await stackServesAgain('10.250.77.2:7233', '/bin/false')(b, a, frontendSide)).toBe(false);
    expect(await stackServesAgain('10.250.77.2:7233', '/bin/true')(b, a, frontendSide)).toBe(true);
    expect(await stackServesAgain('10.250.77.2:7233', '/bin/false')(a, b, { a: 'worker-1', b: 'gateway' })).toBe(true);
  });
});

(isRoot && hasIp ? test : test.skip)('nothing of the lab is left: no namespace, no link', () => {
  // Runs after the describe block's afterAll removed the lab.
  const namespaces = execFileSync('ip', ['netns', 'list']).toString();
  const links = execFileSync('ip', ['-o', 'link', 'show']).toString();
  const tag = `gvnf${process.pid % 100_000}`;
  expect(namespaces).not.toContain(tag);
  expect(links).not.toContain(tag);
});
