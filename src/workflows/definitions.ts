import { defineQuery } from '@temporalio/workflow';
import type { StandardResult } from '../result/schema';

/** The stress run's standard result so far (while running) or final (after it closed). */
export const summaryQuery = defineQuery<StandardResult>('summary');
