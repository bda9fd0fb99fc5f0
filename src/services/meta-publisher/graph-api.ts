import type { FastifyInstance } from 'fastify';
import { META_ERRORS, META_PUBLISHER_ROUTES as ROUTES } from '../../contracts/meta-publisher';
import type { ServiceContext } from '../shared/server';
import { serve } from '../shared/serve';
import { registerCreation } from './creation';
import { insightsHandler } from './insights';
import { registerWriteLookup } from './meta-requests';
import { oauthException } from './oauth-error';
import { updateHandler } from './updates';

/** The simulated Meta Marketing API: Graph-style paths and bodies, insights metrics as strings, Meta's limits. */
export function registerGraphApi(app: FastifyInstance, ctx: ServiceContext): void {
  serve(app, ROUTES.insights, insightsHandler(ctx));
  registerCreation(app, ctx);
  registerWriteLookup(app, ctx);

  // A token that expired (an injected fault) is refused before any work, as Meta refuses it: code 190.
  app.addHook('onRequest', async (request, reply) => {
    const rate = request.sim?.faults.auth_error_rate ?? 0;
    if (!request.url.startsWith('/v19.0/') || rate <= 0 || ctx.rng() >= rate) return;
    const { message, code, subcode } = META_ERRORS.expiredToken;
    return oauthException(reply, message, code, subcode);
  });

  serve(app, ROUTES.update, updateHandler(ctx));
}
