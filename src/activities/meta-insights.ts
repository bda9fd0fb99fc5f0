import type { InsightsPage } from '../contracts/meta-publisher';
import type { CallContext } from '../flows/types';
import { callService, type HttpDeps } from './http';

export interface InsightRow {
  ad_id: string;
  impressions: number;
  clicks: number;
  spend: number;
}

/** Where Meta answers an ad set's per-ad insights for one market hour of the simulated market. */
export const adSetInsightsPath = (q: { ad_set_id: string; seed: number; round: number }) =>
  `/v19.0/${q.ad_set_id}/insights?level=ad&seed=${q.seed}&round=${q.round}`;

/** Reads Meta insights at `path` and parses Graph's strings; `window` is the rows' reporting window, if any rows. */
export async function readInsights(
  deps: HttpDeps,
  meta: CallContext,
  path: string,
): Promise<{ rows: InsightRow[]; window?: { start: string; end: string } }> {
  const insights = await callService<InsightsPage>(deps, 'meta-publisher', meta, 'GET', path);
  const rows = insights.data.map((r) => ({
    ad_id: r.ad_id,
    impressions: Number(r.impressions),
    clicks: Number(r.clicks),
    spend: Number(r.spend),
  }));
  const first = insights.data[0];
  return first ? { rows, window: { start: first.date_start, end: first.date_stop } } : { rows };
}

/**
 * Reads Meta insights at `path` and hands them to the ML Service as performance metrics.
 * Returns the parsed rows and how many the ML Service stored (a repeat of the same window stores none).
 */
export async function ingestInsights(
  deps: HttpDeps,
  meta: CallContext,
  ml: CallContext,
  path: string,
): Promise<{ rows: InsightRow[]; stored: number }> {
  const { rows, window } = await readInsights(deps, meta, path);
  if (!window) return { rows, stored: 0 };
  const answer = await callService<{ stored: number }>(deps, 'ml-service', ml, 'POST', '/feedback/meta-insights', {
    window_start: window.start,
    window_end: window.end,
    rows,
  });
  return { rows, stored: answer.stored };
}
