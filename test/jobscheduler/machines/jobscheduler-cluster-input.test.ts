// Proves that a JobScheduler cluster definition is refused for each rule of the runbook, with a
// message that names the field and the rule as an operator reads it, and that the helpers give the
// primary and the failover order of the backups.
import { backupsInFailoverOrder, primaryOf } from '../../../machines/jobscheduler/cluster-members';
import { formatClusterOptions, parseClusterOptions } from '../../../machines/jobscheduler/cluster-options';
import { jobSchedulerClusterSchema, type JobSchedulerClusterInput } from '../../../machines/jobscheduler/jobscheduler-cluster-input';
import { parseInput } from '../../../machines/core/input-errors';

const DB = 'production.sqlite';

function member(host: string, clusterOptions: string, overrides: Record<string, unknown> = {}) {
  return {
    host,
    os: 'unix' as const,
    jobSchedulerId: 'production',
    database: DB,
    installDir: '/opt/sos-berlin.com/jobscheduler/production',
    clusterOptions,
    ...overrides,
  };
}

function passive(...members: ReturnType<typeof member>[]): JobSchedulerClusterInput {
  return { cluster: 'prod', mode: 'passive', members };
}

function active(...members: ReturnType<typeof member>[]): JobSchedulerClusterInput {
  return { cluster: 'prod', mode: 'active', members };
}

