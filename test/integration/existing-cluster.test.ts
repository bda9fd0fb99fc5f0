import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { SEARCH_ATTRIBUTES } from '../../src/flows/search-attributes';
import { findTemporalCli } from '../../src/stack/temporal-cli';
import { testStackEnv, useTestStack } from '../support/stack';
import { kill, runCommand, startUntil } from '../support/spawn';

/**
 * The test dev server standing in for a user's cluster, reached only through TEMPORAL_ADDRESS: namespaces made
 * with the official CLI have none of the project's search attributes, as on a fresh cluster.
 */
const stack = useTestStack();

/** The environment of a user pointing the project at that cluster: no Web UI address unless given. */
function clusterEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = testStackEnv();
  delete env.TEMPORAL_UI_URL;
  return { ...env, ...extra };
}

const npmRun = (script: string, args: string[], env: NodeJS.ProcessEnv) =>
  runCommand('npm', ['run', '--silent', script, ...args], env);

/** The lines a user sees on stderr, without npm's own warnings. */
const lines = (text: string) => text.split('\n').filter((l) => l.trim() && !l.startsWith('npm warn'));

function createNamespace(name: string): void {
  execFileSync(findTemporalCli()!, [
    'operator',
    'namespace',
    'create',
    '--address',
    stack.endpoints.temporalAddress,
    '--namespace',
    name,
  ]);
}

async function customAttributes(namespace: string): Promise<Record<string, number>> {
  const listed = await stack.client.connection.operatorService.listSearchAttributes({ namespace });
  return listed.customAttributes as Record<string, number>;
}

const KEYWORD = 2; // IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD

test('the CLI registers the search attributes a fresh namespace lacks, once', async () => {
  const namespace = `fresh-cli-${randomUUID().slice(0, 8)}`;
  createNamespace(namespace);
  expect(Object.keys(await customAttributes(namespace))).toEqual([]);

  const env = clusterEnv({ TEMPORAL_NAMESPACE: namespace });
  const first = await npmRun('schedule', ['list'], env);
  expect({ code: first.code, stdout: first.stdout }).toEqual({ code: 0, stdout: 'no schedules\n' });
  expect(lines(first.stderr)).toEqual([
    `registered search attributes FlowName, StressRunId, RunOutcome in namespace '${namespace}' at ${stack.endpoints.temporalAddress}`,
  ]);
  expect(await customAttributes(namespace)).toEqual(
    Object.fromEntries(SEARCH_ATTRIBUTES.map((a) => [a.name, KEYWORD])),
  );

  const second = await npmRun('schedule', ['list'], env);
  expect(second.code).toBe(0);
  expect(lines(second.stderr)).toEqual([]);
});

