import { createDocument, type oas31, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import { SERVICES, type ServiceName } from '../services/catalog';
import { openApiPath, successStatuses, type RouteContract, type RouteTable } from './route';
import { errorSchema, SHARED_ROUTES } from './shared';
import { simHeadersSchema } from './sim-headers';

export type OpenApiDocument = oas31.OpenAPIObject;

const json = (schema: RouteContract['response'], type = 'application/json') => ({ [type]: { schema } });

/** One route as an OpenAPI operation: its parameters, body, 2xx answer and the error answers. */
function operation(id: string, contract: RouteContract): ZodOpenApiOperationObject {
  const headers = contract.headers ? simHeadersSchema.extend(contract.headers.shape) : simHeadersSchema;
  const ok = Object.fromEntries(
    successStatuses(contract).map((status) => [
      String(status),
      { description: contract.summary, content: json(contract.response, contract.contentType) },
    ]),
  );
  const errors = contract.errors ?? errorSchema;
  return {
    operationId: id,
    summary: contract.summary,
    requestParams: {
      ...(contract.params ? { path: contract.params } : {}),
      ...(contract.query ? { query: contract.query } : {}),
      header: headers,
    },
    ...(contract.body
      ? { requestBody: { required: !contract.body.safeParse(undefined).success, content: json(contract.body) } }
      : {}),
    responses: {
      ...ok,
      '4XX': {
        description: 'The request was refused (bad input, not found, conflict, rate limited)',
        content: json(errors),
      },
      '5XX': { description: 'The service failed or was unavailable', content: json(errors) },
    },
  };
}

/** The OpenAPI 3.1 document of a service: its own routes and the ones every service serves. */
export function openApiDocument(service: ServiceName, routes: RouteTable): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const [id, contract] of Object.entries({ ...SHARED_ROUTES, ...routes })) {
    const path = openApiPath(contract.path);
    const method = contract.method.toLowerCase() as 'get' | 'post' | 'put';
    paths[path] = { ...paths[path], [method]: operation(id, contract) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: `${SERVICES[service].title} (geminivideo-sim)`,
      version: '1.0.0',
      description: `The simulated ${SERVICES[service].title}'s HTTP contract, generated from src/contracts.`,
    },
    servers: [{ url: `http://127.0.0.1:${SERVICES[service].port}`, description: 'a local stack' }],
    paths,
  });
}
