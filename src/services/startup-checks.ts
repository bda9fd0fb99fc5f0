import { DEFAULT_HUBSPOT_SECRET } from '../contracts/hubspot';

/** Whether a listen address only this machine can reach. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Why a service must not start on this address with this environment, or null. Off loopback, anyone can sign
 * HubSpot deliveries with the published default secret, and reach the Gateway when it has no API key.
 */
export function exposureProblem(hostname: string, env: NodeJS.ProcessEnv): string | null {
  if (isLoopback(hostname)) return null;
  const secret = env.HUBSPOT_APP_SECRET;
  if (!secret || secret === DEFAULT_HUBSPOT_SECRET)
    return `refusing to listen on ${hostname} with the built-in HubSpot secret: set HUBSPOT_APP_SECRET`;
  if (!env.GATEWAY_API_KEY) return `refusing to listen on ${hostname} without a Gateway API key: set GATEWAY_API_KEY`;
  return null;
}
