import type { ActivityDeps } from '.';

/** Placeholder until the flow's activities are built. */
export function createRealtimeFeedbackActivities(deps: ActivityDeps) {
  void deps;
  return {};
}
