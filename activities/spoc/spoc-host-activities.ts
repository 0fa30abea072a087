/**
 * The activities a site server's own agent runs: service control, log checks and file operations,
 * all local to the host. Every one is idempotent: stopping a stopped service or starting a running
 * one is reported, not repeated, so a retried step does no harm.
 *
 * Protected services are refused here a second time (the machines' input validation is the
 * first): by the name asked for before anything runs, and again once the name is resolved on the
 * host to its key and display name, so no spelling of a protected service gets through. The agent
 * stops and starts only the vendor's services (`vendorServices`: key and display-name prefixes),
 * never a Windows service such as Print Spooler or WinRM, whatever a procedure asks. Every activity
 * heartbeats on a timer while it runs and fails for good on an error no retry can fix
 * (host-activity.ts).
 */
import { statSync } from 'node:fs';
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { z } from 'zod';
import { DEFAULT_CACHE_DELETION_SECONDS, type EffectOf, type EffectOutputs } from '../../machines/core/effects';
import type { ActivitiesOf, SpocActionWord } from '../../machines/actions';
import {
  DEFAULT_VENDOR_SERVICE_PREFIXES,
  isOtherVendorService,
  isProtectedIdentity,
  isProtectedService,
  isRoleIdentity,
  isVendorService,
  sameServiceName,
  SPOC_SERVICE,
  VendorServicePrefixes,
} from '../../machines/spoc/spoc-services';
import { installFolderProblem, normalInstallFolder, spocLogFilesOf } from '../../machines/spoc/install-folder';
import { describeIssues } from '../../machines/core/input-errors';
import type { ListedService, ServiceControl, ServiceState } from '../windows/service-control/service-control';
import { createSpocLogWaits } from './spoc-log-waits';
import { spocLogFormat } from './spoc-log-format';
import { deleteSpoolCache, UnsafeCachePathError } from './spool-cache';
import type { OsControl } from '../windows/os-control/os-control';
import { readOsRestartNote, writeOsRestartNote } from './os-restart-marker';
import { asHostActivities, heartbeat, heartbeatWithDetails, pauseThroughCancellation, throwIfCancelled } from '../core/host-activity';

export interface HostAgentDeps {
  /** The host this agent runs on; effects for any other host are refused. */
  host: string;
  services: ServiceControl;
  /**
   * How the vendor's services are recognised on this host (step 3's "all other YSoft services");
   * default: keys starting `YSoft`, display names starting `Dispatcher Paragon ` or `YSoft SafeQ `.
   */
  vendorServices?: VendorServicePrefixes;
  /** Local path of a Windows path on this host (identity on a real Windows host). */
  localPath: (windowsPath: string) => string;
  /** How often to poll a service or a log while waiting. */
  pollMs: number;
  /** How often every activity heartbeats while it runs; default every 2 s (host-activity.ts). */
  heartbeatEveryMs?: number;
  /** The host's operating system: boot time and restart. */
  os: OsControl;
  /** A local folder the agent keeps its own notes in (OS restart requests, SPOC log positions); survives a reboot. */
  stateDir: string;
  /**
   * The SPOC install folder whose logs the agent notes when it starts the SPOC (the log waits read
   * only what is appended after); without it, the folder the procedure's preflight checked here.
   */
  spocInstallDir?: string;
  /**
   * How a SPOC log line reads: a regular expression naming `(?<timestamp>...)` (as
   * `2026-11-22 01:28:34,123`) or `year`, `month`, `day`, `hour`, `minute`, `second` (and
   * optionally `fraction`), and `(?<message>...)`; default: the log4j layout (spoc-log-format.ts).
   * Checked when the agent is created: a bad one is refused naming `spocLogFormat`.
   */
  spocLogFormat?: string;
  /** Told of file operations on the host (the simulator writes them to its operation record). */
  audit?: (entry: { operation: string; target: string; outcome: string }) => void;
  now?: () => number;
}

