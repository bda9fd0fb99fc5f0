import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { isAlive } from '../../src/proc';
import type { ManagedProcess } from '../../src/stack/processes';
import { Supervisor } from '../../src/stack/supervisor';
import { nodeChild as nodeChildIn, SERVE_SCRIPT, until } from '../support/node-children';

// Real processes (tiny node scripts), a real supervisor: only the children are stand-ins for the stack's.
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-supervisor-'));
afterAll(() => fs.rmSync(logDir, { recursive: true, force: true }));

const nodeChild = (name: string, script: string) => nodeChildIn(name, logDir, script);
const fast = { initialDelayMs: 20, maxDelayMs: 100, maxFailures: 3, stableMs: 60_000 };

const serve = SERVE_SCRIPT;

test('a killed child is restarted, each restart printed and counted, its log kept across restarts', async () => {
  const lines: string[] = [];
  const spawned: ManagedProcess[] = [];
  const sup = new Supervisor({
    log: (l) => lines.push(l),
    logFile: path.join(logDir, 'supervisor.log'),
    onSpawn: (p) => spawned.push(p),
    policy: fast,
  });
  await sup.add(nodeChild('svc', serve));
  try {
    for (let round = 1; round <= 2; round++) {
      const pid = sup.status()[0].pid!;
      process.kill(pid, 'SIGKILL');
      await until(() => sup.status()[0].restarts === round && sup.status()[0].state === 'running');
      expect(sup.status()[0].pid).not.toBe(pid);
      expect(sup.status()[0].last_exit).toMatchObject({ code: null, signal: 'SIGKILL' });
    }
    expect(sup.restarts).toBe(2);
    expect(lines.filter((l) => /^svc exited \(signal SIGKILL\); restart \d\/3 after/.test(l))).toHaveLength(2);
    expect(lines.filter((l) => /^svc restarted: pid \d+/.test(l))).toHaveLength(2);
    expect(fs.readFileSync(path.join(logDir, 'supervisor.log'), 'utf8')).toContain('svc restarted');
    // All three processes wrote to one log, each after its own header.
    expect(fs.readFileSync(path.join(logDir, 'svc.log'), 'utf8').match(/--- svc started/g)).toHaveLength(3);
  } finally {
    await sup.stop();
  }
  expect(spawned.filter((p) => isAlive(p.child.pid!))).toEqual([]);
});

test('a child that keeps failing is given up on with one line naming it and its log', async () => {
  const lines: string[] = [];
  const sup = new Supervisor({ log: (l) => lines.push(l), policy: fast });
  // Serves at first, then every later start dies before it is ready.
  const marker = path.join(logDir, 'flaky-started');
  await sup.add(
    nodeChild(
      'flaky',
      `const fs = require('fs'); if (fs.existsSync(${JSON.stringify(marker)})) process.exit(3);` +
        `fs.writeFileSync(${JSON.stringify(marker)}, ''); ${serve}`,
    ),
  );
  try {
    process.kill(sup.status()[0].pid!, 'SIGKILL');
    await until(() => sup.status()[0].state === 'failed');
    const gaveUp = lines.filter((l) => l.startsWith('gave up'));
    expect(gaveUp).toEqual([
      `gave up on flaky after 3 failed restarts in a row; its log: ${path.join(logDir, 'flaky.log')}`,
    ]);
    expect(lines.filter((l) => /^flaky did not come back/.test(l))).toHaveLength(2);
    expect(sup.status()[0].restarts).toBe(0);
  } finally {
    await sup.stop();
  }
});

test('stopping stops every child and restarts nothing, even a child that dies while the stack stops', async () => {
  const lines: string[] = [];
  const sup = new Supervisor({ log: (l) => lines.push(l), policy: fast });
  await sup.add(nodeChild('first', serve));
  await sup.add(nodeChild('second', serve));
  const pids = sup.status().map((s) => s.pid!);
  const stopping = sup.stop();
  // 'second' is stopped first; 'first' dies on its own meanwhile, as a child hit by the same Ctrl-C would.
  process.kill(pids[0], 'SIGKILL');
  await stopping;
  expect(pids.filter(isAlive)).toEqual([]);
  await delay(300); // longer than any backoff of this policy: a restart would have begun
  expect(lines).toEqual([]);
  expect(sup.status().map((s) => s.state)).toEqual(['stopped', 'stopped']);
});
