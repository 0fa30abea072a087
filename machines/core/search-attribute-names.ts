/**
 * The names of spoolflow's custom search attributes, for whoever writes a visibility query
 * (workflows/search-attributes.ts defines the typed keys the workflows write from these names).
 */
export const SEARCH_ATTRIBUTE_NAMES = {
  procedure: 'SpoolflowProcedure',
  step: 'SpoolflowStep',
  halted: 'SpoolflowHalted',
  hosts: 'SpoolflowHosts',
} as const;
