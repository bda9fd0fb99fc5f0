import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../shared/server';
import { registerCreation } from './creation';
import { insightsHandler } from './insights';
import { registerWriteLookup } from './meta-requests';
import { oauthException } from './oauth-error';
import { updateHandler } from './updates';

/** The simulated Meta Marketing API: Graph-style paths and bodies, insights metrics as strings, Meta's limits. */
export function registerGraphApi(app: FastifyInstance, ctx: ServiceContext): void {
  app.get('/v19.0/:adSetId/insights', insightsHandler(ctx));
  registerCreation(app, ctx);
  registerWriteLookup(app, ctx);

  // A token that expired (an injected fault) is refused before any work, as Meta refuses it: code 190.
  app.addHook('onRequest', async (request, reply) => {
    const rate = request.sim?.faults.auth_error_rate ?? 0;
    if (!request.url.startsWith('/v19.0/') || rate <= 0 || ctx.rng() >= rate) return;
    return oauthException(reply, 'Error validating access token: Session has expired', 190, 463);
  });

  app.post('/v19.0/:objectId', updateHandler(ctx));
}
