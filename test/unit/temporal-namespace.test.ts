/**
 * The connect-time decisions, on a fake connection. The dev server cannot be made to refuse an operator call
 * (it runs without an authorizer), so the refusals here are FAKE errors built in the shapes the SDK gives:
 * grpc-js errors (code, details, metadata) from the client's Connection, ServiceErrors (code, message) from the
 * worker's NativeConnection. The paths that a real server can take are tested in test/integration/existing-cluster.
 */
import { connectFailure, GRPC, TemporalSetupError } from '../../src/temporal-errors';
import { ensureNamespaceReady, searchAttributeCommand, type NamespaceServices } from '../../src/temporal-namespace';
import { SEARCH_ATTRIBUTES } from '../../src/flows/search-attributes';

const KEYWORD = 2; // IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD
const INT = 3;

/** A FAKE gRPC error as grpc-js raises it. */
function grpcJsError(code: number, details: string): Error {
  return Object.assign(
    new Error(`${code} ${Object.keys(GRPC).find((k) => GRPC[k as keyof typeof GRPC] === code)}: ${details}`),
    {
      code,
      details,
      metadata: {},
    },
  );
}

/** A FAKE error as the worker's native connection raises it. */
function nativeError(code: number, message: string): Error {
  const err = Object.assign(new Error(message), { code, details: '' });
  err.name = 'ServiceError';
  return err;
}

interface Fake {
  services: NamespaceServices;
  added: Array<Record<string, number>>;
}

/** A fake namespace with these attributes registered; `refuse` makes the named calls fail with the given error. */
function fakeNamespace(registered: Record<string, number>, refuse: Partial<Record<string, Error>> = {}): Fake {
  const added: Array<Record<string, number>> = [];
  const attrs = { ...registered };
  const maybeRefuse = (call: string) => {
    if (refuse[call]) throw refuse[call];
  };
  const services = {
    workflowService: {
      async describeNamespace() {
        maybeRefuse('describeNamespace');
        return {};
      },
      async countWorkflowExecutions({ query }: { query?: string | null }) {
        const unknown = [...(query ?? '').matchAll(/(\w+) = /g)].map((m) => m[1]).find((n) => attrs[n] === undefined);
        if (unknown)
          throw grpcJsError(GRPC.INVALID_ARGUMENT, `column name '${unknown}' is not a valid search attribute`);
        return { count: 0 };
      },
    },
    operatorService: {
      async listSearchAttributes() {
        maybeRefuse('listSearchAttributes');
        return { customAttributes: { ...attrs } };
      },
      async addSearchAttributes({ searchAttributes }: { searchAttributes?: Record<string, number> | null }) {
        maybeRefuse('addSearchAttributes');
        added.push({ ...searchAttributes });
        Object.assign(attrs, searchAttributes);
        return {};
      },
    },
  } as unknown as NamespaceServices;
  return { services, added };
}

const target = { address: 'temporal.example.com:7233', namespace: 'ads' };
const all = Object.fromEntries(SEARCH_ATTRIBUTES.map((a) => [a.name, KEYWORD]));

test('a namespace that has every attribute is left alone', async () => {
  const fake = fakeNamespace(all);
  const lines: string[] = [];
  await ensureNamespaceReady(fake.services, target, (l) => lines.push(l));
  expect(fake.added).toEqual([]);
  expect(lines).toEqual([]);
});

test('missing attributes are registered as Keyword, and the registration is said', async () => {
  const fake = fakeNamespace({ FlowName: KEYWORD });
  const lines: string[] = [];
  await ensureNamespaceReady(fake.services, target, (l) => lines.push(l));
  expect(fake.added).toEqual([{ StressRunId: KEYWORD, RunOutcome: KEYWORD }]);
  expect(lines).toEqual([
    "registered search attributes StressRunId, RunOutcome in namespace 'ads' at temporal.example.com:7233",
  ]);
});

