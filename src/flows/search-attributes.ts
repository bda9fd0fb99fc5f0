import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes set on every stress run and its flows, so the Web UI can filter them. */
export const FLOW_NAME = defineSearchAttributeKey('FlowName', SearchAttributeType.KEYWORD);
export const STRESS_RUN_ID = defineSearchAttributeKey('StressRunId', SearchAttributeType.KEYWORD);
export const RUN_OUTCOME = defineSearchAttributeKey('RunOutcome', SearchAttributeType.KEYWORD);

/** The type names the `temporal` CLI takes (`--search-attribute Name=Type`, `search-attribute create --type`). */
const CLI_TYPE: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

/** Name, SDK type and CLI type of each: what the dev server registers and what a connect checks. */
export const SEARCH_ATTRIBUTES = [FLOW_NAME, STRESS_RUN_ID, RUN_OUTCOME].map((key) => ({
  name: key.name,
  type: key.type,
  cliType: CLI_TYPE[key.type],
}));
