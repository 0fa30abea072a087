/**
 * Custom search attributes the procedures keep up to date, so operators can find procedures in the
 * Web UI ("SpoolflowHalted = true", "SpoolflowHosts = 'spoc-prg-1'"). The dev server is started
 * with exactly these; a real cluster needs them registered once (see README).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PROCEDURE_KEY = defineSearchAttributeKey('SpoolflowProcedure', SearchAttributeType.KEYWORD);
export const STEP_KEY = defineSearchAttributeKey('SpoolflowStep', SearchAttributeType.KEYWORD);
export const HALTED_KEY = defineSearchAttributeKey('SpoolflowHalted', SearchAttributeType.BOOL);
export const HOSTS_KEY = defineSearchAttributeKey('SpoolflowHosts', SearchAttributeType.KEYWORD_LIST);

/** Name and type of each attribute, for registering them with a server. */
export const SEARCH_ATTRIBUTES = {
  SpoolflowProcedure: 'Keyword',
  SpoolflowStep: 'Keyword',
  SpoolflowHalted: 'Bool',
  SpoolflowHosts: 'KeywordList',
} as const;
