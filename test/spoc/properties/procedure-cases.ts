/**
 * The SPOC procedures the safety properties run, each with a generator of its input (group sizes
 * 2-9, valid host names, no `otherServices` or a list that narrows step 3's survey, waits with a
 * `waitsOverride` where one is below the runbook's floor, a load override or none: inputs the
 * strict schemas accept), the hosts as they are before it runs (which vendor services are
 * installed and run, which services of others run), and what must hold for it (`SafetySpec`).
 */
import fc from 'fast-check';
import { inBlock, SafetySpec } from '../../helpers/procedure-driver';
import { HostSetup, NON_VENDOR_SERVICES } from '../../helpers/model-estate';
import { GROUP_SERVICE } from '../../../machines/spoc/spoc-services';

/** Vendor services a site server may run besides the SPOC's own; none is protected ("YSoft Payment System" is one by its "YSoft" name). */
export const ORDINARY_OTHER_SERVICES = [
  'Dispatcher Paragon FlexiSpooler',
  'Dispatcher Paragon Mobile Print Server',
  'Dispatcher Paragon Workflow Processing System',
  'YSoft Payment System',
  'Dispatcher Paragon Client Infrastructure',
];

interface GeneratedMember {
  installDir: string;
  /** Other vendor services installed on the host. */
  installed: string[];
  /** Which of them are stopped before the procedure (they must stay so). */
  stopped: boolean[];
  /** The input's `otherServices`: absent (step 3 surveys every running one) or a narrowing of those installed. */
  listed: string[] | undefined;
  /** Services of others (Print Spooler and the like) the host runs: never to be touched. */
  nonVendor: string[];
}

export interface Generated {
  raw: unknown;
  hosts: HostSetup[];
  /** The spec for this input (after it was parsed by the procedure's schema). */
  spec: (input: never) => SafetySpec;
}

export interface ProcedureCase {
  id: string;
  generated: (services: ServiceMix) => fc.Arbitrary<Generated>;
}

/** The other vendor services hosts may have installed, and those an input may list (narrowing step 3). */
export interface ServiceMix {
  installed: readonly string[];
  listable: readonly string[];
}

/** Hosts with the ordinary vendor services, any of which an input may list. */
export const ORDINARY: ServiceMix = { installed: ORDINARY_OTHER_SERVICES, listable: ORDINARY_OTHER_SERVICES };

const memberArb = (services: ServiceMix): fc.Arbitrary<GeneratedMember> =>
  fc
    .record({
      installDir: fc.constantFrom('C:\\DP', 'D:\\Program Files\\Dispatcher Paragon'),
      installed: fc.subarray([...services.installed]),
      stopped: fc.array(fc.boolean(), { minLength: services.installed.length, maxLength: services.installed.length }),
      nonVendor: fc.subarray(NON_VENDOR_SERVICES, { minLength: 1 }),
      lists: fc.boolean(),
    })
    .chain(({ lists, ...m }) =>
      (lists ? fc.subarray(m.installed.filter((s) => services.listable.includes(s))).map((l): string[] | undefined => l) : fc.constant(undefined)).map((listed) => ({ ...m, listed })),
    );

const groupArb = (services: ServiceMix, min = 2, max = 9) => fc.array(memberArb(services), { minLength: min, maxLength: max });

/**
 * The runbook's waits that are floors (the test's own table): a generated wait below one comes
 * with a `waitsOverride`, as the strict inputs require; an override may also come without one.
 */
const WAIT_FLOORS: Record<string, number> = { groupServiceTimeoutSeconds: 120, convergenceSeconds: 300, betweenStartsSeconds: 180, settleSeconds: 300 };

const WAITS_OVERRIDE = { operator: 'duty-operator', reason: 'test site, shorter waits agreed' };

function withWaits(waits: Record<string, number>, override: boolean): { waits: Record<string, number>; waitsOverride?: typeof WAITS_OVERRIDE } {
  const below = Object.entries(waits).some(([k, v]) => WAIT_FLOORS[k] !== undefined && v < WAIT_FLOORS[k]);
  return { waits, ...(below || override ? { waitsOverride: WAITS_OVERRIDE } : {}) };
}

