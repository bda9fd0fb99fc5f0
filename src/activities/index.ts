import type { Pool } from 'pg';
import { createBudgetActivities } from './budget';
import { createCreativeActivities } from './creative';
import { createLearningActivities } from './learning';
import type { HttpDeps } from './http';
import { createPlatformActivities } from './platform';
import { createStressRunActivities } from './stress-runs';

export interface ActivityDeps extends HttpDeps {
  pool: Pool;
}

/** Every activity the worker registers, built from injected clients and config. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPlatformActivities(deps),
    ...createCreativeActivities(deps),
    ...createBudgetActivities(deps),
    ...createLearningActivities(deps),
    ...createStressRunActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
