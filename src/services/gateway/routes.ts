import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GATEWAY_HEADERS, GATEWAY_ROUTES as ROUTES, UPSTREAMS, upstreamParams } from '../../contracts/gateway';
import type { ServiceName } from '../catalog';
import type { ServiceContext } from '../shared/server';
import { serve } from '../shared/serve';
import { HttpError, parseOr400 } from '../shared/validation';
import { GatewayBreakers } from './breakers';
import { createForwarder } from './forward';

export { backoffMs } from './backoff';

/** Refuses a call without the Gateway's API key, when it has one. */
function authorize(request: FastifyRequest): void {
  const apiKey = process.env.GATEWAY_API_KEY;
  if (apiKey && request.headers[GATEWAY_HEADERS.apiKey] !== apiKey) {
    throw new HttpError(401, 'unauthorized', 'bad or missing x-api-key');
  }
}

/** `/api/:service/*`'s parameters as the contract names them (Fastify calls the wildcard `*`). */
function upstreamOf(request: FastifyRequest) {
  const { service, '*': path } = request.params as { service?: string; '*'?: string };
  return parseOr400(upstreamParams, { service, path }, 'path');
}

/** The Gateway's routes, as its contract lists them. */
export function registerGateway(
  app: FastifyInstance,
  ctx: ServiceContext,
  upstreams: Record<ServiceName, string>,
): void {
  const breakers = new GatewayBreakers(ctx.metrics);
  const forward = createForwarder(ctx, upstreams, breakers);

  // Bodies stay raw bytes: the Gateway forwards them, it does not read them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  serve(app, ROUTES.upstreams, async () =>
    Object.fromEntries(
      UPSTREAMS.map((name) => [name, { url: upstreams[name], circuit: breakers.shared(name).current }]),
    ),
  );
  // Every method is forwarded; the contract lists the ones callers use.
  app.all(ROUTES.proxyGet.path, async (request, reply) => {
    authorize(request);
    const { service, path } = upstreamOf(request);
    return forward(request, reply, service, path);
  });
  // HubSpot's public webhook address: signed by HubSpot for this URL, so the Host goes on unchanged.
  serve(app, ROUTES.hubspotWebhook, (request, reply) =>
    forward(request, reply, 'ml-service', 'webhooks/hubspot', { preserveHost: true }),
  );
}
