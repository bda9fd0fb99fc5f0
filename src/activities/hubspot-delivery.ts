/** HubSpot's side of the flows: closed-won deals as the signed (v3) webhook deliveries HubSpot sends. */
import { Context } from '@temporalio/activity';
import type { CallContext } from '../flows/types';
import { closedDeals, marketFor } from '../market/market';
import { hubspotSecret, HUBSPOT_HEADERS, signV3 } from '../services/shared/hubspot-signature';
import { callService, type HttpDeps } from './http';

/** HubSpot's limit on one delivery: larger batches go in several signed deliveries. */
const EVENTS_PER_DELIVERY = 100;

/** One closed-won deal attributed to an ad. */
export interface ClosedWonDeal {
  ad_id: string;
  deal_id: number;
  amount: number;
}

/** A deal's property changes in the order HubSpot reports them: the ad, then `extra`, then amount and stage. */
export function closedWonProperties(deal: ClosedWonDeal, extra: Array<[string, string]> = []): Array<[string, string]> {
  return [['gv_ad_id', deal.ad_id], ...extra, ['amount', String(deal.amount)], ['dealstage', 'closedwon']];
}

/** The closed-won deals an ad set's ads won in a market hour from the clicks Meta reported; `index` counts per ad. */
export function closedWonDeals(seed: number, adSetId: string, clicks: Record<string, number>, round: number) {
  const adSet = marketFor(seed).find((s) => s.adSetId === adSetId)!;
  return adSet.ads.flatMap((ad) =>
    closedDeals(seed, ad, clicks[ad.adId] ?? 0, round).map((deal, index) => ({
      ad_id: ad.adId,
      deal_id: deal.dealId,
      amount: deal.amount,
      index,
    })),
  );
}

/** HubSpot numbers a delivery's attempts from 0; the running activity's attempt (from 1) stands for it. */
export const deliveryAttemptNumber = () => Context.current().info.attempt - 1;

/** A deal's property changes as HubSpot webhook events; each event id derives from the deal's. */
export function dealEvents(
  deal: { deal_id: number; occurred_at: number; properties: Array<[string, string]> },
  attemptNumber: number,
) {
  const base = {
    subscriptionType: 'deal.propertyChange',
    objectId: deal.deal_id,
    occurredAt: deal.occurred_at,
    attemptNumber,
    portalId: 62515,
    appId: 1,
  };
  return deal.properties.map(([propertyName, propertyValue], i) => ({
    ...base,
    eventId: deal.deal_id * 10 + i + 1,
    propertyName,
    propertyValue,
  }));
}

/** The v3 signature headers for a POST of `body` to `uri` (the receiver's public address), stamped now. */
export function signedHeaders(secret: string, uri: string, body: string): Record<string, string> {
  const timestamp = String(Date.now());
  return {
    [HUBSPOT_HEADERS.signature]: signV3(secret, 'POST', uri, body, timestamp),
    [HUBSPOT_HEADERS.timestamp]: timestamp,
  };
}

/**
 * Delivers events to the ML Service's webhook at `path`, signed with the app secret, at most a hundred to a
 * delivery as HubSpot sends them; answers how many events the service stored.
 */
export async function deliverToMlService(
  deps: HttpDeps,
  ml: CallContext,
  path: string,
  events: object[],
): Promise<{ stored: number }> {
  let stored = 0;
  for (let i = 0; i < events.length; i += EVENTS_PER_DELIVERY) {
    const body = JSON.stringify(events.slice(i, i + EVENTS_PER_DELIVERY));
    const headers = signedHeaders(hubspotSecret(), `${deps.services['ml-service']}${path}`, body);
    const answer = await callService<{ stored: number }>(deps, 'ml-service', ml, 'POST', path, body, 20_000, headers);
    stored += answer.stored;
  }
  return { stored };
}
