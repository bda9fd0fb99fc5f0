import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ROOT, runCommand } from '../support/spawn';

/** Debian's prometheus and prometheus-alertmanager packages (installed by `npm run setup`). */
const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';
const AMTOOL = process.env.AMTOOL_PATH ?? '/usr/bin/amtool';
const MONITORING = path.join(ROOT, 'monitoring');

beforeAll(() => {
  for (const tool of [PROMTOOL, AMTOOL]) {
    if (!fs.existsSync(tool)) throw new Error(`no ${tool}: run 'npm run setup' (Debian's prometheus packages)`);
  }
});

const tool = (bin: string, args: string[]) => runCommand(bin, args, { ...process.env, NO_COLOR: '1' });

test('promtool accepts the rules file', async () => {
  const { code, stdout, stderr } = await tool(PROMTOOL, ['check', 'rules', path.join(MONITORING, 'rules.yml')]);
  expect({ code, stderr }).toMatchObject({ code: 0 });
  expect(stdout).toMatch(/SUCCESS: 6 rules found/);
});

test("the rules' unit tests pass under promtool (series written for each alert, firing and not)", async () => {
  const { code, stdout, stderr } = await tool(PROMTOOL, ['test', 'rules', path.join(MONITORING, 'rules.test.yml')]);
  expect({ code, out: stdout + stderr }).toMatchObject({ code: 0 });
  expect(stdout).toMatch(/SUCCESS/);
});

test('every alert of the rules file has a unit test', () => {
  const rules = parseYaml(fs.readFileSync(path.join(MONITORING, 'rules.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<{ alert: string }> }>;
  };
  const tests = parseYaml(fs.readFileSync(path.join(MONITORING, 'rules.test.yml'), 'utf8')) as {
    tests: Array<{ alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
  };
  const fired = new Set(
    tests.tests.flatMap((t) => (t.alert_rule_test ?? []).filter((a) => a.exp_alerts.length).map((a) => a.alertname)),
  );
  const alerts = rules.groups.flatMap((g) => g.rules.map((r) => r.alert));
  expect(alerts.filter((a) => !fired.has(a))).toEqual([]);
});

test('the example Prometheus and Alertmanager configs are valid', async () => {
  const prom = await tool(PROMTOOL, ['check', 'config', path.join(MONITORING, 'prometheus.example.yml')]);
  expect({ code: prom.code, out: prom.stdout + prom.stderr }).toMatchObject({ code: 0 });
  const am = await tool(AMTOOL, ['check-config', path.join(MONITORING, 'alertmanager.example.yml')]);
  expect({ code: am.code, out: am.stdout + am.stderr }).toMatchObject({ code: 0 });
  expect(am.stdout).toMatch(/1 receivers/);
});

test('every metric the rules read is in the contract of docs/monitoring.md', () => {
  const rules = fs.readFileSync(path.join(MONITORING, 'rules.yml'), 'utf8');
  const exprs = (parseYaml(rules) as { groups: Array<{ rules: Array<{ expr: string }> }> }).groups.flatMap((g) =>
    g.rules.map((r) => r.expr),
  );
  const names = new Set(
    exprs.flatMap((e) => [...e.matchAll(/\b([a-z_]+_(?:total|seconds(?:_bucket)?|state))\b/g)].map((m) => m[1])),
  );
  const doc = fs.readFileSync(path.join(ROOT, 'docs/monitoring.md'), 'utf8');
  expect(names.size).toBeGreaterThanOrEqual(5);
  for (const name of names)
    expect({ name, listed: doc.includes(`\`${name.replace(/_bucket$/, '')}`) }).toEqual({ name, listed: true });
});
