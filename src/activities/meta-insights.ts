import type { CallContext } from '../flows/types';
import { callService, type HttpDeps } from './http';

interface GraphInsights {
  data: Array<{
    ad_id: string;
    impressions: string;
    clicks: string;
    spend: string;
    date_start: string;
    date_stop: string;
  }>;
}

export interface InsightRow {
  ad_id: string;
  impressions: number;
  clicks: number;
  spend: number;
}

/**
 * Reads Meta insights (Graph strings) at `path` and hands them to the ML Service as performance metrics.
 * Returns the parsed rows and how many the ML Service stored (a repeat of the same window stores none).
 */
export async function ingestInsights(
  deps: HttpDeps,
  meta: CallContext,
  ml: CallContext,
  path: string,
): Promise<{ rows: InsightRow[]; stored: number }> {
  const insights = await callService<GraphInsights>(deps, 'meta-publisher', meta, 'GET', path);
  const rows = insights.data.map((r) => ({
    ad_id: r.ad_id,
    impressions: Number(r.impressions),
    clicks: Number(r.clicks),
    spend: Number(r.spend),
  }));
  if (!rows.length) return { rows, stored: 0 };
  const answer = await callService<{ stored: number }>(deps, 'ml-service', ml, 'POST', '/feedback/meta-insights', {
    window_start: insights.data[0].date_start,
    window_end: insights.data[0].date_stop,
    rows,
  });
  return { rows, stored: answer.stored };
}
