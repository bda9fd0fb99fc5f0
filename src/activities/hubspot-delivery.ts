/** HubSpot's side of the flows: closed-won deals as the signed (v3) webhook deliveries HubSpot sends. */
import { Context } from '@temporalio/activity';
import type { CallContext } from '../flows/types';
import { closedDeals, marketFor } from '../market/market';
import { hubspotSecret, HUBSPOT_HEADERS, signV3 } from '../contracts/hubspot';
import { callService, type HttpDeps } from './http';

/** HubSpot's limit on one delivery: larger batches go in several signed deliveries. */
const EVENTS_PER_DELIVERY = 100;

/** One closed-won deal attributed to an ad, when it closed, and any properties of the sender's own. */
export interface ClosedWonDeal {
  ad_id: string;
  deal_id: number;
  amount: number;
  occurred_at: number;
  /** Sent after the ad and before amount and stage. */
  extra?: Array<[string, string]>;
}

/** HubSpot numbers a delivery's attempts from 0; the running activity's attempt (from 1) stands for it. */
const deliveryAttemptNumber = () => Context.current().info.attempt - 1;

/** A deal's property changes as HubSpot webhook events of the running attempt; event ids derive from the deal's. */
export function dealEvents(deal: ClosedWonDeal) {
  const properties: Array<[string, string]> = [
    ['gv_ad_id', deal.ad_id],
    ...(deal.extra ?? []),
    ['amount', String(deal.amount)],
    ['dealstage', 'closedwon'],
  ];
  const base = {
    subscriptionType: 'deal.propertyChange',
    objectId: deal.deal_id,
    occurredAt: deal.occurred_at,
    attemptNumber: deliveryAttemptNumber(),
    portalId: 62515,
    appId: 1,
  };
  return properties.map(([propertyName, propertyValue], i) => ({
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

/** The deals in one market hour of an ad set; `index` numbers each ad's deals from 0. */
export interface MarketHourDeal {
  ad_id: string;
  deal_id: number;
  amount: number;
  index: number;
}

/**
 * HubSpot's delivery of the closed-won deals an ad set's ads won in a market hour from the clicks Meta reported,
 * to the ML Service's webhook at `path`: `shape` says each deal's id, time and own properties. Signed with the
 * app secret, at most a hundred events to a delivery; answers the deals sent and the events the service stored.
 */
export async function deliverClosedWon(
  deps: HttpDeps,
  ml: CallContext,
  path: string,
  hour: { seed: number; ad_set_id: string; round: number; clicks: Record<string, number> },
  shape: (deal: MarketHourDeal) => Pick<ClosedWonDeal, 'deal_id' | 'occurred_at' | 'extra'>,
): Promise<{ deals: number; stored: number }> {
  const adSet = marketFor(hour.seed).find((s) => s.adSetId === hour.ad_set_id)!;
  const deals = adSet.ads.flatMap((ad) =>
    closedDeals(hour.seed, ad, hour.clicks[ad.adId] ?? 0, hour.round).map((deal, index) => {
      const inHour = { ad_id: ad.adId, deal_id: deal.dealId, amount: deal.amount, index };
      return { ad_id: ad.adId, amount: deal.amount, ...shape(inHour) };
    }),
  );
  const events = deals.flatMap(dealEvents);
  let stored = 0;
  for (let i = 0; i < events.length; i += EVENTS_PER_DELIVERY) {
    const body = JSON.stringify(events.slice(i, i + EVENTS_PER_DELIVERY));
    const headers = signedHeaders(hubspotSecret(), `${deps.services['ml-service']}${path}`, body);
    const answer = await callService<{ stored: number }>(deps, 'ml-service', ml, 'POST', path, body, 20_000, headers);
    stored += answer.stored;
  }
  return { deals: deals.length, stored };
}