/** What the operator sees when the input is refused. */
function refusal(input: unknown): string {
  try {
    parseInput(jobSchedulerClusterSchema, 'jobSchedulerCluster', input);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the input was accepted');
}

const parse = (input: unknown) => parseInput(jobSchedulerClusterSchema, 'jobSchedulerCluster', input);

describe('cluster options', () => {
  test.each([
    ['-exclusive', { role: 'primary' }],
    ['-exclusive -backup', { role: 'backup', precedence: 1, precedenceGiven: false }],
    ['-exclusive -backup -backup-precedence=0', { role: 'backup', precedence: 0, precedenceGiven: true }],
    ['-exclusive -backup -backup-precedence=7', { role: 'backup', precedence: 7, precedenceGiven: true }],
    ['-exclusive -distributed-orders', { role: 'distributed' }],
    ['  -exclusive   -backup  ', { role: 'backup', precedence: 1, precedenceGiven: false }],
  ])('reads %j as one of the three documented forms', (text, options) => {
    expect(parseClusterOptions(text)).toEqual({ ok: true, options });
  });

  test.each([
    '-exclusive',
    '-exclusive -backup',
    '-exclusive -backup -backup-precedence=3',
    '-exclusive -distributed-orders',
  ])('writes %j back exactly as the runbook spells it', (text) => {
    const parsed = parseClusterOptions(text);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(formatClusterOptions(parsed.options)).toBe(text);
  });

  test.each([
    ['', 'no cluster options given'],
    ['-backup', 'every cluster member starts with -exclusive'],
    ['-distributed-orders', 'starts with "-exclusive -distributed-orders", not "-distributed-orders" alone'],
    ['-backup -exclusive', 'write the options in the documented order, starting with -exclusive'],
    ['-exclusive -backup-precedence=2 -backup', 'write the options in the documented order: -exclusive -backup -backup-precedence=n'],
    ['-exclusive -backup -distributed-orders', '-backup and -distributed-orders do not go together'],
    ['-exclusive -backup-precedence=2', '-backup-precedence is only for a backup'],
    ['-exclusive -backup -backup-precedence', 'needs its number attached'],
    ['-exclusive -backup -backup-precedence=-1', 'n must be a non-negative integer'],
    ['-exclusive -backup -backup-precedence=1.5', 'n must be a non-negative integer'],
    ['-exclusive -backup -backup-precedence=01', 'n must be a non-negative integer'],
    ['-exclusive -backup -backup-precedence=99999999999', 'n must be a non-negative integer'],
    ['-exclusive -exclusive', '"-exclusive" is given twice'],
    ['-exclusive -passive', '"-passive" is not a cluster option'],
  ])('refuses %j outside the three forms', (text, why) => {
    const parsed = parseClusterOptions(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.problem).toContain(why);
  });

  test('names the member and the field when an option is refused', () => {
    expect(refusal(passive(member('a', '-exclusive'), member('b', '-exclusive -bakup')))).toBe(
      'invalid input for jobSchedulerCluster: members.1.clusterOptions: "-bakup" is not a cluster option; the forms are ' +
        '"-exclusive" (primary of a passive cluster), "-exclusive -backup [-backup-precedence=n]" (backup) and ' +
        '"-exclusive -distributed-orders" (member of an active cluster)',
    );
  });
});

describe('shared identity', () => {
  test('refuses a member with another JobScheduler ID, naming both IDs', () => {
    expect(refusal(passive(member('a', '-exclusive'), member('b', '-exclusive -backup', { jobSchedulerId: 'prod2' })))).toBe(
      'invalid input for jobSchedulerCluster: members.1.jobSchedulerId: "prod2" differs from members.0.jobSchedulerId "production": ' +
        'all members of a cluster are identified by the same JobScheduler ID',
    );
  });

  test('refuses a member with another database', () => {
    expect(refusal(passive(member('a', '-exclusive'), member('b', '-exclusive -backup', { database: 'other.sqlite' })))).toBe(
      'invalid input for jobSchedulerCluster: members.1.database: differs from members.0.database: ' +
        'all members of a cluster use the same database (write it identically on every member)',
    );
  });

  test('refuses a database given as a path or connection string, naming the field and never echoing the value', () => {
    for (const database of ['/var/lib/other/app.sqlite', '../scheduler/berlin.sqlite', 'C:\\data\\berlin.sqlite', 'sub/berlin.sqlite', 'jdbc:postgresql://other/scheduler;password=secret']) {
      const message = refusal(passive(member('a', '-exclusive', { database }), member('b', '-exclusive -backup', { database })));
      expect(message).toContain('members.0.database: must be the name of a database in the central worker\'s cluster database folder (SPOOLFLOW_CLUSTER_DB_DIR), e.g. "berlin.sqlite", not a path');
      expect(message).not.toContain(database);
      expect(message).not.toContain('secret');
    }
    for (const database of ['..', 'berlin..sqlite', '.hidden', 'berlin sqlite', '']) {
      expect(refusal(passive(member('a', '-exclusive', { database }), member('b', '-exclusive -backup', { database })))).toMatch(/members\.0\.database: /);
    }
  });

  test('ignores spaces around the database, which an operator cannot see', () => {
    expect(() => parse(passive(member('a', '-exclusive'), member('b', '-exclusive -backup', { database: ` ${DB} ` })))).not.toThrow();
  });

  test('refuses a host listed twice', () => {
    expect(refusal(passive(member('a', '-exclusive'), member('A', '-exclusive -backup')))).toBe(
      'invalid input for jobSchedulerCluster: members.1.host: host "a" is listed twice (also at members.0.host; case, surrounding spaces and a trailing dot do not make another host)',
    );
  });

  test('refuses a cluster of one, and says what the one member lacks', () => {
    expect(refusal(passive(member('a', '-exclusive')))).toBe(
      'invalid input for jobSchedulerCluster: members: a JobScheduler cluster has at least two members; ' +
        'members: a passive cluster needs at least one backup (a member started with -exclusive -backup); none is',
    );
  });
});

describe('passive cluster', () => {
  test('refuses a cluster without a primary', () => {
    expect(refusal(passive(member('a', '-exclusive -backup -backup-precedence=1'), member('b', '-exclusive -backup -backup-precedence=2')))).toBe(
      'invalid input for jobSchedulerCluster: members: a passive cluster needs exactly one primary (a member started with -exclusive alone, without -backup); none is',
    );
  });

  test('refuses a second primary, naming the first', () => {
    expect(refusal(passive(member('a', '-exclusive'), member('b', '-exclusive'), member('c', '-exclusive -backup')))).toBe(
      'invalid input for jobSchedulerCluster: members.1.clusterOptions: a passive cluster has exactly one primary and members.0 (host "a") already is; ' +
        'start this member with -exclusive -backup',
    );
  });

  test('refuses a cluster without a backup', () => {
    expect(refusal(passive(member('a', '-exclusive'), member('b', '-exclusive -distributed-orders')))).toBe(
      'invalid input for jobSchedulerCluster: members.1.clusterOptions: -exclusive -distributed-orders belongs to an active cluster; ' +
        'in a passive cluster use -exclusive (the primary) or -exclusive -backup; ' +
        'members: a passive cluster needs at least one backup (a member started with -exclusive -backup); none is',
    );
  });

  test('refuses two backups with the same explicit precedence', () => {
    expect(
      refusal(passive(member('a', '-exclusive'), member('b', '-exclusive -backup -backup-precedence=2'), member('c', '-exclusive -backup -backup-precedence=2'))),
    ).toBe(
      'invalid input for jobSchedulerCluster: members.2.clusterOptions: backup precedence 2 is also that of members.1 (host "b"); ' +
        'give each backup its own -backup-precedence=n (the lowest takes over first)',
    );
  });

  test('counts a backup without a precedence as 1, so two of them collide', () => {
    expect(refusal(passive(member('a', '-exclusive'), member('b', '-exclusive -backup'), member('c', '-exclusive -backup')))).toBe(
      'invalid input for jobSchedulerCluster: members.2.clusterOptions: backup precedence 1 is also that of members.1 (host "b"); ' +
        'a backup without -backup-precedence counts as 1; give each backup its own -backup-precedence=n (the lowest takes over first)',
    );
  });

  test('counts a backup without a precedence as 1, so it collides with -backup-precedence=1', () => {
    expect(refusal(passive(member('a', '-exclusive'), member('b', '-exclusive -backup -backup-precedence=1'), member('c', '-exclusive -backup')))).toContain(
      'members.2.clusterOptions: backup precedence 1 is also that of members.1 (host "b"); a backup without -backup-precedence counts as 1',
    );
  });

  test('accepts a backup without a precedence next to backups with other precedences', () => {
    const cluster = parse(passive(member('a', '-exclusive'), member('b', '-exclusive -backup'), member('c', '-exclusive -backup -backup-precedence=2')));
    expect(cluster.members.map((m) => m.clusterOptions.role)).toEqual(['primary', 'backup', 'backup']);
  });

  test('gives the primary, and the backups lowest precedence first (the order they take over)', () => {
    const cluster = parse(
      passive(
        member('b3', '-exclusive -backup -backup-precedence=3'),
        member('p', '-exclusive'),
        member('b1', '-exclusive -backup'),
        member('b0', '-exclusive -backup -backup-precedence=0'),
        member('b2', '-exclusive -backup -backup-precedence=2'),
      ),
    );
    expect(primaryOf(cluster)?.host).toBe('p');
    expect(backupsInFailoverOrder(cluster).map((m) => [m.host, m.clusterOptions.precedence])).toEqual([
      ['b0', 0],
      ['b1', 1],
      ['b2', 2],
      ['b3', 3],
    ]);
  });
});

describe('active cluster', () => {
  test('accepts members that all start with -exclusive -distributed-orders; it has no primary and no backups', () => {
    const cluster = parse(active(member('a', '-exclusive -distributed-orders'), member('b', '-exclusive  -distributed-orders')));
    expect(primaryOf(cluster)).toBeUndefined();
    expect(backupsInFailoverOrder(cluster)).toEqual([]);
  });

  test('refuses a member that is not -exclusive -distributed-orders, naming what it is', () => {
    expect(refusal(active(member('a', '-exclusive -distributed-orders'), member('b', '-exclusive')))).toBe(
      'invalid input for jobSchedulerCluster: members.1.clusterOptions: every member of an active cluster starts with -exclusive -distributed-orders, not -exclusive',
    );
  });

  test('refuses a mode that is neither passive nor active', () => {
    expect(refusal({ ...active(member('a', '-exclusive -distributed-orders'), member('b', '-exclusive -distributed-orders')), mode: 'hot' })).toBe(
      'invalid input for jobSchedulerCluster: mode: must be "passive" (one primary, backups take over) or "active" (all members run, orders are distributed)',
    );
  });
});

describe('install folder', () => {
  const withDir = (os: 'unix' | 'windows', installDir: string) =>
    refusal(passive(member('a', '-exclusive'), member('b', '-exclusive -backup', { os, installDir })));

  test('accepts a Windows member with a drive path next to a Unix member', () => {
    const cluster = parse(
      passive(member('a', '-exclusive'), member('b', '-exclusive -backup', { os: 'windows', installDir: 'C:\\Program Files (x86)\\sos-berlin.com\\jobscheduler\\production' })),
    );
    expect(cluster.members[1]?.os).toBe('windows');
  });

  test.each([
    ['unix', 'opt/jobscheduler', 'must be an absolute Unix path'],
    ['unix', 'C:\\jobscheduler', 'is a Windows path but os is "unix"'],
    ['unix', '/opt/../etc', 'must not contain ".."'],
    ['unix', '/', 'must not be the root folder'],
    ['unix', '/opt\\jobscheduler', 'must use "/" as separator'],
    ['unix', '/opt/jobscheduler ', 'must not begin or end with a space'],
    ['windows', '/opt/jobscheduler', 'is a Unix path but os is "windows"'],
    ['windows', 'jobscheduler', 'must be an absolute Windows path with a drive letter'],
    ['windows', '\\\\fileserver\\jobscheduler', 'is a network path'],
    ['windows', 'D:\\', 'must not be a drive root'],
    ['windows', 'C:\\js\\..\\Windows', 'must not contain ".."'],
    ['windows', 'C:\\R&D\\jobscheduler', 'must not contain any of " % ^ ! & | < >'],
  ] as const)('refuses %s install folder %j', (os, dir, why) => {
    expect(withDir(os, dir)).toContain(`members.1.installDir: ${why}`);
  });
});

describe('heartbeat', () => {
  const base = passive(member('a', '-exclusive'), member('b', '-exclusive -backup'));

  test('defaults to JobScheduler 1.x timing: a beat every 60 s, dead 120 s after the last one', () => {
    expect(parse(base).heartbeat).toEqual({ intervalSeconds: 60, timeoutSeconds: 120 });
    expect(parse({ ...base, heartbeat: {} }).heartbeat).toEqual({ intervalSeconds: 60, timeoutSeconds: 120 });
  });

  test('refuses a timeout that is not longer than the interval', () => {
    expect(refusal({ ...base, heartbeat: { intervalSeconds: 90, timeoutSeconds: 90 } })).toBe(
      'invalid input for jobSchedulerCluster: heartbeat.timeoutSeconds: must be greater than intervalSeconds (90); ' +
        'with 90 a member would count as dead before its next beat is due',
    );
  });

  test('refuses an interval raised above the default timeout unless the timeout is raised too', () => {
    expect(refusal({ ...base, heartbeat: { intervalSeconds: 300 } })).toContain('heartbeat.timeoutSeconds: must be greater than intervalSeconds (300)');
    expect(parse({ ...base, heartbeat: { intervalSeconds: 300, timeoutSeconds: 900 } }).heartbeat).toEqual({ intervalSeconds: 300, timeoutSeconds: 900 });
  });

  test.each([
    [{ intervalSeconds: 0 }, 'heartbeat.intervalSeconds'],
    [{ intervalSeconds: 1, timeoutSeconds: 1 }, 'heartbeat.timeoutSeconds'],
    [{ intervalSeconds: 601, timeoutSeconds: 1200 }, 'heartbeat.intervalSeconds'],
    [{ timeoutSeconds: 3601 }, 'heartbeat.timeoutSeconds'],
    [{ intervalSeconds: 0.05 }, 'heartbeat.intervalSeconds'],
  ])('refuses heartbeat %j outside sane bounds', (heartbeat, field) => {
    expect(refusal({ ...base, heartbeat })).toContain(`${field}: `);
  });
});
