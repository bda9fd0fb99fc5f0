import type { ActivityDeps } from '.';

/** Placeholder until the flow's activities are built. */
export function createServiceCommunicationActivities(deps: ActivityDeps) {
  void deps;
  return {};
}
