import { randomBytes } from 'node:crypto';
import { DEFAULT_HUBSPOT_SECRET } from '../../contracts/hubspot';

/**
 * The secrets a service needs to listen off loopback (src/services/startup-checks.ts), as the compose file asks
 * for them: the user's own when set, else a fresh pair for this stack, given to every part.
 */
export function offLoopbackSecrets(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const fresh = () => randomBytes(18).toString('base64url');
  const secret = env.HUBSPOT_APP_SECRET;
  return {
    HUBSPOT_APP_SECRET: secret && secret !== DEFAULT_HUBSPOT_SECRET ? secret : fresh(),
    GATEWAY_API_KEY: env.GATEWAY_API_KEY || fresh(),
  };
}