const waitsOf = (waits: fc.Arbitrary<Record<string, number>>) => fc.record({ waits, override: fc.boolean() }).map(({ waits: w, override }) => withWaits(w, override));

const groupWaitsArb = waitsOf(
  fc.record(
    {
      serviceTimeoutSeconds: fc.integer({ min: 5, max: 1800 }),
      groupServiceTimeoutSeconds: fc.integer({ min: 5, max: 600 }),
      onlineTimeoutSeconds: fc.integer({ min: 5, max: 7200 }),
      rescueTimeoutSeconds: fc.integer({ min: 5, max: 14400 }),
      convergenceSeconds: fc.integer({ min: 0, max: 3600 }),
      hostPickupSeconds: fc.integer({ min: 5, max: 600 }),
      betweenStartsSeconds: fc.integer({ min: 1, max: 1800 }),
    },
    { requiredKeys: [] },
  ),
);

const osWaitsArb = waitsOf(
  fc.record(
    {
      serviceTimeoutSeconds: fc.integer({ min: 5, max: 1800 }),
      onlineTimeoutSeconds: fc.integer({ min: 5, max: 7200 }),
      restartDelaySeconds: fc.integer({ min: 5, max: 600 }),
      bootTimeoutSeconds: fc.integer({ min: 10, max: 7200 }),
      settleSeconds: fc.integer({ min: 0, max: 3600 }),
      betweenStartsSeconds: fc.integer({ min: 1, max: 1800 }),
    },
    { requiredKeys: [] },
  ),
);

const loadOverrideArb = fc.option(fc.constant({ operator: 'duty-operator', reason: 'maintenance window agreed with the site' }), { nil: undefined, freq: 2 });

/** Members named `<prefix>-1..n` (valid DNS names), and the hosts as the model starts them. */
function named(prefix: string, members: GeneratedMember[]) {
  const spocs = members.map((m, i) => ({ host: `${prefix}-${i + 1}`, installDir: m.installDir, ...(m.listed !== undefined ? { otherServices: m.listed } : {}) }));
  const hosts: HostSetup[] = members.map((m, i) => ({
    host: `${prefix}-${i + 1}`,
    otherServices: m.installed,
    initiallyStopped: m.installed.filter((_s, j) => m.stopped[j]),
    nonVendorServices: m.nonVendor,
    ...(m.listed !== undefined ? { listed: m.listed } : {}),
  }));
  return { spocs, hosts };
}

const hostsOf = (ms: { host: string }[]) => ms.map((m) => m.host);

/** A generated case prints as its input and hosts in fast-check's counterexamples (not as the spec's source). */
function printable(g: Generated): Generated {
  return Object.assign(g, { [fc.toStringMethod]: () => JSON.stringify({ input: g.raw, hosts: g.hosts }) });
}

/** Names a case by its procedure in counterexamples. */
function procedureCase(c: ProcedureCase): ProcedureCase {
  return Object.assign(c, { [fc.toStringMethod]: () => c.id });
}

const groupRestart = (id: string, spec: (members: string[]) => SafetySpec): ProcedureCase =>
  procedureCase({
    id,
    generated: (services) =>
      fc.record({ members: groupArb(services), waits: groupWaitsArb, loadOverride: loadOverrideArb }).map(({ members, waits, loadOverride }) => {
        const g = named('spoc', members);
        return printable({ raw: { group: 'london', members: g.spocs, ...waits, ...(loadOverride ? { loadOverride } : {}) }, hosts: g.hosts, spec: (input: { members: { host: string }[] }) => spec(hostsOf(input.members)) });
      }),
  });

export const RESTART_WITHOUT_DELETION = groupRestart('restart-group-without-cache-deletion', (members) => ({ oneAtATime: [members], deletionBlocks: [] }));

