import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes set on every stress run and its flows, so the Web UI can filter them. */
export const FLOW_NAME = defineSearchAttributeKey('FlowName', SearchAttributeType.KEYWORD);
export const STRESS_RUN_ID = defineSearchAttributeKey('StressRunId', SearchAttributeType.KEYWORD);
export const RUN_OUTCOME = defineSearchAttributeKey('RunOutcome', SearchAttributeType.KEYWORD);

/** Name and CLI type of each, as `temporal server start-dev --search-attribute` registers them. */
export const SEARCH_ATTRIBUTES = [FLOW_NAME, STRESS_RUN_ID, RUN_OUTCOME].map((key) => ({
  name: key.name,
  cliType: 'Keyword',
}));
