import type { ActivityDeps } from '.';

/** Placeholder until the flow's activities are built. */
export function createBestAdsActivities(deps: ActivityDeps) {
  void deps;
  return {};
}