// `requestKey`: set by the workflow runtime (action-registry.ts); the log waits find their start's note by it.
const baseEffect = z.object({ step: z.string().min(1), title: z.string(), host: z.string().min(1), requestKey: z.string().optional() });
const serviceEffect = baseEffect.extend({ service: z.string().min(1), timeoutSeconds: z.number().positive() });
const servicesEffect = baseEffect.extend({ services: z.array(z.string().min(1)), timeoutSeconds: z.number().positive().optional(), bestEffort: z.boolean().optional() });
const cacheEffect = baseEffect.extend({ installDir: z.string(), timeoutSeconds: z.number().positive().default(DEFAULT_CACHE_DELETION_SECONDS) });
const logEffect = baseEffect.extend({ installDir: z.string().min(3), since: z.string().min(1), timeoutSeconds: z.number().positive() });
const restartEffect = baseEffect.extend({ delaySeconds: z.number().int().min(0).max(600) });
const restartedEffect = baseEffect.extend({ since: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with Z or an offset (when the restart was requested), e.g. 2026-11-22T01:28:34Z' }), services: z.array(z.string().min(1)), timeoutSeconds: z.number().positive() });
const queryEffect = baseEffect.extend({ services: z.array(z.string().min(1)), otherVendorServices: z.boolean().optional() });
const surveyEffect = baseEffect.extend({ only: z.array(z.string().min(1)).optional() });
const preflightEffect = baseEffect.extend({ installDir: z.string(), services: z.array(z.string().min(1)), otherServices: z.array(z.string().min(1)).optional() });

export function createHostAgentActivities(deps: HostAgentDeps) {
  const now = deps.now ?? Date.now;

  const vendor = deps.vendorServices ?? DEFAULT_VENDOR_SERVICE_PREFIXES;
  const running = (state: ServiceState) => state === 'RUNNING' || state === 'START_PENDING';
  const logWaits = createSpocLogWaits({
    host: deps.host,
    stateDir: deps.stateDir,
    localPath: deps.localPath,
    now,
    format: spocLogFormat(deps.spocLogFormat),
    ...(deps.spocInstallDir !== undefined ? { spocInstallDir: deps.spocInstallDir } : {}),
    pause: (details) => pause(details),
    deadline: (timeoutSeconds) => deadline(timeoutSeconds),
    warn: (message) => Context.current().log.warn(message),
  });

  /** Validates an effect for this host and refuses protected services by name, before any side effect. */
  function accept<T extends z.ZodType>(schema: T, effect: unknown): z.infer<T> {
    const parsed = schema.safeParse(effect);
    if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid step input: ${describeIssues(parsed.error.issues)}`, 'InvalidEffectError');
    const value = parsed.data as { host: string; service?: string; services?: string[]; only?: string[]; otherServices?: string[] };
    if (value.host.toLowerCase() !== deps.host.toLowerCase()) {
      throw ApplicationFailure.nonRetryable(`this agent runs on ${deps.host}, not ${value.host}: refusing to act for another host`, 'InvalidEffectError');
    }
    for (const service of [...(value.service ? [value.service] : []), ...(value.services ?? []), ...(value.only ?? []), ...(value.otherServices ?? [])]) {
      if (isProtectedService(service)) {
        throw ApplicationFailure.nonRetryable(`"${service}" is a protected service; spoolflow never stops or starts it`, 'ProtectedServiceError');
      }
    }
    return parsed.data;
  }

  /** The service a name (key or display name, any spacing or case) means on this host, if any. */
  function find(all: ListedService[], name: string): ListedService | undefined {
    return all.find((s) => sameServiceName(s.key, name)) ?? all.find((s) => sameServiceName(s.display, name));
  }

  function refuseProtected(name: string, service: ListedService): void {
    if (isProtectedIdentity(service)) {
      throw ApplicationFailure.nonRetryable(
        `"${name}" on ${deps.host} is the protected service ${service.key} ("${service.display}"); spoolflow never stops or starts it`,
        'ProtectedServiceError',
      );
    }
  }

  /**
   * Resolves a name to the host's service, refusing a protected one whatever name it was asked by
   * and, for a stop or a start, a service that is not the vendor's.
   */
  async function resolve(name: string, purpose: 'control' | 'watch', listed?: ListedService[]): Promise<ListedService> {
    const service = find(listed ?? (await deps.services.list()), name);
    if (!service) throw ApplicationFailure.nonRetryable(`${deps.host} has no service "${name}" (neither a key nor a display name)`, 'ServiceNotInstalledError');
    refuseProtected(name, service);
    if (purpose === 'control' && !isVendorService(service, vendor)) {
      throw ApplicationFailure.nonRetryable(
        `"${name}" on ${deps.host} is ${service.key} ("${service.display}"), not a Dispatcher Paragon / YSoft service; spoolflow never stops or starts it`,
        'NotVendorServiceError',
      );
    }
    return service;
  }

  async function pause(details?: unknown): Promise<void> {
    if (details === undefined) heartbeat();
    else heartbeatWithDetails(details);
    await Context.current().sleep(deps.pollMs);
  }

  /** The absolute deadline of a wait: fixed at first scheduling, so retries do not extend it. */
  function deadline(timeoutSeconds: number): number {
    const info = Context.current().info;
    return Number(info.scheduledTimestampMs ?? now()) + timeoutSeconds * 1000;
  }

  /**
   * `commanded`: this step sent the stop or start, so a cancellation (an abort) ends the wait only
   * once the service has left its pending state (within the step's time): the next step on this
   * host (the abort's restore) then finds it stopped or running, never halfway.
   */
  async function waitForState(service: string, wanted: ServiceState, timeoutSeconds: number, resolved?: ListedService, until = deadline(timeoutSeconds), commanded = false): Promise<void> {
    const key = (resolved ?? (await resolve(service, 'watch'))).key;
    const pending = wanted === 'STOPPED' ? 'STOP_PENDING' : 'START_PENDING';
    for (;;) {
      const state = await deps.services.query(key);
      if (state === wanted) return;
      if (state === 'NOT_INSTALLED') throw ApplicationFailure.nonRetryable(`${service} is not installed on ${deps.host}`, 'ServiceNotInstalledError');
      if (commanded && state !== pending) throwIfCancelled();
      if (now() >= until) {
        throw ApplicationFailure.nonRetryable(`${service} on ${deps.host} did not reach ${wanted} within ${timeoutSeconds} s (it is ${state})`, 'StepTimedOutError');
      }
      if (commanded) await pauseThroughCancellation(deps.pollMs);
      else await pause();
    }
  }


  /**
   * The deadline of the `index`-th of several services handled one after the other: each has
   * `timeoutSeconds` of its own, counted from the first scheduling of the step, so a retry does
   * not extend it and a quick service leaves its time to the next.
   */
  function deadlineOfService(index: number, timeoutSeconds: number): number {
    return deadline((index + 1) * timeoutSeconds);
  }

  /** Resolves and checks every name before any is acted on. */
  async function resolveAll(names: string[]): Promise<Map<string, ListedService>> {
    const resolved = new Map<string, ListedService>();
    if (names.length === 0) return resolved;
    const listed = await deps.services.list();
    for (const name of names) resolved.set(name, await resolve(name, 'control', listed));
    return resolved;
  }

  async function stopOne(service: string, timeoutSeconds: number, known?: ListedService, until?: number): Promise<'stopped' | 'already-stopped'> {
    const resolved = known ?? (await resolve(service, 'control'));
    const result = await deps.services.stop(resolved.key);
    await waitForState(service, 'STOPPED', timeoutSeconds, resolved, until, true);
    return result === 'already-stopped' ? 'already-stopped' : 'stopped';
  }

  /** Starts one service; for the SPOC, the logs' positions are noted first (spoc-log-waits.ts). */
  async function startOne(service: string, timeoutSeconds: number, until?: number, requestKey?: string): Promise<'started' | 'already-running'> {
    const resolved = await resolve(service, 'control');
    if (isSpoc(service, resolved)) logWaits.noteSpocStart({ requestKey }, running(resolved.state));
    const result = await deps.services.start(resolved.key);
    await waitForState(service, 'RUNNING', timeoutSeconds, resolved, until, true);
    return result === 'already-running' ? 'already-running' : 'started';
  }

  function isSpoc(name: string, service: ListedService): boolean {
    return [name, service.key, service.display].some((n) => sameServiceName(n, SPOC_SERVICE));
  }

  /** Step 3's other services on this host: the vendor's, not by role, not protected. */
  function otherVendorServices(all: ListedService[]): ListedService[] {
    return all.filter((s) => isOtherVendorService(s, vendor));
  }

  /** Why a name an input lists among the other services cannot be one on this host, if it cannot. */
  function notAnOtherService(all: ListedService[], name: string): string | undefined {
    const service = find(all, name);
    if (!service) return `the other service "${name}" is not installed (no service has that key or display name)`;
    if (isProtectedIdentity(service)) return `the other service "${name}" is the protected service ${service.key} ("${service.display}")`;
    if (isRoleIdentity(service)) return `the other service "${name}" is ${service.key} ("${service.display}"), which its own step controls`;
    if (!isVendorService(service, vendor)) return `the other service "${name}" is ${service.key} ("${service.display}"), not a Dispatcher Paragon / YSoft service`;
    return undefined;
  }

  return asHostActivities(deps.host, {
    /**
     * Which of the services are running (or starting); with `otherVendorServices`, also every
     * other vendor service that runs (by display name). A service not installed is not running.
     */
    async queryServices(effect: EffectOf<'query-services'>): Promise<EffectOutputs['query-services']> {
      const e = accept(queryEffect, effect);
      const all = await deps.services.list();
      const found: string[] = [];
      for (const name of e.services) {
        const service = find(all, name);
        if (!service) continue;
        refuseProtected(name, service);
        if (running(service.state)) found.push(name);
      }
      if (e.otherVendorServices) {
        for (const service of otherVendorServices(all)) {
          const named = e.services.some((n) => sameServiceName(n, service.key) || sameServiceName(n, service.display));
          if (running(service.state) && !named) found.push(service.display);
        }
      }
      return { running: found };
    },

    /**
     * Step 3's survey: the vendor's services that run on this host, less the SPOC, the group
     * service, the terminal server and the protected ones (display names); with `only`, narrowed
     * to those names (as given), each of which must be such a service here, else nothing is noted.
     */
    async surveyOtherServices(effect: EffectOf<'survey-other-services'>): Promise<EffectOutputs['survey-other-services']> {
      const e = accept(surveyEffect, effect);
      const all = await deps.services.list();
      if (e.only === undefined) return { running: otherVendorServices(all).filter((s) => running(s.state)).map((s) => s.display) };
      const problems = e.only.map((name) => notAnOtherService(all, name)).filter((p): p is string => p !== undefined);
      if (problems.length > 0) throw ApplicationFailure.nonRetryable(`${deps.host}: ${problems.join('; ')}`, 'NotVendorServiceError');
      return { running: e.only.filter((name) => running((find(all, name) as ListedService).state)) };
    },

    /**
     * Read-only checks before a procedure's first side effect, all of them, so the operator sees
     * every problem of the host at once: the services the procedure controls by role exist, the
     * other services listed are vendor services here, the install folder passes the rule the cache
     * deletion applies and exists with its SPOC folder, and the SPOC's two logs exist. That this
     * runs at all proves the agent answers.
     */
    async preflight(effect: EffectOf<'preflight'>): Promise<EffectOutputs['preflight']> {
      const e = accept(preflightEffect, effect);
      const problems: string[] = [];
      const checked: string[] = ['agent answers'];
      const all = await deps.services.list();
      for (const name of e.services) {
        const service = find(all, name);
        if (!service) problems.push(`the service "${name}" is not installed`);
        else if (isProtectedIdentity(service)) problems.push(`"${name}" is the protected service ${service.key}`);
        else checked.push(name);
      }
      for (const name of e.otherServices ?? []) {
        const problem = notAnOtherService(all, name);
        if (problem) problems.push(problem);
        else checked.push(name);
      }
      const folderProblem = installFolderProblem(e.installDir);
      if (folderProblem) {
        problems.push(folderProblem);
      } else {
        logWaits.notePreflight(e);
        const install = normalInstallFolder(e.installDir);
        const logs = spocLogFilesOf(e.installDir);
        for (const [what, file, kind] of [
          ['the install folder', install, 'folder'],
          ['the SPOC folder', `${install}\\SPOC`, 'folder'],
          ['the SPOC lifecycle log', logs.lifecycle, 'file'],
          ['the SPOC main log', logs.main, 'file'],
        ] as const) {
          const stat = statSync(deps.localPath(file), { throwIfNoEntry: false });
          if (!stat) problems.push(`${what} ${file} does not exist`);
          else if (kind === 'folder' ? !stat.isDirectory() : !stat.isFile()) problems.push(`${what} ${file} is not a ${kind}`);
          else checked.push(file);
        }
      }
      if (problems.length > 0) {
        throw ApplicationFailure.nonRetryable(`preflight on ${deps.host} failed, nothing was changed: ${problems.join('; ')}`, 'PreflightFailedError');
      }
      return { checked };
    },

    async stopService(effect: EffectOf<'stop-service'>): Promise<EffectOutputs['stop-service']> {
      const e = accept(serviceEffect, effect);
      const outcome = await stopOne(e.service, e.timeoutSeconds);
      return { outcome, at: new Date(now()).toISOString() };
    },

    async stopServices(effect: EffectOf<'stop-services'>): Promise<EffectOutputs['stop-services']> {
      const e = accept(servicesEffect, effect);
      // Every name is resolved and checked before the first stop: a refused one stops nothing.
      const resolved = await resolveAll(e.services);
      const timeoutSeconds = e.timeoutSeconds ?? 300;
      // A cancelled step finishes the service it is stopping (stopOne) and stops no other.
      for (const [index, service] of e.services.entries()) {
        throwIfCancelled();
        await stopOne(service, timeoutSeconds, resolved.get(service), deadlineOfService(index, timeoutSeconds));
      }
      return { stopped: e.services, at: new Date(now()).toISOString() };
    },

    async startService(effect: EffectOf<'start-service'>): Promise<EffectOutputs['start-service']> {
      const e = accept(serviceEffect, effect);
      // Taken before the start command, so every log line the start causes is at or after it.
      const issuedAt = new Date(now()).toISOString();
      const outcome = await startOne(e.service, e.timeoutSeconds, undefined, e.requestKey);
      return { outcome, at: issuedAt };
    },

    async startServices(effect: EffectOf<'start-services'>): Promise<EffectOutputs['start-services']> {
      const e = accept(servicesEffect, effect);
      const started: string[] = [];
      const failed: { service: string; reason: string }[] = [];
      // Without bestEffort a refused name starts nothing; with it (an abort's restore) each
      // service is tried on its own and a refusal is listed like any other failure.
      if (!e.bestEffort) await resolveAll(e.services);
      const timeoutSeconds = e.timeoutSeconds ?? 300;
      for (const [index, service] of e.services.entries()) {
        throwIfCancelled();
        try {
          await startOne(service, timeoutSeconds, deadlineOfService(index, timeoutSeconds), e.requestKey);
          started.push(service);
        } catch (err) {
          if (!e.bestEffort || err instanceof CancelledFailure) throw err;
          failed.push({ service, reason: err instanceof Error ? err.message : String(err) });
        }
      }
      return { started, failed, at: new Date(now()).toISOString() };
    },

    async awaitServiceRunning(effect: EffectOf<'await-service-running'>): Promise<EffectOutputs['await-service-running']> {
      const e = accept(serviceEffect, effect);
      await waitForState(e.service, 'RUNNING', e.timeoutSeconds);
      return { runningAt: new Date(now()).toISOString() };
    },

    async awaitLifecycleOnline(effect: EffectOf<'await-lifecycle-online'>) {
      return logWaits.awaitLifecycleOnline(accept(logEffect, effect));
    },

    /**
     * Deletes `<install_dir>\\SPOC\\SpoolCache` after validating the install folder; gone already
     * is fine. Refused before any file is touched while the SPOC's service is not stopped: the
     * machines delete a cache only after stopping its SPOC, and the agent checks it again (a
     * crafted or stale step must not pull the cache from under a running SPOC). The deletion runs
     * asynchronously, heartbeating with its progress, and stops with the step's time.
     */
    async deleteCache(effect: EffectOf<'delete-cache'>): Promise<EffectOutputs['delete-cache']> {
      const e = accept(cacheEffect, effect);
      const spoc = find(await deps.services.list(), SPOC_SERVICE);
      const spocKey = spoc?.key ?? SPOC_SERVICE;
      const spocState = spoc ? await deps.services.query(spoc.key) : 'NOT_INSTALLED';
      if (spocState !== 'STOPPED') {
        deps.audit?.({ operation: 'delete-cache', target: e.installDir, outcome: 'refused' });
        throw ApplicationFailure.nonRetryable(
          `${deps.host}: the service ${SPOC_SERVICE} (${spocKey}) is ${spocState === 'NOT_INSTALLED' ? 'not installed' : spocState}, not STOPPED: refusing to delete the spool cache of a SPOC that is not stopped; nothing was deleted. Stop the SPOC first.`,
          'SpocNotStoppedError',
        );
      }
      const context = Context.current();
      const until = deadline(e.timeoutSeconds);
      const onProgress = (removed: number) => {
        heartbeatWithDetails({ removed });
        if (context.cancellationSignal.aborted) throw context.cancellationSignal.reason;
        if (now() >= until) {
          throw ApplicationFailure.nonRetryable(
            `${deps.host}: the spool cache was not deleted within ${e.timeoutSeconds} s (${removed} entries removed so far; deleting it again goes on with the rest). Raise cacheDeletionTimeoutSeconds for a cache this large.`,
            'StepTimedOutError',
          );
        }
      };
      try {
        const result = await deleteSpoolCache(e.installDir, deps.localPath, { onProgress });
        deps.audit?.({ operation: 'delete-cache', target: result.path, outcome: result.deleted ? 'deleted' : 'already-absent' });
        return { deleted: result.deleted, path: result.path };
      } catch (err) {
        if (err instanceof UnsafeCachePathError) {
          deps.audit?.({ operation: 'delete-cache', target: e.installDir, outcome: 'refused' });
          throw ApplicationFailure.nonRetryable(`${deps.host}: ${err.message}`, err.name);
        }
        throw err;
      }
    },

    /**
     * Asks Windows to restart in a few seconds, once per step: a retry of the same step (the host
     * went down before the answer reached the server, or the step halted and the operator retried
     * it) finds the host's note and reports the first request instead of restarting the host
     * again. A request that failed (no privilege) is made again.
     */
    async restartOs(effect: EffectOf<'restart-os'>): Promise<EffectOutputs['restart-os']> {
      const e = accept(restartEffect, effect);
      const info = Context.current().info;
      const workflowId = info.workflowExecution?.workflowId ?? 'no-workflow';
      // One restart per step of a procedure on this host, whoever retries it (Temporal or the
      // operator): the runtime's request key; without one (a direct call), this activity's own id.
      const key = typeof effect.requestKey === 'string' && effect.requestKey ? effect.requestKey : `${workflowId}-${info.workflowExecution?.runId ?? ''}-${info.activityId}`;
      const note = readOsRestartNote(deps.stateDir, key);
      if (note) {
        const bootedSince = (await deps.os.lastBootTime()) > Date.parse(note.requestedAt);
        if (note.state === 'requested' || bootedSince) {
          return { outcome: 'already-requested', requestedAt: note.requestedAt, bootBefore: note.bootBefore };
        }
      }
      const bootBefore = note?.bootBefore ?? new Date(await deps.os.lastBootTime()).toISOString();
      const requestedAt = note?.requestedAt ?? new Date(now()).toISOString();
      const base = { requestedAt, bootBefore, workflowId, step: e.step };
      writeOsRestartNote(deps.stateDir, key, { ...base, state: 'requesting' });
      try {
        const outcome = await deps.os.requestRestart(e.delaySeconds, `spoolflow: ${e.title} (${workflowId})`);
        deps.audit?.({ operation: 'request-os-restart', target: 'Windows', outcome });
      } catch (err) {
        if (err instanceof Error && err.name === 'OsRestartRefusedError') throw ApplicationFailure.nonRetryable(`${deps.host}: ${err.message}`, err.name);
        throw err;
      }
      writeOsRestartNote(deps.stateDir, key, { ...base, state: 'requested' });
      return { outcome: 'restart-requested', requestedAt, bootBefore };
    },

    /**
     * Waits until the host booted after `since` and the services are running again. Runs on the
     * agent once it is back: while the host restarts nobody polls its queue, and an attempt that
     * started just before the shutdown dies with it and is retried after the boot.
     */
    async awaitHostRestarted(effect: EffectOf<'await-host-restarted'>): Promise<EffectOutputs['await-host-restarted']> {
      const e = accept(restartedEffect, effect);
      const since = Date.parse(e.since);
      const until = deadline(e.timeoutSeconds);
      for (;;) {
        const bootedAt = await deps.os.lastBootTime();
        if (bootedAt > since) {
          for (const service of e.services) await waitForState(service, 'RUNNING', Math.max(1, Math.ceil((until - now()) / 1000)));
          return { bootedAt: new Date(bootedAt).toISOString(), running: e.services };
        }
        if (now() >= until) {
          throw ApplicationFailure.nonRetryable(
            `${deps.host} has not restarted within ${e.timeoutSeconds} s of the request (last boot ${new Date(bootedAt).toISOString()}, restart requested ${e.since})`,
            'StepTimedOutError',
          );
        }
        await pause();
      }
    },

    async awaitRescueFinished(effect: EffectOf<'await-rescue-finished'>) {
      return logWaits.awaitRescueFinished(accept(logEffect, effect));
    },
  } satisfies ActivitiesOf<'host', SpocActionWord>, deps.heartbeatEveryMs);
}

export type HostAgentActivities = ReturnType<typeof createHostAgentActivities>;
