/**
 * A model of the site servers a SPOC procedure acts on, and an executor that answers a machine's
 * effects as idealised hosts would: each host keeps which services run, whether its spool cache is
 * there and whether it is rebooting. Effects that change a host (stop-service(s), start-service(s),
 * delete-cache, restart-os) change the model and are reported, one change at a time, to a listener
 * that checks the safety invariants; effects that only read or wait are answered from the model
 * (step 3's survey of the vendor's other services included), and actions this executor does not
 * know are answered with their nominal output (read-only checks such as the preflight).
 *
 * Each host runs, besides the SPOC's three role services and the protected ones, other vendor
 * services (some running, some not) and services that are not the vendor's (Print Spooler and
 * the like), which no procedure may ever touch.
 *
 * Idempotent like the real agents: stopping a stopped service or starting a running one changes
 * nothing, an OS restart is requested once per step and host (the runtime's request key), and an
 * effect run again after a crash finds the host as the first run left it.
 */
import { Effect, flightKey, hostOf, nominalOutput } from '../../machines/core/effects';
import { GROUP_SERVICE, PROTECTED_SERVICES, SPOC_SERVICE, TERMINAL_SERVER_SERVICE } from '../../machines/spoc/spoc-services';

/** One site server as the model keeps it. */
export interface ModelHost {
  host: string;
  /** Every service installed on the host. */
  installed: readonly string[];
  /** The input's list narrowing step 3 on this host, if any. */
  listed?: readonly string[];
  /** Services running now. */
  running: Set<string>;
  /** Services that ran before the procedure: the ones it must leave running (or report). */
  initiallyRunning: ReadonlySet<string>;
  cachePresent: boolean;
  /** Between an OS restart and its boot: every service is down; the agent answers after the boot. */
  rebooting: boolean;
  /** What Windows starts again at the boot (automatic services that ran before the restart). */
  runningBeforeReboot: string[];
}

/** What a host-changing effect did, reported to the listener as it happens. */
export type HostChange =
  | { kind: 'stop' | 'start'; host: string; service: string; effect: Effect }
  | { kind: 'delete-cache'; host: string; effect: Effect }
  | { kind: 'restart-os' | 'boot'; host: string; effect?: Effect };

/**
 * How the executor answers:
 * - `done`: the effect does its work and succeeds (unless the hosts make that impossible, e.g.
 *   ONLINE while the SPOC is stopped: then it fails, as the real step would time out);
 * - `fail`: the effect fails before it touched anything (the agent was unreachable);
 * - `fail-after-acting`: it did (part of) its work, then failed (a stop that timed out while the
 *   service was stopping; an answer lost on the way back);
 * - `acted`: it did its work but its answer never reached the machine (cancelled or crashed).
 */
export type AnswerMode = 'done' | 'fail' | 'fail-after-acting' | 'acted';

export type Answer = { ok: true; output: unknown } | { ok: false; reason: string };

export interface HostSetup {
  host: string;
  /** Other vendor services installed on the host (running unless listed in `initiallyStopped`). */
  otherServices: string[];
  initiallyStopped?: string[];
  /** Services that are not the vendor's, installed and running (never to be touched). */
  nonVendorServices?: string[];
  /** The input's `otherServices` for this host, when it lists them: no other vendor service beyond these may be touched. */
  listed?: string[];
}

/** Services of Windows and other vendors a site server runs; no procedure may touch them. */
export const NON_VENDOR_SERVICES = ['Print Spooler', 'Windows Update', 'Spooler Watchdog (Contoso)'];

/** The protected services the model installs (and runs) on every host, so touching one is seen. */
export const MODEL_PROTECTED_SERVICES = [...PROTECTED_SERVICES];

/**
 * The test's own idea of a protected service, independent of machines/spoc/spoc-services.ts: the
 * Management Service, the bundled PostgreSQL (any version) and etcd, by display name (also the
 * older YSoft SafeQ names) or by key name, and any service that names a PostgreSQL or etcd, compared in Unicode NFKC, with runs of whitespace as
 * one space, in any case (issue 8, "Protected and unknown services").
 */