export const RESTART_WITH_DELETION = groupRestart('restart-group-with-cache-deletion', (members) => ({ oneAtATime: [], deletionBlocks: [members], completedDeletesEveryBlock: true }));

export const RESTARTED_IN_PARALLEL = groupRestart('group-members-restarted-in-parallel', (members) => ({ oneAtATime: [], deletionBlocks: [members], completedDeletesEveryBlock: true }));

export const RESTART_OS_OF_GROUP_MEMBERS: ProcedureCase = procedureCase({
  id: 'restart-os-of-group-members',
  generated: (services) =>
    fc.record({ members: groupArb(services), waits: osWaitsArb, loadOverride: loadOverrideArb }).map(({ members, waits, loadOverride }) => {
      const g = named('spoc', members);
      return printable({
        raw: { group: 'london', members: g.spocs, ...waits, ...(loadOverride ? { loadOverride } : {}) },
        hosts: g.hosts,
        // After a parallel restart was seen, the restart with cache deletion of all members follows: all down on purpose.
        spec: (input: { members: { host: string }[] }) => ({
          oneAtATime: [hostsOf(input.members)],
          oneAtATimeEndsWhen: (s) => inBlock(s, 'recover'),
          deletionBlocks: [hostsOf(input.members)],
        }),
      });
    }),
});

export const RESTART_OS_OF_STANDALONE_SPOCS: ProcedureCase = procedureCase({
  id: 'restart-os-of-standalone-spocs',
  generated: (services) =>
    fc.record({ spocs: groupArb(services, 1, 9), waits: osWaitsArb, loadOverride: loadOverrideArb }).map(({ spocs, waits, loadOverride }) => {
      const g = named('solo', spocs);
      return printable({ raw: { spocs: g.spocs, ...waits, ...(loadOverride ? { loadOverride } : {}) }, hosts: g.hosts, spec: () => ({ oneAtATime: [], deletionBlocks: [] }) });
    }),
});

export const CREATE_GROUP: ProcedureCase = procedureCase({
  id: 'create-group-from-standalone-spocs',
  generated: (services) =>
    fc.record({ members: groupArb(services), spocs: fc.constantFrom('newly-installed', 'in-production'), waits: groupWaitsArb, loadOverride: loadOverrideArb }).map(({ members, spocs, waits, loadOverride }) => {
      const g = named('spoc', members);
      return printable({
        raw: { group: 'berlin', members: g.spocs, spocs, ...waits, ...(loadOverride ? { loadOverride } : {}) },
        hosts: g.hosts,
        spec: (input: { members: { host: string }[]; spocs: string }) =>
          input.spocs === 'newly-installed'
            ? { oneAtATime: [hostsOf(input.members)], deletionBlocks: [] }
            : { oneAtATime: [], deletionBlocks: [hostsOf(input.members)], completedDeletesEveryBlock: true },
      });
    }),
});

/** Adding a SPOC to a group: with two members all three are restarted with deletion; with more, the new one alone loses its cache. */
function addSpec(members: string[], newSpoc: string): SafetySpec {
  return members.length === 2
    ? { oneAtATime: [], deletionBlocks: [[...members, newSpoc]], completedDeletesEveryBlock: true }
    : { oneAtATime: [members], deletionBlocks: [[newSpoc]], completedDeletesEveryBlock: true };
}

export const ADD_SPOC: ProcedureCase = procedureCase({
  id: 'add-spoc-to-group',
  generated: (services) =>
    fc.record({ members: groupArb(services), added: memberArb(services), waits: groupWaitsArb, loadOverride: loadOverrideArb }).map(({ members, added, waits, loadOverride }) => {
      const g = named('spoc', members);
      const n = named('new', [added]);
      return printable({
        raw: { group: 'paris', members: g.spocs, newMember: n.spocs[0], ...waits, ...(loadOverride ? { loadOverride } : {}) },
        hosts: [...g.hosts, ...n.hosts],
        spec: (input: { members: { host: string }[]; newMember: { host: string } }) => addSpec(hostsOf(input.members), input.newMember.host),
      });
    }),
});

