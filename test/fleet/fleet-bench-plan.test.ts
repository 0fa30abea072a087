/**
 * The fleet bench's estate and floor, without Temporal: the generated inventory (groups of four,
 * standalone servers, several sites, fixed service times) and the floor the plan allows.
 */
import { generateInventory, GENERATED_TIMINGS, GROUP_SIZE, inventoryFromEnv } from '../../simulator/spoc/generated-inventory';
import { groupRestartSeconds, memberRestartSeconds, rolloutFloorSeconds, standaloneRestartSeconds } from '../../bench/fleet-floor';
import { planTargets } from '../../bench/fleet-plan';

describe('generated inventory', () => {
  it('puts 1,000 servers on 8 sites: one standalone per site, the rest in 248 groups of four', () => {
    const inv = generateInventory({ servers: 1000 });
    expect(inv.siteServers).toHaveLength(1000);
    expect(new Set(inv.siteServers.map((s) => s.site)).size).toBe(8);
    expect(inv.groups).toHaveLength(248);
    expect(inv.groups.every((g) => g.members.length === GROUP_SIZE)).toBe(true);
    expect(inv.standalone).toHaveLength(8);
  });

  it('lists every server once, in one group or standalone, and a group at one site', () => {
    const inv = generateInventory({ servers: 103, sites: 3, standalonePerSite: 2 });
    const placed = [...inv.groups.flatMap((g) => g.members), ...inv.standalone];
    expect(placed.sort()).toEqual(inv.siteServers.map((s) => s.host).sort());
    const siteOf = new Map(inv.siteServers.map((s) => [s.host, s.site]));
    for (const g of inv.groups) expect(new Set(g.members.map((m) => siteOf.get(m))).size).toBe(1);
    // 35, 34, 34 servers; 2 standalone each; 33 → 8 groups + 1 left over, 32 → 8 groups.
    expect(inv.groups).toHaveLength(24);
    expect(inv.standalone).toHaveLength(7);
  });

  it('fixes every service time, so a restart takes a known time', () => {
    const inv = generateInventory({ servers: 8, timeScale: 120 });
    expect(inv.timings).toEqual(GENERATED_TIMINGS);
    expect(inv.timeScale).toBe(120);
  });

  it('refuses a bad size naming the field', () => {
    expect(() => generateInventory({ servers: 0 })).toThrow(/servers must be a whole number of at least 1/);
    expect(() => generateInventory({ servers: 4, sites: 5 })).toThrow(/sites \(5\) must not be more than servers \(4\)/);
    expect(() => inventoryFromEnv({ FLEET_SERVERS: 'many' })).toThrow(/FLEET_SERVERS must be a whole number/);
    expect(inventoryFromEnv({})).toBeUndefined();
    expect(inventoryFromEnv({ FLEET_SERVERS: '40' })?.siteServers).toHaveLength(40);
  });
});

describe('fleet bench floor', () => {
  const member = { timings: GENERATED_TIMINGS, timeScale: 60, jobsInCache: 20, otherServices: 3, convergenceSeconds: 90 };

  it('is one member: six stops, the SPOC start, the group service, terminal server and three other starts, then the convergence wait', () => {
    // 6×5 + 10 + max(90 + 5 + 10, 30) + 3×10 = 175 simulated seconds; at 60 per second 2.917 s.
    expect(memberRestartSeconds(member)).toBeCloseTo(175 / 60 + 90, 6);
    expect(groupRestartSeconds(4, member)).toBeCloseTo(4 * (175 / 60 + 90), 6);
  });

  it('waits for the rescue when it ends after the other services started', () => {
    // ONLINE after 30 s, then 400 jobs × 0.5 s: 230 s after the SPOC runs.
    expect(memberRestartSeconds({ ...member, jobsInCache: 400, convergenceSeconds: 0 })).toBeCloseTo((30 + 10 + 230) / 60, 6);
  });

  it('is the restart delay, shutdown, boot, start and ONLINE for standalone servers', () => {
    expect(standaloneRestartSeconds({ timings: GENERATED_TIMINGS, timeScale: 60, restartDelaySeconds: 5 })).toBeCloseTo(5 + 190 / 60, 6);
  });

  it('refuses a range of service times', () => {
    expect(() => memberRestartSeconds({ ...member, timings: { ...GENERATED_TIMINGS, stopSeconds: [3, 8] } })).toThrow(/timings.stopSeconds is a range \[3, 8\]/);
  });

  it('runs groups in waves of the rate limit, a freed place taken at once', () => {
    const targets = Array.from({ length: 5 }, (_, i) => ({ name: `g${i}`, site: 'a', seconds: 100 }));
    expect(rolloutFloorSeconds(targets, { maxGroupsAtOnce: 2, maxGroupsPerSite: 2, failureBudget: 1 })).toBe(300);
    const mixed = [{ name: 'short', site: 'a', seconds: 10 }, ...targets.slice(0, 3)];
    // short and g0 start; g1 at 10 s, g2 at 100 s: ends at 200 s.
    expect(rolloutFloorSeconds(mixed, { maxGroupsAtOnce: 2, maxGroupsPerSite: 2, failureBudget: 1 })).toBe(200);
  });

  it('adds the spacing of the starts: five groups of 100 s, three at a time, 10 s apart', () => {
    const targets = Array.from({ length: 5 }, (_, i) => ({ name: `g${i}`, site: 'a', seconds: 100 }));
    // g0 0, g1 10, g2 20; g3 at 100 (g0 ends), g4 at 110 (g1 ends; 10 s after g3): ends at 210 s.
    expect(rolloutFloorSeconds(targets, { maxGroupsAtOnce: 3, maxGroupsPerSite: 3, failureBudget: 1, secondsBetweenStarts: 10 })).toBe(210);
  });

  it('ends for durations and a spacing whose seconds are no whole number of milliseconds (400 servers, convergence 10 s, 0.5 s apart)', () => {
    // Counted in seconds, a wake time came back a hair before its start and the loop woke for ever.
    const targets = planTargets(generateInventory({ servers: 400, timeScale: 60 }), 10).map((t) => t.timed);
    const floor = rolloutFloorSeconds(targets, { maxGroupsAtOnce: 51, maxGroupsPerSite: 51, failureBudget: 1, secondsBetweenStarts: 0.5 });
    // Two waves of about 52 s groups; the second's starts, as places free, 0.5 s apart over some 25 s.
    expect(floor).toBeGreaterThan(2 * 51 + 50 * 0.5);
    expect(floor).toBeLessThan(2 * 54 + 52 * 0.5);
  });

  it('keeps to the per-site limit', () => {
    const targets = [
      { name: 'a1', site: 'a', seconds: 100 },
      { name: 'a2', site: 'a', seconds: 100 },
      { name: 'b1', site: 'b', seconds: 100 },
    ];
    expect(rolloutFloorSeconds(targets, { maxGroupsAtOnce: 3, maxGroupsPerSite: 1, failureBudget: 1 })).toBe(200);
  });
});
