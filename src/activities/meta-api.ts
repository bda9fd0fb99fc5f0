import type { ActivityDeps } from '.';

/** Placeholder until the flow's activities are built. */
export function createMetaApiActivities(deps: ActivityDeps) {
  void deps;
  return {};
}