export function isProtectedName(name: string): boolean {
  const n = name.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();
  return (
    ['ysoftsq-management', 'ysoftsq-pgsql', 'ysoftetcd'].includes(n) ||
    /^(dispatcher paragon|ysoft safeq) (management service|bundled etcd|bundled postgresql( [\d.]+)?)$/.test(n) ||
    // Any database or key-value store, whatever its vendor or decoration (YSoftSQ-PGSQL-9.4, ... (x64)).
    /postgres|pgsql|etcd/.test(n)
  );
}

/** A name in the test's normal form (NFKC, whitespace runs as one space, trimmed, case folded). */
const normal = (name: string) => name.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();

/** The test's own idea of a role service: the three services the procedures control by their own steps. */
export function isRoleName(name: string): boolean {
  return [SPOC_SERVICE, GROUP_SERVICE, TERMINAL_SERVER_SERVICE].some((r) => normal(r) === normal(name));
}

/**
 * The test's own idea of a vendor service (the runbook's "YSoft services"): a name starting with
 * "YSoft" (keys and the older product) or "Dispatcher Paragon " (display names).
 */
export function isVendorName(name: string): boolean {
  const n = normal(name);
  return n.startsWith('ysoft') || n.startsWith('dispatcher paragon ');
}

/** What step 3 may stop on a host: the vendor's services, not by role, not protected. */
export function isOtherVendorName(name: string): boolean {
  return isVendorName(name) && !isRoleName(name) && !isProtectedName(name);
}

/** True when two service names are the same name in the test's normal form. */
export function sameName(a: string, b: string): boolean {
  return normal(a) === normal(b);
}

const LONG_AGO = '1999-12-01T00:00:00.000Z';

export class ModelEstate {
  readonly hosts = new Map<string, ModelHost>();
  private tick = 0;
  /** OS restarts already requested, by step and host: a retried or re-run request does not restart again. */
  private readonly restartNotes = new Map<string, string>();
  listener: (change: HostChange) => void = () => undefined;
  /** How many times a member was reported newly online after another's restart (a parallel restart). */
  parallelRestartsReported = 0;

  constructor(setups: HostSetup[]) {
    for (const setup of setups) {
      const all = [SPOC_SERVICE, GROUP_SERVICE, TERMINAL_SERVER_SERVICE, ...MODEL_PROTECTED_SERVICES, ...setup.otherServices, ...(setup.nonVendorServices ?? [])];
      const running = new Set(all.filter((s) => !(setup.initiallyStopped ?? []).includes(s)));
      this.hosts.set(setup.host, { host: setup.host, installed: all, ...(setup.listed ? { listed: setup.listed } : {}), running, initiallyRunning: new Set(running), cachePresent: true, rebooting: false, runningBeforeReboot: [] });
    }
  }

  /** A host clock that only moves forward, one second per answer. */
  now(): string {
    this.tick += 1;
    return new Date(Date.UTC(2026, 0, 1) + this.tick * 1000).toISOString();
  }

  hostNamed(host: string): ModelHost {
    const found = this.hosts.get(host);
    if (!found) throw new Error(`the procedure asked for an effect on ${host}, a host that is not in its input`);
    return found;
  }

  /** Services this host ran before the procedure and does not run now (all of them while it reboots). */
  downServices(host: string): string[] {
    const h = this.hostNamed(host);
    return [...h.initiallyRunning].filter((s) => !h.running.has(s));
  }

  isDown(host: string): boolean {
    return this.hostNamed(host).rebooting || this.downServices(host).length > 0;
  }

  spocRunning(host: string): boolean {
    const h = this.hostNamed(host);
    return !h.rebooting && h.running.has(SPOC_SERVICE);
  }

  /** Windows boots a rebooting host: its automatic services run again. */
  boot(host: string): void {
    const h = this.hostNamed(host);
    if (!h.rebooting) return;
    h.rebooting = false;
    for (const s of h.runningBeforeReboot) h.running.add(s);
    h.runningBeforeReboot = [];
    this.listener({ kind: 'boot', host });
  }

