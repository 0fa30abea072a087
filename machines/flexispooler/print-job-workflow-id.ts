/**
 * The workflow id of a print job's delivery: one workflow per client and job, so the server itself
 * refuses a second start of a job while its delivery runs (a first dedupe before the servers').
 *
 * ':' parts the client from the job because neither may hold it (a host name is letters, digits,
 * '-' and '.'; a job id also '_'). With '-', as before, `laptop` + job `ann-1` and `laptop-ann` +
 * job `1` shared one id, and the second client's job was refused while the first one's waited.
 */
export function printJobWorkflowId(client: string, job: string): string {
  return `flexispooler-job-${client}:${job}`;
}
