/**
 * The activities a site server's own agent runs: service control, log checks and file operations,
 * all local to the host. Every one is idempotent: stopping a stopped service or starting a running
 * one is reported, not repeated, so a retried step does no harm.
 *
 * Protected services are refused here a second time (the machines' input validation is the
 * first), before anything touches the service control manager. Every activity heartbeats on a
 * timer while it runs and fails for good on an error no retry can fix (host-activity.ts).
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { DEFAULT_CACHE_DELETION_SECONDS, type EffectOf, type EffectOutputs } from '../machines/effects';
import { isProtectedService, SPOC_SERVICE } from '../machines/spoc-services';
import { describeIssues } from '../machines/input-errors';
import type { ServiceControl, ServiceState } from './service-control/service-control';
import { lastLifecycleStatusSince, rescueFinishedSince } from './spoc-logs';
import { deleteSpoolCache, UnsafeCachePathError } from './spool-cache';
import type { OsControl } from './os-control/os-control';
import { readOsRestartNote, writeOsRestartNote } from './os-restart-marker';
import { asHostActivities } from './host-activity';

export interface HostAgentDeps {
  /** The host this agent runs on; effects for any other host are refused. */
  host: string;
  services: ServiceControl;
  /** Service key name (what sc.exe takes) of a display name. */
  serviceKeyOf: (displayName: string) => string;
  /** Local path of a Windows path on this host (identity on a real Windows host). */
  localPath: (windowsPath: string) => string;
  /** How often to poll a service or a log while waiting. */
  pollMs: number;
  /** How often every activity heartbeats while it runs; default every 2 s (host-activity.ts). */
  heartbeatEveryMs?: number;
  /** The host's operating system: boot time and restart. */
  os: OsControl;
  /** A local folder the agent keeps its own notes in (OS restart requests); survives a reboot. */
  stateDir: string;
  /** Told of file operations on the host (the simulator writes them to its operation record). */
  audit?: (entry: { operation: string; target: string; outcome: string }) => void;
  now?: () => number;
}

const baseEffect = z.object({ step: z.string().min(1), title: z.string(), host: z.string().min(1) });
const serviceEffect = baseEffect.extend({ service: z.string().min(1), timeoutSeconds: z.number().positive() });
const servicesEffect = baseEffect.extend({ services: z.array(z.string().min(1)), timeoutSeconds: z.number().positive().optional(), bestEffort: z.boolean().optional() });
const cacheEffect = baseEffect.extend({ installDir: z.string(), timeoutSeconds: z.number().positive().default(DEFAULT_CACHE_DELETION_SECONDS) });
const logEffect = baseEffect.extend({ installDir: z.string().min(3), since: z.string().min(1), timeoutSeconds: z.number().positive() });
const restartEffect = baseEffect.extend({ delaySeconds: z.number().int().min(0).max(600) });
const restartedEffect = baseEffect.extend({ since: z.string().min(1), services: z.array(z.string().min(1)), timeoutSeconds: z.number().positive() });

