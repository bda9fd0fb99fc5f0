/**
 * Meta's advice on when to call again, in platform ms: the largest estimated_time_to_regain_access (minutes)
 * in X-Business-Use-Case-Usage, or reset_time_duration (seconds) in X-Ad-Account-Usage.
 */
export function metaBackoffMs(headers: Record<string, string | string[] | undefined>): number | undefined {
  const json = (name: string): unknown => {
    const v = headers[name];
    try {
      return typeof v === 'string' ? JSON.parse(v) : undefined;
    } catch {
      return undefined;
    }
  };
  let minutes = 0;
  const buc = json('x-business-use-case-usage');
  if (buc && typeof buc === 'object') {
    for (const entries of Object.values(buc as Record<string, unknown>)) {
      for (const e of Array.isArray(entries) ? entries : []) {
        const m = Number((e as { estimated_time_to_regain_access?: unknown }).estimated_time_to_regain_access);
        if (Number.isFinite(m)) minutes = Math.max(minutes, m);
      }
    }
  }
  const account = json('x-ad-account-usage') as { reset_time_duration?: unknown } | undefined;
  const seconds = Number(account?.reset_time_duration);
  const ms = Math.max(minutes * 60_000, Number.isFinite(seconds) ? seconds * 1000 : 0);
  return ms > 0 ? ms : undefined;
}
