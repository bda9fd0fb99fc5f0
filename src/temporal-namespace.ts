import { temporal } from '@temporalio/proto';
import { setTimeout as delay } from 'node:timers/promises';
import { SEARCH_ATTRIBUTES } from './flows/search-attributes';
import { GRPC, grpcCode, grpcDetail, TemporalSetupError } from './temporal-errors';

type WorkflowService = temporal.api.workflowservice.v1.WorkflowService;
type OperatorService = temporal.api.operatorservice.v1.OperatorService;
const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

/** What the check needs of a connection: both the client's and the worker's native one have these. */
export interface NamespaceServices {
  workflowService: Pick<WorkflowService, 'describeNamespace' | 'countWorkflowExecutions'>;
  operatorService: Pick<OperatorService, 'listSearchAttributes' | 'addSearchAttributes'>;
}

export interface NamespaceTarget {
  address: string;
  namespace: string;
  /** How the connection authenticates, so a printed command carries the same flags. */
  tls?: boolean;
  apiKey?: boolean;
}

/** Answers that mean "this caller may not do that here", as a locked-down namespace or Temporal Cloud gives. */
const DENIED: number[] = [GRPC.PERMISSION_DENIED, GRPC.UNAUTHENTICATED, GRPC.UNIMPLEMENTED];
const REGISTRATION_WAIT_MS = 30_000;

type Wanted = (typeof SEARCH_ATTRIBUTES)[number];
const indexedType = (a: Wanted) => IndexedValueType[`INDEXED_VALUE_TYPE_${a.type}`];
const typeName = (t: number) => String(IndexedValueType[t] ?? t).replace(/^INDEXED_VALUE_TYPE_/, '');

/** The `temporal` CLI command that registers the attributes, with the flags this connection uses. */
export function searchAttributeCommand(target: NamespaceTarget, attributes: readonly Wanted[]): string {
  const flags = [
    `--address ${target.address}`,
    `--namespace ${target.namespace}`,
    ...(target.tls || target.apiKey ? ['--tls'] : []),
    ...(target.apiKey ? ['--api-key "$TEMPORAL_API_KEY"'] : []),
    ...attributes.map((a) => `--name ${a.name} --type ${a.cliType}`),
  ];
  return `temporal operator search-attribute create ${flags.join(' ')}`;
}

/** Whether a visibility query naming the attribute is accepted: what a workflow start with it needs too. */
async function queryAccepts(services: NamespaceServices, namespace: string, names: string[]): Promise<boolean> {
  try {
    const query = names.map((n) => `${n} = 'connect-check'`).join(' AND ');
    await services.workflowService.countWorkflowExecutions({ namespace, query });
    return true;
  } catch (err) {
    if (grpcCode(err) === GRPC.INVALID_ARGUMENT) return false;
    throw err;
  }
}

/** The project's attributes not registered in the namespace; one registered with another type is an error. */
async function missingAttributes(services: NamespaceServices, target: NamespaceTarget): Promise<Wanted[]> {
  let registered: Record<string, number>;
  try {
    const listed = await services.operatorService.listSearchAttributes({ namespace: target.namespace });
    registered = listed.customAttributes as Record<string, number>;
  } catch (err) {
    if (!DENIED.includes(grpcCode(err) ?? -1)) throw err;
    // Listing is an operator call too; a query naming each attribute tells the same with read access only.
    const missing: Wanted[] = [];
    for (const a of SEARCH_ATTRIBUTES) if (!(await queryAccepts(services, target.namespace, [a.name]))) missing.push(a);
    return missing;
  }
  for (const a of SEARCH_ATTRIBUTES) {
    const has = registered[a.name];
    if (has !== undefined && has !== indexedType(a)) {
      throw new TemporalSetupError(
        `search attribute ${a.name} is registered as ${typeName(has)} in namespace '${target.namespace}' at ` +
          `${target.address}; this project needs it as ${a.type}: use another namespace (TEMPORAL_NAMESPACE)`,
      );
    }
  }
  return SEARCH_ATTRIBUTES.filter((a) => registered[a.name] === undefined);
}

/**
 * Checks that the namespace exists and has the project's search attributes, registering missing ones
 * through the operator API. Throws a TemporalSetupError (one line, or the command to run) when it cannot.
 */
export async function ensureNamespaceReady(
  services: NamespaceServices,
  target: NamespaceTarget,
  log: (line: string) => void = () => undefined,
): Promise<void> {
  const { namespace, address } = target;
  try {
    await services.workflowService.describeNamespace({ namespace });
  } catch (err) {
    const code = grpcCode(err);
    if (code === GRPC.NOT_FOUND) {
      throw new TemporalSetupError(
        `namespace '${namespace}' does not exist at ${address} (TEMPORAL_NAMESPACE); create it with ` +
          `'temporal operator namespace create --address ${address} --namespace ${namespace}' or name another`,
      );
    }
    if (code !== undefined && DENIED.includes(code)) {
      throw new TemporalSetupError(
        `Temporal at ${address} refused access to namespace '${namespace}': ${grpcDetail(err)}`,
      );
    }
    throw err;
  }

  const missing = await missingAttributes(services, target);
  if (!missing.length) return;
  const names = missing.map((a) => a.name).join(', ');
  try {
    await services.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((a) => [a.name, indexedType(a)])),
    });
  } catch (err) {
    const code = grpcCode(err);
    if (code === undefined || !DENIED.includes(code)) throw err;
    throw new TemporalSetupError(
      `namespace '${namespace}' at ${address} lacks the search attributes ${names}, and this caller may not ` +
        `register them (${grpcDetail(err)}). Register them with:\n  ${searchAttributeCommand(target, missing)}` +
        (/\.tmprl\.cloud|api\.temporal\.io/.test(address) ? '\n(on Temporal Cloud: with tcld or in the Cloud UI)' : ''),
    );
  }
  // The frontend picks up a namespace's new attributes on its next cache refresh (seconds); wait for that.
  const deadline = Date.now() + REGISTRATION_WAIT_MS;
  while (
    !(await queryAccepts(
      services,
      namespace,
      missing.map((a) => a.name),
    ))
  ) {
    if (Date.now() > deadline) {
      throw new TemporalSetupError(
        `registered search attributes ${names} in namespace '${namespace}', but ${address} still refuses ` +
          `queries on them after ${REGISTRATION_WAIT_MS / 1000} s`,
      );
    }
    await delay(200);
  }
  log(`registered search attributes ${names} in namespace '${namespace}' at ${address}`);
}
