import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { ChaosSection, StandardResult } from '../result/schema';
import type { SuiteResult } from '../result/suite-schema';

/** The stress run's standard result so far (while running) or final (after it closed). */
export const summaryQuery = defineQuery<StandardResult>('summary');

/** The suite's result so far: finished flows with their results, the running one, the ones to come. */
export const suiteSummaryQuery = defineQuery<SuiteResult>('suite_summary');

/** A kill chaos made during the run (sent again once the target serves again): recorded in the run's result. */
export const chaosKillSignal = defineSignal<[ChaosSection]>('chaos_kill');
