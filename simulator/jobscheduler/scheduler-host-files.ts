/**
 * The install folder of a simulated JobScheduler member, as real files on this machine: a folder
 * stands for the host's file system, `<sim dir>/scheduler/hosts/<host>/fs/`, in which a Unix path
 * `/opt/x` is `fs/opt/x` and a Windows path `C:\x` is `fs/C/x` (as simulator/windows/sim-host-files.ts
 * lays out the SPOC hosts' drives). The start scripts have the shape of JobScheduler 1.x's, so the
 * production edit of SCHEDULER_CLUSTER_OPTIONS meets what it meets on a host: comments, other
 * variables, a commented-out default, LF on Unix and CRLF on Windows.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { START_SCRIPT } from '../../activities/jobscheduler/cluster-option-file';
import { localPathOf } from '../windows/sim-host-files';
import { schedulerSimDir } from './member-files';

/** The folder that stands for the host's file system. */
export function schedulerHostFsRoot(simDir: string, host: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(host)) throw new Error(`host "${host}" must be a DNS host name (it names a folder)`);
  return path.join(schedulerSimDir(simDir), 'hosts', host, 'fs');
}

/** This machine's path of a path on the simulated host. */
export function schedulerHostLocalPath(fsRoot: string, os: 'unix' | 'windows'): (hostPath: string) => string {
  if (os === 'windows') return (hostPath) => localPathOf(fsRoot, hostPath);
  return (hostPath) => {
    if (!hostPath.startsWith('/')) throw new Error(`"${hostPath}" is not an absolute Unix path`);
    const parts = hostPath.split('/').filter((part) => part !== '' && part !== '.');
    if (parts.includes('..')) throw new Error(`"${hostPath}" leaves the simulated host's file system`);
    return path.join(fsRoot, ...parts);
  };
}

/** What the install folder's scripts say about the member. */
export interface SchedulerInstallFacts {
  os: 'unix' | 'windows';
  installDir: string;
  jobSchedulerId: string;
  /** SCHEDULER_CLUSTER_OPTIONS as the installer wrote it. */
  options: string;
}

/** The files of an install folder, relative to it, with their contents. */
export function schedulerInstallFiles(facts: SchedulerInstallFacts): Record<string, string> {
  return facts.os === 'unix'
    ? { [START_SCRIPT.unix.relative.join('/')]: environmentSh(facts), 'bin/jobscheduler.sh': jobschedulerSh(facts) }
    : { [START_SCRIPT.windows.relative.join('/')]: environmentCmd(facts), 'bin/jobscheduler.cmd': jobschedulerCmd(facts) };
}

/**
 * Creates the install folder with its start scripts, as the installer leaves it. Files that exist
 * are left as they are: a simulated host keeps its edits across restarts of spoolflow.
 */
export function installSchedulerFiles(localPath: (hostPath: string) => string, facts: SchedulerInstallFacts): void {
  const root = localPath(facts.installDir);
  for (const [relative, content] of Object.entries(schedulerInstallFiles(facts))) {
    const file = path.join(root, ...relative.split('/'));
    if (existsSync(file)) continue;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content, { encoding: 'latin1', mode: facts.os === 'unix' && relative === 'bin/jobscheduler.sh' ? 0o755 : 0o644 });
  }
}

const dataDirOf = (facts: SchedulerInstallFacts) =>
  facts.os === 'unix' ? `/home/jobscheduler/sos-berlin.com/jobscheduler/${facts.jobSchedulerId}` : `C:\\ProgramData\\sos-berlin.com\\jobscheduler\\${facts.jobSchedulerId}`;

/** The head of `bin/jobscheduler_environment_variables.sh` as the JobScheduler installer writes it. */
export const ENVIRONMENT_SH_HEADER: readonly string[] = [
  '#! /bin/sh',
  '# ------------------------------------------------------------',
  '# Company: Software- und Organisations-Service GmbH',
  '# Purpose: environment variables of the JobScheduler start script',
  '# ------------------------------------------------------------',
  '',
];

