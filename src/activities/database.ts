import type { ActivityDeps } from '.';

/** Placeholder until the flow's activities are built. */
export function createDatabaseActivities(deps: ActivityDeps) {
  void deps;
  return {};
}