export function createHostAgentActivities(deps: HostAgentDeps) {
  const now = deps.now ?? Date.now;

  /** Validates an effect for this host and refuses protected services, before any side effect. */
  function accept<T extends z.ZodType>(schema: T, effect: unknown): z.infer<T> {
    const parsed = schema.safeParse(effect);
    if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid step input: ${describeIssues(parsed.error.issues)}`, 'InvalidEffectError');
    const value = parsed.data as { host: string; service?: string; services?: string[] };
    if (value.host.toLowerCase() !== deps.host.toLowerCase()) {
      throw ApplicationFailure.nonRetryable(`this agent runs on ${deps.host}, not ${value.host}: refusing to act for another host`, 'InvalidEffectError');
    }
    for (const service of [...(value.service ? [value.service] : []), ...(value.services ?? [])]) {
      if (isProtectedService(service)) {
        throw ApplicationFailure.nonRetryable(`"${service}" is a protected service; spoolflow never stops or starts it`, 'ProtectedServiceError');
      }
    }
    return parsed.data;
  }

  async function pause(): Promise<void> {
    Context.current().heartbeat();
    await Context.current().sleep(deps.pollMs);
  }

  /** The absolute deadline of a wait: fixed at first scheduling, so retries do not extend it. */
  function deadline(timeoutSeconds: number): number {
    const info = Context.current().info;
    return Number(info.scheduledTimestampMs ?? now()) + timeoutSeconds * 1000;
  }

  async function waitForState(service: string, wanted: ServiceState, timeoutSeconds: number, until = deadline(timeoutSeconds)): Promise<void> {
    const key = deps.serviceKeyOf(service);
    for (;;) {
      const state = await deps.services.query(key);
      if (state === wanted) return;
      if (state === 'NOT_INSTALLED') throw ApplicationFailure.nonRetryable(`${service} is not installed on ${deps.host}`, 'ServiceNotInstalledError');
      if (now() >= until) {
        throw ApplicationFailure.nonRetryable(`${service} on ${deps.host} did not reach ${wanted} within ${timeoutSeconds} s (it is ${state})`, 'StepTimedOutError');
      }
      await pause();
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

  async function stopOne(service: string, timeoutSeconds: number, until?: number): Promise<'stopped' | 'already-stopped'> {
    const result = await deps.services.stop(deps.serviceKeyOf(service));
    await waitForState(service, 'STOPPED', timeoutSeconds, until);
    return result === 'already-stopped' ? 'already-stopped' : 'stopped';
  }

  async function startOne(service: string, timeoutSeconds: number, until?: number): Promise<'started' | 'already-running'> {
    const result = await deps.services.start(deps.serviceKeyOf(service));
    await waitForState(service, 'RUNNING', timeoutSeconds, until);
    return result === 'already-running' ? 'already-running' : 'started';
  }

  return asHostActivities(deps.host, {
    /** Which of the services are running (or starting): the ones step 3 stops and step 7 starts. */
    async queryServices(effect: EffectOf<'query-services'>): Promise<EffectOutputs['query-services']> {
      const e = accept(servicesEffect, effect);
      const running: string[] = [];
      for (const service of e.services) {
        const state = await deps.services.query(deps.serviceKeyOf(service));
        if (state === 'RUNNING' || state === 'START_PENDING') running.push(service);
      }
      return { running };
    },

    async stopService(effect: EffectOf<'stop-service'>): Promise<EffectOutputs['stop-service']> {
      const e = accept(serviceEffect, effect);
      const outcome = await stopOne(e.service, e.timeoutSeconds);
      return { outcome, at: new Date(now()).toISOString() };
    },

    async stopServices(effect: EffectOf<'stop-services'>): Promise<EffectOutputs['stop-services']> {
      const e = accept(servicesEffect, effect);
      const timeoutSeconds = e.timeoutSeconds ?? 300;
      for (const [index, service] of e.services.entries()) await stopOne(service, timeoutSeconds, deadlineOfService(index, timeoutSeconds));
      return { stopped: e.services, at: new Date(now()).toISOString() };
    },

    async startService(effect: EffectOf<'start-service'>): Promise<EffectOutputs['start-service']> {
      const e = accept(serviceEffect, effect);
      // Taken before the start command, so every log line the start causes is at or after it.
      const issuedAt = new Date(now()).toISOString();
      const outcome = await startOne(e.service, e.timeoutSeconds);
      return { outcome, at: issuedAt };
    },

    async startServices(effect: EffectOf<'start-services'>): Promise<EffectOutputs['start-services']> {
      const e = accept(servicesEffect, effect);
      const started: string[] = [];
      const failed: { service: string; reason: string }[] = [];
      const timeoutSeconds = e.timeoutSeconds ?? 300;
      for (const [index, service] of e.services.entries()) {
        try {
          await startOne(service, timeoutSeconds, deadlineOfService(index, timeoutSeconds));
          started.push(service);
        } catch (err) {
          if (!e.bestEffort) throw err;
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

    async awaitLifecycleOnline(effect: EffectOf<'await-lifecycle-online'>): Promise<EffectOutputs['await-lifecycle-online']> {
      const e = accept(logEffect, effect);
      const file = deps.localPath(`${e.installDir}\\SPOC\\logs\\spoc_lifecycle.log`);
      const since = Date.parse(e.since);
      const until = deadline(e.timeoutSeconds);
      for (;;) {
        const last = lastLifecycleStatusSince(file, since);
        if (last?.status === 'ONLINE') return { onlineAt: new Date(last.at).toISOString() };
        if (now() >= until) {
          throw ApplicationFailure.nonRetryable(
            `spoc_lifecycle.log on ${deps.host} did not say ONLINE within ${e.timeoutSeconds} s of the start (last status since then: ${last?.status ?? 'none'})`,
            'StepTimedOutError',
          );
        }
        await pause();
      }
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
      const spocKey = deps.serviceKeyOf(SPOC_SERVICE);
      const spocState = await deps.services.query(spocKey);
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
        context.heartbeat({ removed });
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

    async awaitRescueFinished(effect: EffectOf<'await-rescue-finished'>): Promise<EffectOutputs['await-rescue-finished']> {
      const e = accept(logEffect, effect);
      const file = deps.localPath(`${e.installDir}\\SPOC\\logs\\spoc.log`);
      const since = Date.parse(e.since);
      const until = deadline(e.timeoutSeconds);
      for (;;) {
        const at = rescueFinishedSince(file, since);
        if (at !== undefined) return { finishedAt: new Date(at).toISOString() };
        if (now() >= until) {
          throw ApplicationFailure.nonRetryable(`spoc.log on ${deps.host} has no "Rescue process for SPOC's cache finished." within ${e.timeoutSeconds} s of the start`, 'StepTimedOutError');
        }
        await pause();
      }
    },
  }, deps.heartbeatEveryMs);
}

export type HostAgentActivities = ReturnType<typeof createHostAgentActivities>;