export const REMOVE_SPOC: ProcedureCase = procedureCase({
  id: 'remove-spoc-from-group',
  generated: (services) =>
    fc.record({ members: groupArb(services), removed: memberArb(services), waits: groupWaitsArb, loadOverride: loadOverrideArb }).map(({ members, removed, waits, loadOverride }) => {
      const g = named('spoc', members);
      const r = named('gone', [removed]);
      return printable({
        raw: { group: 'paris', members: g.spocs, removedMember: r.spocs[0], ...waits, ...(loadOverride ? { loadOverride } : {}) },
        hosts: [...g.hosts, ...r.hosts],
        // The removed SPOC is standalone now: the runbook does not start its group service again (the result's notes say so).
        spec: (input: { members: { host: string }[]; removedMember: { host: string } }) => ({
          oneAtATime: [],
          deletionBlocks: [hostsOf(input.members)],
          completedDeletesEveryBlock: true,
          intentionallyStopped: { [input.removedMember.host]: [GROUP_SERVICE] },
        }),
      });
    }),
});

export const MOVE_SPOC: ProcedureCase = procedureCase({
  id: 'move-spoc-to-another-group',
  generated: (services) =>
    fc
      .record({ from: groupArb(services), to: groupArb(services), moved: memberArb(services), mode: fc.constantFrom('two-steps', 'one-step'), waits: groupWaitsArb, loadOverride: loadOverrideArb })
      .map(({ from, to, moved, mode, waits, loadOverride }) => {
        const f = named('old', from);
        const t = named('new', to);
        const m = named('moved', [moved]);
        return printable({
          raw: { spoc: m.spocs[0], from: { group: 'paris', members: f.spocs }, to: { group: 'lyon', members: t.spocs }, mode, ...waits, ...(loadOverride ? { loadOverride } : {}) },
          hosts: [...f.hosts, ...t.hosts, ...m.hosts],
          spec: (input: { spoc: { host: string }; from: { members: { host: string }[] }; to: { members: { host: string }[] }; mode: string }) => {
            const fromHosts = hostsOf(input.from.members);
            const toHosts = hostsOf(input.to.members);
            if (input.mode === 'one-step') return { oneAtATime: [], deletionBlocks: [fromHosts, [...toHosts, input.spoc.host]], completedDeletesEveryBlock: true };
            const add = addSpec(toHosts, input.spoc.host);
            // Between the two steps the moved SPOC is standalone: its group service stays stopped until it joins the new group.
            return { ...add, deletionBlocks: [fromHosts, ...add.deletionBlocks], intentionallyStopped: { [input.spoc.host]: [GROUP_SERVICE] } };
          },
        });
      }),
});

export const IP_CHANGED: ProcedureCase = procedureCase({
  id: 'ip-address-changed',
  generated: (services) =>
    fc.record({ members: groupArb(services, 1, 8), waits: groupWaitsArb, loadOverride: loadOverrideArb }).map(({ members, waits, loadOverride }) => {
      const g = named('spoc', members);
      return printable({
        raw: { group: 'rome', changedHost: 'spoc-changed', members: g.spocs, ...waits, ...(loadOverride ? { loadOverride } : {}) },
        hosts: g.hosts,
        spec: (input: { members: { host: string }[] }) => ({ oneAtATime: [], deletionBlocks: [hostsOf(input.members)], completedDeletesEveryBlock: true }),
      });
    }),
});

export const ALL_CASES: ProcedureCase[] = [
  RESTART_WITHOUT_DELETION,
  RESTART_WITH_DELETION,
  RESTARTED_IN_PARALLEL,
  RESTART_OS_OF_GROUP_MEMBERS,
  RESTART_OS_OF_STANDALONE_SPOCS,
  CREATE_GROUP,
  ADD_SPOC,
  REMOVE_SPOC,
  MOVE_SPOC,
  IP_CHANGED,
];