test('a worker and a run on a fresh namespace: the worker registers the attributes, the run completes, no Web UI link is made up', async () => {
  const namespace = `fresh-run-${randomUUID().slice(0, 8)}`;
  createNamespace(namespace);
  const env = clusterEnv({ TEMPORAL_NAMESPACE: namespace });
  const worker = await startUntil(process.execPath, ['--import', 'tsx', 'src/worker.ts'], env, /worker ready/);
  let workerOutput = '';
  worker.stdout!.on('data', (d) => (workerOutput += d));
  try {
    expect(Object.keys(await customAttributes(namespace)).sort()).toEqual(SEARCH_ATTRIBUTES.map((a) => a.name).sort());
    const run = await npmRun(
      'start-workflow',
      ['creative-flow', '--count', '2', '--time-scale', '0.01', '--faults', 'none'],
      env,
    );
    expect({ code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/creative-flow {2}run creative-flow-\S+ {2}\(completed\)/);
    expect(run.stdout).toContain('Web UI: no Web UI address is known (set TEMPORAL_UI_URL to get links)');
    expect(run.stdout).not.toContain(stack.endpoints.temporalUiUrl!);
    const runId = /run id: (\S+)/.exec(run.stdout)![1];
    const found = await stack.client.connection.workflowService.countWorkflowExecutions({
      namespace,
      query: `StressRunId = '${runId}' AND FlowName = 'creative-flow' AND WorkflowType = 'creativeFlow'`,
    });
    expect(Number(found.count)).toBe(2);

    // With TEMPORAL_UI_URL, the links point there.
    const report = await npmRun('report', [runId], { ...env, TEMPORAL_UI_URL: 'https://temporal-ui.example.com/' });
    expect(report.code).toBe(0);
    expect(report.stdout).toContain(
      `Web UI: https://temporal-ui.example.com/namespaces/${namespace}/workflows/${runId}\n`,
    );
    expect(workerOutput).not.toMatch(/error/i);
  } finally {
    await kill(worker, 'SIGTERM');
  }
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

test.each([
  [
    'a namespace that does not exist',
    async () => ({ TEMPORAL_NAMESPACE: 'no-such-namespace' }),
    /^namespace 'no-such-namespace' does not exist at 127\.0\.0\.1:\d+ \(TEMPORAL_NAMESPACE\); create it with 'temporal operator namespace create/,
  ],
  [
    'an address where nothing answers',
    async () => ({ TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}` }),
    /^no Temporal server answers at 127\.0\.0\.1:\d+$/,
  ],
  [
    'TLS against a server without it',
    async () => ({
      TEMPORAL_ADDRESS: stack.endpoints.temporalAddress.replace('127.0.0.1', 'localhost'),
      TEMPORAL_TLS: 'true',
    }),
    /^(no Temporal server answers at localhost:\d+ over TLS|the server at localhost:\d+ does not speak TLS)/,
  ],
  [
    'an API key (which implies TLS) against it',
    async () => ({
      TEMPORAL_ADDRESS: stack.endpoints.temporalAddress.replace('127.0.0.1', 'localhost'),
      TEMPORAL_API_KEY: 'k',
    }),
    /^(no Temporal server answers at localhost:\d+ over TLS|the server at localhost:\d+ does not speak TLS)/,
  ],
  [
    'a client certificate that is not there',
    async () => ({
      TEMPORAL_TLS_CLIENT_CERT_PATH: '/nonexistent/client.pem',
      TEMPORAL_TLS_CLIENT_KEY_PATH: '/nonexistent/client.key',
    }),
    /^cannot read TEMPORAL_TLS_CLIENT_CERT_PATH=\/nonexistent\/client.pem: ENOENT$/,
  ],
])('%s: start-workflow, schedule and worker each exit 1 with one line', async (_, extra, message) => {
  const env = clusterEnv(await extra());
  const commands = [
    ['start-workflow', ['creative-flow', '--count', '1']],
    ['schedule', ['list']],
    ['worker', []],
  ] as const;
  const finished = await Promise.all(commands.map(([script, args]) => npmRun(script, [...args], env)));
  expect(finished.map(({ code, stderr }, i) => ({ script: commands[i][0], code, lines: lines(stderr) }))).toEqual(
    commands.map(([script]) => ({ script, code: 1, lines: [expect.stringMatching(message)] })),
  );
});

test('a malformed variable is one line and exit 2, for the CLI; the worker exits 1 with the same line', async () => {
  const env = clusterEnv({ TEMPORAL_UI_URL: 'not a url' });
  const [cli, worker] = await Promise.all([npmRun('schedule', ['list'], env), npmRun('worker', [], env)]);
  expect({ code: cli.code, lines: lines(cli.stderr) }).toEqual({
    code: 2,
    lines: ['bad environment variable TEMPORAL_UI_URL: Invalid URL'],
  });
  expect({ code: worker.code, lines: lines(worker.stderr) }).toEqual({
    code: 1,
    lines: ['bad environment variable TEMPORAL_UI_URL: Invalid URL'],
  });
});
