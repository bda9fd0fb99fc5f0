import type { ActivityDeps } from '.';

/** Placeholder until the flow's activities are built. */
export function createAiCouncilActivities(deps: ActivityDeps) {
  void deps;
  return {};
}
