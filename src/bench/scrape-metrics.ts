import { parsePrometheusText, type Sample } from '../stats/prometheus-text';

/** Fetches and parses one `/metrics` address (the I/O kept out of stats/, whose parser stays pure). */
export async function scrapeMetrics(url: string): Promise<Sample[]> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url} answered ${res.status}`);
  return parsePrometheusText(await res.text());
}
