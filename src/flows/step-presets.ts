import type { ActivityOptions } from '@temporalio/common';

/** Failure types the activities throw for bad input: retrying cannot help. */
export const NON_RETRYABLE_TYPES = ['InvalidInput', 'NotFound', 'Conflict', 'Unauthorized'];

/** One preset per kind of step: the catalog names each step's preset, so timeouts and retries are not scattered inline. */
export const STEP_PRESETS = {
  /** A quick HTTP call to a service: a few seconds at most, retried with backoff. */
  fastCall: {
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: '5m',
    heartbeatTimeout: '5s',
    retry: {
      initialInterval: '200ms',
      backoffCoefficient: 2,
      maximumInterval: '5s',
      maximumAttempts: 8,
      nonRetryableErrorTypes: NON_RETRYABLE_TYPES,
    },
  },
  /**
   * Rendering: a long call, slower retries. Enough of them to outlast a Video Agent restart (about 75 s of
   * backoff in all: a killed service on a busy machine took up to 30 s to serve again); the 15 minutes bound it.
   */
  slowRender: {
    startToCloseTimeout: '3m',
    scheduleToCloseTimeout: '15m',
    heartbeatTimeout: '5s',
    retry: {
      initialInterval: '500ms',
      backoffCoefficient: 2,
      maximumInterval: '10s',
      maximumAttempts: 12,
      nonRetryableErrorTypes: NON_RETRYABLE_TYPES,
    },
  },
  /**
   * A long render in segments that heartbeats its progress: each attempt resumes where the last one got to,
   * so an attempt is cheap and more of them are allowed than for a render that starts over.
   */
  resumableRender: {
    startToCloseTimeout: '3m',
    scheduleToCloseTimeout: '15m',
    heartbeatTimeout: '5s',
    retry: {
      initialInterval: '500ms',
      backoffCoefficient: 2,
      maximumInterval: '10s',
      maximumAttempts: 20,
      nonRetryableErrorTypes: NON_RETRYABLE_TYPES,
    },
  },
  /** The simulator's own bookkeeping in PostgreSQL. */
  bookkeeping: {
    startToCloseTimeout: '30s',
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 20 },
  },
} as const satisfies Record<string, ActivityOptions>;

export type StepPresetName = Exclude<keyof typeof STEP_PRESETS, 'bookkeeping'>;
