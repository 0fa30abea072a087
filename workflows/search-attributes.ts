/**
 * Custom search attributes the procedures keep up to date, so operators can find procedures in the
 * Web UI ("SpoolflowHalted = true", "SpoolflowHosts = 'spoc-prg-1'"). The dev server is started
 * with exactly these; a real cluster needs them registered once (see README).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { SEARCH_ATTRIBUTE_NAMES } from '../machines/core/search-attribute-names';

export const PROCEDURE_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.procedure, SearchAttributeType.KEYWORD);
export const STEP_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.step, SearchAttributeType.KEYWORD);
export const HALTED_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.halted, SearchAttributeType.BOOL);
export const HOSTS_KEY = defineSearchAttributeKey(SEARCH_ATTRIBUTE_NAMES.hosts, SearchAttributeType.KEYWORD_LIST);

/** Name and type of each attribute, for registering them with a server. */
export const SEARCH_ATTRIBUTES = {
  [SEARCH_ATTRIBUTE_NAMES.procedure]: 'Keyword',
  [SEARCH_ATTRIBUTE_NAMES.step]: 'Keyword',
  [SEARCH_ATTRIBUTE_NAMES.halted]: 'Bool',
  [SEARCH_ATTRIBUTE_NAMES.hosts]: 'KeywordList',
} as const;