test.each([
  ['grpc-js', grpcJsError(GRPC.PERMISSION_DENIED, 'Request unauthorized.')],
  ['native', nativeError(GRPC.PERMISSION_DENIED, 'Request unauthorized.')],
])(
  'a refused registration (fake %s PERMISSION_DENIED) prints the exact command for what is missing',
  async (_, err) => {
    const fake = fakeNamespace({ FlowName: KEYWORD }, { addSearchAttributes: err });
    const failure = await ensureNamespaceReady(fake.services, target).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(TemporalSetupError);
    const [first, command, ...rest] = (failure as Error).message.split('\n');
    expect(first).toBe(
      "namespace 'ads' at temporal.example.com:7233 lacks the search attributes StressRunId, RunOutcome, and this " +
        'caller may not register them (Request unauthorized.). Register them with:',
    );
    expect(command.trim()).toBe(
      'temporal operator search-attribute create --address temporal.example.com:7233 --namespace ads ' +
        '--name StressRunId --type Keyword --name RunOutcome --type Keyword',
    );
    expect(rest).toEqual([]);
  },
);

test('with an API key (fake refusal of the list call too), the check falls back to queries and the command carries --tls and the key variable', async () => {
  const denied = grpcJsError(GRPC.PERMISSION_DENIED, 'Request unauthorized.');
  const fake = fakeNamespace({ FlowName: KEYWORD }, { listSearchAttributes: denied, addSearchAttributes: denied });
  const cloud = { address: 'ads.a1b2c.tmprl.cloud:7233', namespace: 'ads.a1b2c', apiKey: true };
  const message = (await ensureNamespaceReady(fake.services, cloud).catch((e: Error) => e.message)) as string;
  expect(message).toContain(
    'temporal operator search-attribute create --address ads.a1b2c.tmprl.cloud:7233 --namespace ads.a1b2c --tls ' +
      '--api-key "$TEMPORAL_API_KEY" --name StressRunId --type Keyword --name RunOutcome --type Keyword',
  );
  expect(message).toContain('Temporal Cloud');
});

test('an attribute registered with another type is named, not overwritten', async () => {
  const fake = fakeNamespace({ ...all, StressRunId: INT });
  await expect(ensureNamespaceReady(fake.services, target)).rejects.toThrow(
    /^search attribute StressRunId is registered as INT in namespace 'ads' .* needs it as KEYWORD/,
  );
  expect(fake.added).toEqual([]);
});

test('a namespace that does not exist (fake NOT_FOUND) is one line naming the command that creates it', async () => {
  const fake = fakeNamespace(all, { describeNamespace: nativeError(GRPC.NOT_FOUND, 'Namespace ads is not found.') });
  const message = (await ensureNamespaceReady(fake.services, target).catch((e: Error) => e.message)) as string;
  expect(message.split('\n')).toHaveLength(1);
  expect(message).toContain("namespace 'ads' does not exist at temporal.example.com:7233");
  expect(message).toContain("'temporal operator namespace create --address temporal.example.com:7233 --namespace ads'");
});

test('an unexpected error is passed on unchanged', async () => {
  const boom = grpcJsError(13, 'internal');
  const fake = fakeNamespace({}, { addSearchAttributes: boom });
  await expect(ensureNamespaceReady(fake.services, target)).rejects.toBe(boom);
});

test('connect failures: refused credentials (fake UNAUTHENTICATED) and no server are one line each', () => {
  const refused = new Error('Failed to connect to Temporal server', {
    cause: grpcJsError(GRPC.UNAUTHENTICATED, 'invalid API key'),
  });
  expect(connectFailure(refused, 'a:7233', true)?.message).toBe(
    "Temporal at a:7233 refused this client's credentials (TEMPORAL_API_KEY, TEMPORAL_TLS_*): invalid API key",
  );
  expect(connectFailure(new Error('Failed to connect before the deadline'), 'a:7233', false)?.message).toBe(
    'no Temporal server answers at a:7233',
  );
  expect(connectFailure(new Error('something else'), 'a:7233', false)).toBeUndefined();
  expect(searchAttributeCommand({ address: 'a:1', namespace: 'n', tls: true }, SEARCH_ATTRIBUTES.slice(0, 1))).toBe(
    'temporal operator search-attribute create --address a:1 --namespace n --tls --name FlowName --type Keyword',
  );
});