function environmentSh(facts: SchedulerInstallFacts): string {
  return [
    ...ENVIRONMENT_SH_HEADER,
    `SCHEDULER_HOME="${facts.installDir}"`,
    `SCHEDULER_DATA="${dataDirOf(facts)}"`,
    'SCHEDULER_USER="jobscheduler"',
    `SCHEDULER_ID="${facts.jobSchedulerId}"`,
    'SCHEDULER_HTTP_PORT="40444"',
    '',
    '# Cluster options: -exclusive, -exclusive -backup [-backup-precedence=n]',
    '# or -exclusive -distributed-orders',
    '# SCHEDULER_CLUSTER_OPTIONS=',
    `SCHEDULER_CLUSTER_OPTIONS="${facts.options}"`,
    '',
    'export SCHEDULER_HOME SCHEDULER_DATA SCHEDULER_USER SCHEDULER_ID SCHEDULER_HTTP_PORT SCHEDULER_CLUSTER_OPTIONS',
    '',
    '# JAVA_HOME="/usr/lib/jvm/java-8-openjdk"',
    '# JAVA_OPTIONS="-Xms100m"',
    '',
  ].join('\n');
}

function jobschedulerSh(facts: SchedulerInstallFacts): string {
  return [
    '#! /bin/sh',
    '# JobScheduler start script: start | stop | status',
    '# (on this simulated host the simulator runs it: see simulator/jobscheduler/scheduler-host.ts)',
    '',
    'cd "`dirname "$0"`/.." || exit 1',
    '. ./bin/jobscheduler_environment_variables.sh',
    '',
    'case "$1" in',
    '  start)  exec "$SCHEDULER_HOME/bin/scheduler" -id="$SCHEDULER_ID" $SCHEDULER_CLUSTER_OPTIONS ;;',
    '  stop)   echo "<terminate/>" | "$SCHEDULER_HOME/bin/jobscheduler_client.pl" ;;',
    `  status) ps -o pid= -C scheduler || exit 3 ;;`,
    `  *)      echo "usage: $0 start|stop|status (JobScheduler ${facts.jobSchedulerId})"; exit 2 ;;`,
    'esac',
    '',
  ].join('\n');
}

function environmentCmd(facts: SchedulerInstallFacts): string {
  return [
    '@echo off',
    'rem ------------------------------------------------------------',
    'rem Company: Software- und Organisations-Service GmbH',
    'rem Purpose: environment variables of the JobScheduler start script',
    'rem ------------------------------------------------------------',
    '',
    `set SCHEDULER_HOME=${facts.installDir}`,
    `set SCHEDULER_DATA=${dataDirOf(facts)}`,
    `set SCHEDULER_ID=${facts.jobSchedulerId}`,
    'set SCHEDULER_HTTP_PORT=40444',
    '',
    'rem Cluster options: -exclusive, -exclusive -backup [-backup-precedence=n]',
    'rem or -exclusive -distributed-orders',
    'rem set SCHEDULER_CLUSTER_OPTIONS=',
    `set SCHEDULER_CLUSTER_OPTIONS=${facts.options}`,
    '',
    'rem set JAVA_HOME=C:\\Program Files\\Java\\jre8',
    '',
  ].join('\r\n');
}

function jobschedulerCmd(facts: SchedulerInstallFacts): string {
  return [
    '@echo off',
    'rem JobScheduler start script: install | remove | start | stop',
    'rem (on this simulated host the simulator runs it: see simulator/jobscheduler/scheduler-host.ts)',
    '',
    'call "%~dp0jobscheduler_environment_variables.cmd"',
    '',
    'if /i "%1"=="install" "%SCHEDULER_HOME%\\bin\\scheduler.exe" -install-service -id=%SCHEDULER_ID% %SCHEDULER_CLUSTER_OPTIONS%',
    'if /i "%1"=="remove" "%SCHEDULER_HOME%\\bin\\scheduler.exe" -remove-service -id=%SCHEDULER_ID% %SCHEDULER_CLUSTER_OPTIONS%',
    `rem JobScheduler ${facts.jobSchedulerId}`,
    '',
  ].join('\r\n');
}