  /** Every rebooting host finishes its boot (the end of a run: Windows needs nobody for that). */
  bootAll(): void {
    for (const host of this.hosts.keys()) this.boot(host);
  }

  private stop(host: string, service: string, effect: Effect): boolean {
    const h = this.hostNamed(host);
    const was = h.running.delete(service);
    this.listener({ kind: 'stop', host, service, effect });
    return was;
  }

  private start(host: string, service: string, effect: Effect): boolean {
    const h = this.hostNamed(host);
    const was = h.running.has(service);
    h.running.add(service);
    this.listener({ kind: 'start', host, service, effect });
    return !was;
  }

  /** Step 3's other services running on a host: the vendor's, not by role, not protected. */
  private runningOtherVendorServices(h: ModelHost): string[] {
    return h.installed.filter((s) => h.running.has(s) && isOtherVendorName(s));
  }

  /**
   * Answers one effect. `variant` picks among equally valid worlds: how much of a multi-service
   * effect acted before a failure, whether an abort's best-effort start finds a service that will
   * not start (2), and (for `await-spoc-online`) whether another member was seen
   * newly online, i.e. someone restarted it by hand meanwhile.
   */
  execute(effect: Effect, mode: AnswerMode, variant = 0): Answer {
    if (mode === 'fail') return { ok: false, reason: `injected fault: "${effect.title}" failed before it touched anything` };
    const host = hostOf(effect);
    // The agent of a rebooting host answers once the host is back.
    if (host && effect.action !== 'restart-os') this.boot(host);
    const acting = mode === 'fail-after-acting' ? (n: number) => variant % (n + 1) : (n: number) => n;
    const answer = this.act(effect, acting, variant);
    if (mode === 'fail-after-acting') return { ok: false, reason: `injected fault: "${effect.title}" failed after it acted` };
    return answer;
  }

