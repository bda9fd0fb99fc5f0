import { createAiCouncilActivities } from './ai-council';
import { createBestAdsActivities } from './best-ads';
import { createBudgetActivities } from './budget';
import { createCreativeActivities } from './creative';
import { createDatabaseActivities } from './database';
import type { ActivityDeps } from './deps';
import { createLearningActivities } from './learning';
import { createLoadActivities } from './load';
import { createMetaApiActivities } from './meta-api';
import { createPatternPredictionActivities } from './pattern-prediction';
import { createPlatformActivities } from './platform';
import { createRagActivities } from './rag';
import { createRealtimeFeedbackActivities } from './realtime-feedback';
import { createServiceCommunicationActivities } from './service-communication';
import { createStressRunActivities } from './stress-runs';
import { createVideoProcessingActivities } from './video-processing';

/** Activity names are one namespace across all flows (most are step names): two groups defining one would shadow. */
function assertDistinctNames(groups: Record<string, object>): void {
  const owner = new Map<string, string>();
  for (const [group, activities] of Object.entries(groups)) {
    for (const name of Object.keys(activities)) {
      const first = owner.get(name);
      if (first) throw new Error(`activity ${name} is defined by both ${first} and ${group}`);
      owner.set(name, group);
    }
  }
}

/** Every activity the worker registers, built from injected clients and config. */
export function createActivities(deps: ActivityDeps) {
  const groups = {
    platform: createPlatformActivities(deps),
    creative: createCreativeActivities(deps),
    budget: createBudgetActivities(deps),
    learning: createLearningActivities(deps),
    stressRuns: createStressRunActivities(deps),
    videoProcessing: createVideoProcessingActivities(deps),
    aiCouncil: createAiCouncilActivities(deps),
    rag: createRagActivities(deps),
    patternPrediction: createPatternPredictionActivities(deps),
    metaApi: createMetaApiActivities(deps),
    realtimeFeedback: createRealtimeFeedbackActivities(deps),
    database: createDatabaseActivities(deps),
    serviceCommunication: createServiceCommunicationActivities(deps),
    bestAds: createBestAdsActivities(deps),
    load: createLoadActivities(deps),
  };
  assertDistinctNames(groups);
  return {
    ...groups.platform,
    ...groups.creative,
    ...groups.budget,
    ...groups.learning,
    ...groups.stressRuns,
    ...groups.videoProcessing,
    ...groups.aiCouncil,
    ...groups.rag,
    ...groups.patternPrediction,
    ...groups.metaApi,
    ...groups.realtimeFeedback,
    ...groups.database,
    ...groups.serviceCommunication,
    ...groups.bestAds,
    ...groups.load,
  };
}

export type Activities = ReturnType<typeof createActivities>;
