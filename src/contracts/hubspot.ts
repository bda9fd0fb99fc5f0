import crypto from 'node:crypto';

/** HubSpot's v3 webhook signature: base64 HMAC-SHA256 with the app secret over method, URI, body and timestamp. */
export function signV3(secret: string, method: string, uri: string, body: string, timestamp: string): string {
  return crypto.createHmac('sha256', secret).update(`${method}${uri}${body}${timestamp}`).digest('base64');
}

export const HUBSPOT_HEADERS = {
  signature: 'x-hubspot-signature-v3',
  timestamp: 'x-hubspot-request-timestamp',
} as const;
/** HubSpot's rule: a request signed more than five minutes ago (or ahead) is refused. */
export const MAX_SIGNATURE_AGE_MS = 5 * 60 * 1000;

export type Verification = { ok: true } | { ok: false; reason: string };

/** Checks a delivery's signature (in constant time) and its age. */
export function verifyV3(
  secret: string,
  req: { method: string; uri: string; body: string; signature?: string; timestamp?: string },
  now = Date.now(),
): Verification {
  if (!req.signature || !req.timestamp) return { ok: false, reason: 'missing signature or timestamp header' };
  const ts = Number(req.timestamp);
  if (!Number.isFinite(ts)) return { ok: false, reason: 'timestamp is not a number' };
  if (now - ts > MAX_SIGNATURE_AGE_MS) return { ok: false, reason: 'timestamp older than five minutes' };
  // A timestamp from the future would stay "fresh" for as long as it likes: refused the same way.
  if (ts - now > MAX_SIGNATURE_AGE_MS) return { ok: false, reason: 'timestamp more than five minutes in the future' };
  const expected = Buffer.from(signV3(secret, req.method, req.uri, req.body, req.timestamp));
  const given = Buffer.from(req.signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'signature does not match' };
  }
  return { ok: true };
}

/** The secret a local stack signs and checks with when none is configured; refused off loopback. */
export const DEFAULT_HUBSPOT_SECRET = 'geminivideo-sim-hubspot-app-secret';

export const hubspotSecret = () => process.env.HUBSPOT_APP_SECRET || DEFAULT_HUBSPOT_SECRET;
