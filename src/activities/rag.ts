import type { ActivityDeps } from '.';

/** Placeholder until the flow's activities are built. */
export function createRagActivities(deps: ActivityDeps) {
  void deps;
  return {};
}