  private act(effect: Effect, acting: (n: number) => number, variant: number): Answer {
    const at = this.now();
    switch (effect.action) {
      case 'stop-service': {
        if (acting(1) === 0) return { ok: true, output: { outcome: 'already-stopped', at } };
        const was = this.stop(effect.host, effect.service, effect);
        return { ok: true, output: { outcome: was ? 'stopped' : 'already-stopped', at } };
      }
      case 'stop-services': {
        for (const s of effect.services.slice(0, acting(effect.services.length))) this.stop(effect.host, s, effect);
        return { ok: true, output: { stopped: [...effect.services], at } };
      }
      case 'start-service': {
        if (acting(1) === 0) return { ok: true, output: { outcome: 'already-running', at } };
        const started = this.start(effect.host, effect.service, effect);
        return { ok: true, output: { outcome: started ? 'started' : 'already-running', at } };
      }
      case 'start-services': {
        // variant 2 of a best-effort start (an abort's restore): the last service will not start (e.g. disabled) and is reported so.
        const refused = effect.bestEffort && variant === 2 ? effect.services.slice(-1) : [];
        const starting = effect.services.filter((s) => !refused.includes(s));
        for (const s of starting.slice(0, acting(starting.length))) this.start(effect.host, s, effect);
        return { ok: true, output: { started: starting, failed: refused.map((service) => ({ service, reason: 'the service is disabled (model)' })), at } };
      }
      case 'query-services': {
        const h = this.hostNamed(effect.host);
        const named = effect.services.filter((s) => h.running.has(s));
        // As step 3's survey: every other vendor service that runs, named or not.
        const others = effect.otherVendorServices ? this.runningOtherVendorServices(h).filter((s) => !effect.services.some((n) => normal(n) === normal(s))) : [];
        return { ok: true, output: { running: [...named, ...others] } };
      }
      case 'survey-other-services': {
        const h = this.hostNamed(effect.host);
        if (effect.only === undefined) return { ok: true, output: { running: this.runningOtherVendorServices(h) } };
        // A list narrows the survey; a name that is no other vendor service on the host is refused.
        const wrong = effect.only.filter((name) => !isOtherVendorName(name) || !h.installed.some((s) => normal(s) === normal(name)));
        if (wrong.length > 0) return { ok: false, reason: `${effect.host}: not another vendor service here: ${wrong.join(', ')}` };
        return { ok: true, output: { running: effect.only.filter((name) => [...h.running].some((s) => normal(s) === normal(name))) } };
      }
      case 'await-service-running': {
        // The group service starts by itself once the SPOC runs (the runbook's 1-2 minutes).
        if (effect.service === GROUP_SERVICE && this.spocRunning(effect.host) && acting(1) > 0) this.start(effect.host, GROUP_SERVICE, effect);
        if (!this.hostNamed(effect.host).running.has(effect.service)) return { ok: false, reason: `${effect.service} did not start by itself on ${effect.host}` };
        return { ok: true, output: { runningAt: at } };
      }
      case 'await-lifecycle-online':
        return this.spocRunning(effect.host) ? { ok: true, output: { onlineAt: at } } : { ok: false, reason: `the SPOC of ${effect.host} is not running: no ONLINE` };
      case 'await-rescue-finished':
        return this.spocRunning(effect.host) ? { ok: true, output: { finishedAt: at } } : { ok: false, reason: `the SPOC of ${effect.host} is not running: no rescue` };
      case 'delete-cache': {
        const h = this.hostNamed(effect.host);
        const deleted = h.cachePresent;
        this.listener({ kind: 'delete-cache', host: effect.host, effect });
        h.cachePresent = false;
        return { ok: true, output: { deleted, path: `${effect.installDir}\\SPOC\\SpoolCache` } };
      }
      case 'restart-os': {
        const key = flightKey(effect);
        const noted = this.restartNotes.get(key);
        if (noted) return { ok: true, output: { outcome: 'already-requested', requestedAt: noted, bootBefore: LONG_AGO } };
        this.restartNotes.set(key, at);
        const h = this.hostNamed(effect.host);
        h.rebooting = true;
        h.runningBeforeReboot = [...h.running];
        h.running.clear();
        this.listener({ kind: 'restart-os', host: effect.host, effect });
        return { ok: true, output: { outcome: 'restart-requested', requestedAt: at, bootBefore: LONG_AGO } };
      }
      case 'await-host-restarted': {
        const h = this.hostNamed(effect.host);
        return { ok: true, output: { bootedAt: at, running: effect.services.filter((s) => h.running.has(s)) } };
      }
      case 'await-spoc-online': {
        if (!this.spocRunning(effect.host)) return { ok: false, reason: `the SPOC of ${effect.host} does not show online` };
        // variant 1: the first other member was restarted by hand meanwhile (it is back, online since just now).
        if (variant === 1 && effect.others.length > 0) this.parallelRestartsReported += 1;
        const others = Object.fromEntries(
          effect.others.map((o, i) => [o, i === 0 && variant === 1 ? { online: true, onlineSince: at } : { online: this.spocRunning(o), onlineSince: this.spocRunning(o) ? LONG_AGO : null }]),
        );
        return { ok: true, output: { onlineAt: at, others } };
      }
      case 'check-spocs-online': {
        const offline = effect.hosts.filter((h) => !this.spocRunning(h));
        if (offline.length > 0) return { ok: false, reason: `not online on the Management Server: ${offline.join(', ')}` };
        return { ok: true, output: { online: [...effect.hosts] } };
      }
      // Steps the model does not track (read-only checks, the JobScheduler's, FlexiSpooler's): their nominal output.
      case 'check-management-server':
      case 'check-no-load':
      case 'preflight':
      case 'watch-cluster':
      case 'fence-member':
      case 'activate-member':
      case 'assign-pending-steps':
      case 'reassign-steps-of':
      case 'submit-order':
      case 'terminate-member':
      case 'check-scheduler-member':
      case 'stop-scheduler':
      case 'start-scheduler':
      case 'remove-scheduler-service':
      case 'install-scheduler-service':
      case 'set-cluster-options':
      case 'discover-spooler-controllers':
      case 'deliver-to-spooler-controller':
      case 'deliver-through-public-server':
      case 'await-job-release':
      default:
        return { ok: true, output: nominalOutput(effect, at) };
    }
  }
}
