import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { MARKET_HOUR_MS } from '../../market/market';
import { hubspotSecret, HUBSPOT_HEADERS, verifyV3 } from '../../contracts/hubspot';
import type { ServiceContext } from '../shared/server';
import { inTransaction } from '../../db/helpers';
import { HttpError, parseOr400 } from '../shared/validation';

/** The largest amount of money the platform's columns hold (numeric(14, 2)). */
export const MAX_MONEY = 999_999_999_999.99;

/** One ad's delivery in a window, as the activities hand Meta's insights over (numbers, not Graph strings). */
export const insightRowSchema = z.object({
  ad_id: z.string().min(1),
  impressions: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  clicks: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  spend: z.number().nonnegative().max(MAX_MONEY),
});

const insightsSchema = z.object({
  window_start: z.string().datetime(),
  window_end: z.string().datetime(),
  rows: z.array(insightRowSchema).max(100),
});

const validAmount = (v: string | undefined) =>
  v !== undefined && /^\d+(\.\d{1,2})?$/.test(v.trim()) && Number(v) <= MAX_MONEY;

/** A HubSpot webhook delivery: a JSON array of events. */
export const hubspotEventsSchema = z
  .array(
    z.object({
      eventId: z.number().int(),
      subscriptionId: z.number().int().optional(),
      portalId: z.number().int().optional(),
      appId: z.number().int().optional(),
      occurredAt: z.number().int().positive().max(8_640_000_000_000_000, 'beyond the latest date'),
      subscriptionType: z.string().min(1),
      attemptNumber: z.number().int().nonnegative(),
      objectId: z.number().int(),
      propertyName: z.string().optional(),
      propertyValue: z.string().optional(),
      changeSource: z.string().optional(),
    }),
  )
  .min(1)
  .max(100)
  .superRefine((events, issues) =>
    events.forEach((e, i) => {
      // A deal's amount becomes revenue in a numeric(14, 2) column: refused here, not failed there on every retry.
      if (e.propertyName === 'amount' && !validAmount(e.propertyValue))
        issues.addIssue({
          code: 'custom',
          path: [i, 'propertyValue'],
          message: `amount must be a number from 0 to ${MAX_MONEY}`,
        });
    }),
  );
export type HubspotEvent = z.infer<typeof hubspotEventsSchema>[number];

/** HubSpot does not promise eventId is unique: a redelivery is recognised by the whole change it describes. */
export function hubspotEventKey(e: HubspotEvent): string {
  const parts = [e.subscriptionType, e.objectId, e.propertyName ?? '', e.propertyValue ?? '', e.occurredAt, e.eventId];
  return crypto.createHash('sha256').update(parts.join('|')).digest('hex');
}

export function registerFeedback(app: FastifyInstance, ctx: ServiceContext): void {
  /** Meta delivery for a window, one row per ad; a repeat of the same window is a no-op. */
  app.post('/feedback/meta-insights', async (request) => {
    const body = parseOr400(insightsSchema, request.body);
    let stored = 0;
    for (const r of body.rows) {
      const res = await ctx.pool.query(
        `INSERT INTO performance_metrics (ad_id, source, window_start, window_end, impressions, clicks, spend, raw)
         VALUES ($1, 'meta', $2, $3, $4, $5, $6, $7) ON CONFLICT (ad_id, source, window_start) DO NOTHING`,
        [r.ad_id, body.window_start, body.window_end, r.impressions, r.clicks, r.spend, JSON.stringify(r)],
      );
      stored += res.rowCount ?? 0;
    }
    return { stored, received: body.rows.length };
  });

  signedHubspotRoute(app, '/webhooks/hubspot', (events) => storeDeals(ctx, events));
}

/**
 * A HubSpot webhook route: the v3 signature is checked over the raw body (401 when it fails), then the
 * events are validated (400 naming the field) and handed to `handle`.
 */
export function signedHubspotRoute(
  app: FastifyInstance,
  path: string,
  handle: (events: HubspotEvent[], request: FastifyRequest) => Promise<unknown>,
): void {
  // Signatures are over the raw body, so this route reads it as text.
  app.register(async (scope) => {
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    scope.post(path, async (request, reply) => {
      const raw = typeof request.body === 'string' ? request.body : '';
      const verdict = verifyV3(hubspotSecret(), {
        method: request.method,
        uri: `http://${request.headers.host}${request.url}`,
        body: raw,
        signature: request.headers[HUBSPOT_HEADERS.signature] as string | undefined,
        timestamp: request.headers[HUBSPOT_HEADERS.timestamp] as string | undefined,
      });
      if (!verdict.ok) return reply.code(401).send({ error: 'unauthorized', message: verdict.reason });
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new HttpError(400, 'bad_request', 'body: not JSON', 'body');
      }
      return handle(parseOr400(hubspotEventsSchema, parsed), request);
    });
  });
}

/**
 * Stores each event once; a closed-won deal seen for the first time adds its amount to the ad's revenue
 * for the hour it closed in. Events and metrics change in one transaction, so a redelivery adds nothing.
 */
async function storeDeals(ctx: ServiceContext, events: HubspotEvent[]) {
  return inTransaction(ctx.pool, async (db) => {
    const fresh: HubspotEvent[] = [];
    for (const e of events) {
      const res = await db.query(
        `INSERT INTO feedback_events (source, event_key, ad_id, payload, occurred_at)
         VALUES ('hubspot', $1, $2, $3, to_timestamp($4 / 1000.0)) ON CONFLICT (source, event_key) DO NOTHING`,
        [hubspotEventKey(e), adOf(events, e.objectId) ?? null, JSON.stringify(e), e.occurredAt],
      );
      if (res.rowCount) fresh.push(e);
    }
    let deals = 0;
    for (const e of fresh) {
      if (e.propertyName !== 'dealstage' || e.propertyValue !== 'closedwon') continue;
      const adId = adOf(events, e.objectId);
      const amount = Number(
        events.find((x) => x.objectId === e.objectId && x.propertyName === 'amount')?.propertyValue,
      );
      if (!adId || !Number.isFinite(amount)) continue;
      const windowStart = Math.floor(e.occurredAt / MARKET_HOUR_MS) * MARKET_HOUR_MS;
      await db.query(
        `INSERT INTO performance_metrics (ad_id, source, window_start, window_end, conversions, revenue)
         VALUES ($1, 'hubspot', to_timestamp($2 / 1000.0), to_timestamp($3 / 1000.0), 1, $4)
         ON CONFLICT (ad_id, source, window_start) DO UPDATE SET
           conversions = performance_metrics.conversions + 1, revenue = performance_metrics.revenue + EXCLUDED.revenue`,
        [adId, windowStart, windowStart + MARKET_HOUR_MS, amount],
      );
      deals++;
    }
    return { received: events.length, stored: fresh.length, closed_won: deals };
  });
}

/** The ad a deal is attributed to: the deal's `gv_ad_id` property in the same delivery. */
export function adOf(events: HubspotEvent[], objectId: number): string | undefined {
  return events.find((x) => x.objectId === objectId && x.propertyName === 'gv_ad_id')?.propertyValue;
}
