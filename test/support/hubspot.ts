import { request } from 'undici';
import { HUBSPOT_HEADERS } from '../../src/contracts/hubspot';

/** One HubSpot webhook delivery as HubSpot sends it: the body with its v3 signature and timestamp headers. */
export async function deliverHubspot(url: string, body: string, signature: string, timestamp: string) {
  const res = await request(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      [HUBSPOT_HEADERS.signature]: signature,
      [HUBSPOT_HEADERS.timestamp]: timestamp,
    },
    body,
  });
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}
