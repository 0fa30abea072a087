/**
 * One effect of every action, as a machine would emit it: what the action registry's and the
 * activity options' tests run through each action. `satisfies` makes a new action without a
 * sample fail to compile.
 */
import type { ActionWord, EffectOf } from '../../../machines/actions';

const member = { host: 'js-1', member: 'js-1-primary', os: 'unix', installDir: '/opt/sos', database: 'cluster.db', jobSchedulerId: 'scheduler' } as const;

export const SAMPLE_EFFECTS = {
  'check-management-server': { step: 's', title: 't', action: 'check-management-server' },
  'check-no-load': { step: 's', title: 't', action: 'check-no-load', hosts: ['spoc-1', 'spoc-2'] },
  'check-spocs-online': { step: 's', title: 't', action: 'check-spocs-online', hosts: ['spoc-1'], standalone: true },
  'await-spoc-online': { step: 's', title: 't', action: 'await-spoc-online', host: 'spoc-1', since: '2026-01-01T00:00:00Z', others: ['spoc-2'], timeoutSeconds: 600 },
  'preflight': { step: 's', title: 't', action: 'preflight', host: 'spoc-1', installDir: 'C:\\DP', services: ['YSoftSQ-SPOC'], otherServices: ['YSoftSQ-TS'] },
  'query-services': { step: 's', title: 't', action: 'query-services', host: 'spoc-1', services: ['a', 'b', 'c'], otherVendorServices: true },
  'survey-other-services': { step: 's', title: 't', action: 'survey-other-services', host: 'spoc-1', only: ['x'] },
  'stop-service': { step: 's', title: 't', action: 'stop-service', host: 'spoc-1', service: 'x', timeoutSeconds: 300 },
  'stop-services': { step: 's', title: 't', action: 'stop-services', host: 'spoc-1', services: ['a', 'b'], timeoutSeconds: 300 },
  'start-service': { step: 's', title: 't', action: 'start-service', host: 'spoc-1', service: 'x', timeoutSeconds: 420 },
  'start-services': { step: 's', title: 't', action: 'start-services', host: 'spoc-1', services: ['a', 'b', 'c'], timeoutSeconds: 420, bestEffort: true },
  'await-service-running': { step: 's', title: 't', action: 'await-service-running', host: 'spoc-1', service: 'x', timeoutSeconds: 900 },
  'await-lifecycle-online': { step: 's', title: 't', action: 'await-lifecycle-online', host: 'spoc-1', installDir: 'C:\\DP', since: '2026-01-01T00:00:00Z', timeoutSeconds: 1200 },
  'await-rescue-finished': { step: 's', title: 't', action: 'await-rescue-finished', host: 'spoc-1', installDir: 'C:\\DP', since: '2026-01-01T00:00:00Z', timeoutSeconds: 1500 },
  'delete-cache': { step: 's', title: 't', action: 'delete-cache', host: 'spoc-1', installDir: 'C:\\DP', timeoutSeconds: 5400 },
  'restart-os': { step: 's', title: 't', action: 'restart-os', host: 'spoc-1', delaySeconds: 5 },
  'await-host-restarted': { step: 's', title: 't', action: 'await-host-restarted', host: 'spoc-1', since: '2026-01-01T00:00:00Z', services: ['a'], timeoutSeconds: 900 },
  'watch-cluster': {
    step: 's',
    title: 't',
    action: 'watch-cluster',
    database: 'cluster.db',
    heartbeatTimeoutMs: 10_000,
    expected: { activeMember: 'js-1-primary', aliveMembers: ['js-1-primary', 'js-2-backup'] },
    maxWatchMs: 600_500,
    pollMs: 500,
    returnWhenStepsPending: true,
  },
  'fence-member': { step: 's', title: 't', action: 'fence-member', database: 'cluster.db', member: 'js-1-primary', reason: 'no heartbeat' },
  'activate-member': { step: 's', title: 't', action: 'activate-member', database: 'cluster.db', member: 'js-2-backup', heartbeatTimeoutMs: 10_000 },
  'assign-pending-steps': { step: 's', title: 't', action: 'assign-pending-steps', database: 'cluster.db', heartbeatTimeoutMs: 10_000 },
  'reassign-steps-of': { step: 's', title: 't', action: 'reassign-steps-of', database: 'cluster.db', member: 'js-1-primary', heartbeatTimeoutMs: 10_000 },
  'submit-order': { step: 's', title: 't', action: 'submit-order', database: 'cluster.db', chain: 'nightly', order: 'run-1' },
  'terminate-member': { step: 's', title: 't', action: 'terminate-member', host: 'js-1', database: 'cluster.db', member: 'js-1-primary', timeoutMs: 15_500 },
  'check-scheduler-member': { step: 's', title: 't', action: 'check-scheduler-member', ...member },
  'stop-scheduler': { step: 's', title: 't', action: 'stop-scheduler', ...member, timeoutSeconds: 240 },
  'start-scheduler': { step: 's', title: 't', action: 'start-scheduler', ...member, timeoutSeconds: 300 },
  'remove-scheduler-service': { step: 's', title: 't', action: 'remove-scheduler-service', ...member, os: 'windows', installDir: 'C:\\sos' },
  'install-scheduler-service': { step: 's', title: 't', action: 'install-scheduler-service', ...member, os: 'windows', installDir: 'C:\\sos' },
  'set-cluster-options': { step: 's', title: 't', action: 'set-cluster-options', ...member, options: '-exclusive -backup' },
  'discover-spooler-controllers': { step: 's', title: 't', action: 'discover-spooler-controllers', host: 'laptop-1' },
  'deliver-to-spooler-controller': { step: 's', title: 't', action: 'deliver-to-spooler-controller', host: 'laptop-1', server: 'spoc-lon-1', jobId: 'j-1', user: 'ann', document: 'report.pdf' },
  'deliver-through-public-server': { step: 's', title: 't', action: 'deliver-through-public-server', host: 'laptop-1', publicServer: 'print.example.com', jobId: 'j-1', user: 'ann', document: 'report.pdf' },
  'await-job-release': { step: 's', title: 't', action: 'await-job-release', server: 'spoc-lon-1', jobId: 'j-1', user: 'ann', document: 'report.pdf', maxWatchMs: 300_000 },
} satisfies { [A in ActionWord]: EffectOf<A> };
