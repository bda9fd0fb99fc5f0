import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseChaos } from '../../src/cli/chaos-options';
import { startChaos } from '../../src/stack/chaos';
import { Supervisor } from '../../src/stack/supervisor';
import { nodeChild, until } from '../support/node-children';

// Real processes under the real supervisor, named as a cluster stack names its children.
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gv-chaos-roles-'));
afterAll(() => fs.rmSync(logDir, { recursive: true, force: true }));

const NAMES = ['temporal-frontend', 'temporal-history', 'temporal-matching', 'worker-1', 'worker-2'];

test('kill=worker-2, kill=temporal-history and kill=worker: each kills one process, and only it is restarted', async () => {
  const sup = new Supervisor({ log: () => undefined, policy: { initialDelayMs: 20, maxDelayMs: 100 } });
  for (const name of NAMES) await sup.add(nodeChild(name, logDir));
  const pids = () => Object.fromEntries(sup.status().map((c) => [c.name, c.pid]));
  const before = pids();
  const said: string[] = [];
  const run = startChaos({
    plan: parseChaos('kill=worker-2 at=0s; kill=temporal-history at=0.3s; kill=worker at=0.6s'),
    seed: 1,
    processes: () => sup.status(),
    say: (l) => said.push(l),
  });
  try {
    await until(() => said.filter((l) => / serves again /.test(l)).length === 3);
    const section = await run.stop();
    // The record names the exact process each kill reached.
    expect(section.kills.map((k) => k.target).slice(0, 2)).toEqual(['worker-2', 'temporal-history']);
    expect(['worker-1', 'worker-2']).toContain(section.kills[2].target);
    expect(section.kills.every((k) => k.healthy_after_ms !== null)).toBe(true);
    expect(section.faults).toBeUndefined();
    const killed = new Set(section.kills.map((k) => k.target));
    const after = pids();
    for (const c of sup.status()) {
      const times = section.kills.filter((k) => k.target === c.name).length;
      expect(c.restarts).toBe(times);
      expect(c.state).toBe('running');
      // A role nobody killed kept its process: the others' restarts did not touch it.
      if (!killed.has(c.name)) expect(after[c.name]).toBe(before[c.name]);
      else expect(after[c.name]).not.toBe(before[c.name]);
    }
  } finally {
    await run.stop();
    await sup.stop();
  }
});

test('a plan naming a process the stack lacks is refused before anything is killed', async () => {
  const processes = () => NAMES.map((name) => ({ name, state: 'running' as const, restarts: 0 }));
  expect(() =>
    startChaos({ plan: parseChaos('kill=worker-3 at=0s'), seed: 1, processes, say: () => undefined }),
  ).toThrow(/^--chaos: kill=worker-3 names no process of the running stack/);
  expect(() =>
    startChaos({
      plan: parseChaos('partition=worker-1,temporal-frontend for=5s'),
      seed: 1,
      processes,
      hosts: () => undefined,
      say: () => undefined,
    }),
  ).toThrow(/network faults need a stack whose parts have hosts of their own/);
});
