/**
 * Drives a procedure machine the way the workflow runtime does (machine-runtime.ts), without
 * Temporal, against a model of its hosts (model-estate.ts), following a generated script of what
 * the world and the operator do: an effect in flight succeeds or fails (before or after it acted),
 * a timer fires, the operator sends a command (only where the machine accepts it, as the runtime's
 * validator refuses the others), or the workflow process dies and the machine is rebuilt from its
 * persisted snapshot, the effects that were in flight running again.
 *
 * The safety invariants of issue 8 are checked on the model at every host change and at the end;
 * the first violation throws with the trail of events that led to it, which fast-check shrinks.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { AnyMachineSnapshot, AnyStateMachine, initialTransition, transition } from 'xstate';
import { doneEventType, Effect, effectTag, failedEventType, flightKey, hostOf, targetOf } from '../../machines/core/effects';
import { directivesOf, MachineEvent } from '../../machines/core/machine-directives';
import type { SpocProcedureOutput } from '../../machines/spoc/spoc-procedure-output';
import { AnswerMode, HostChange, isOtherVendorName, isProtectedName, isVendorName, ModelEstate, sameName } from './model-estate';

/** What must hold for one procedure on one input. */
export interface SafetySpec {
  /** Sets of hosts of which at most one may be down at any time (one member at a time). */
  oneAtATime: string[][];
  /**
   * Once this holds, `oneAtATime` no longer applies, for the rest of the run (e.g. a restart with
   * cache deletion the procedure goes on with, and an abort from it, stop every member on purpose).
   */
  oneAtATimeEndsWhen?: (snapshot: AnyMachineSnapshot) => boolean;
  /**
   * Restarts with cache deletion: when a cache of one of these hosts is deleted, every host of the
   * block has its SPOC stopped (phase A done on all); their starts go one member at a time. A host
   * whose cache is deleted must be in exactly one block; no other host's cache is ever deleted.
   */
  deletionBlocks: string[][];
  /** Services the runbook leaves stopped on purpose (a removed SPOC's group service). */
  intentionallyStopped?: Record<string, string[]>;
  /** A run that completed deleted the cache of each host of each block (false where a block is conditional). */
  completedDeletesEveryBlock?: boolean;
}

export type OperatorWord = 'retry' | 'skip' | 'abort' | 'startGroupService' | 'overrideLoad';

/** One thing that happens, as generated. */
export type Move =
  | { kind: 'answer'; pick: number; mode: AnswerMode; variant: number }
  | { kind: 'timer'; pick: number }
  | { kind: 'operator'; command: OperatorWord; acted: boolean }
  | { kind: 'crash'; acted: boolean };

export interface MoveWeights {
  faults: boolean;
  /**
   * Effects that acted on a host and whose answer never reaches the machine: failures after the
   * effect acted, and operator commands that cancel an effect in flight which had already acted
   * (also one that acted just before a crash). Without them, an effect that acted before a crash
   * is answered (by its run after the crash) before the next operator command.
   */
  actingFaults: boolean;
  crashes: boolean;
}

/**
 * Scripts of moves, long enough to cover a whole run of a large group. Effects mostly succeed so
 * that runs get far; an abort is rare enough that about half the runs complete, and comes at any
 * point of a run.
 */
export function movesArb(w: MoveWeights, maxLength = 150): fc.Arbitrary<Move[]> {
  const modes: AnswerMode[] = [...Array.from({ length: 9 }, () => 'done' as const), ...(w.faults ? (['fail'] as const) : []), ...(w.actingFaults ? (['fail-after-acting'] as const) : [])];
  const acted = w.actingFaults ? fc.boolean() : fc.constant(false);
  const command = (word: OperatorWord) => fc.record({ kind: fc.constant('operator' as const), command: fc.constant(word), acted });
  const move: fc.Arbitrary<Move> = fc.oneof(
    { weight: 140, arbitrary: fc.record({ kind: fc.constant('answer' as const), pick: fc.nat(16), mode: fc.constantFrom(...modes), variant: fc.nat(4) }) },
    { weight: 30, arbitrary: fc.record({ kind: fc.constant('timer' as const), pick: fc.nat(4) }) },
    { weight: 25, arbitrary: command('retry') },
    { weight: 5, arbitrary: command('skip') },
    { weight: 5, arbitrary: command('startGroupService') },
    { weight: 5, arbitrary: command('overrideLoad') },
    { weight: 1, arbitrary: command('abort') },
    { weight: w.crashes ? 10 : 0, arbitrary: fc.record({ kind: fc.constant('crash' as const), acted: fc.boolean() }) },
  );
  return fc.array(move, { maxLength, size: 'max' });
}

const OPERATOR_EVENTS: Record<OperatorWord, MachineEvent> = {
  retry: { type: 'operator.retry' },
  skip: { type: 'operator.skip' },
  abort: { type: 'operator.abort', reason: 'property test' },
  startGroupService: { type: 'operator.startGroupService' },
  overrideLoad: { type: 'operator.overrideLoad', operator: 'property-test', reason: 'generated override' },
};

type Actions = readonly { type: string; params?: unknown }[];

/**
 * The effects that change a host. Only these count for "no completed step done twice": read-only
 * steps (the preflight, queries, the survey of step 3, checks and waits) may be asked for again,
 * e.g. a retried preflight checks every host again on purpose.
 */
const HOST_CHANGING_ACTIONS: ReadonlySet<string> = new Set(['stop-service', 'stop-services', 'start-service', 'start-services', 'delete-cache', 'restart-os']);

/** The key under which "this step on this host" is done once: a central step also by what it checks. */
function stepKey(effect: Effect): string {
  return hostOf(effect) ? flightKey(effect) : `${effect.step}|${targetOf(effect) ?? ''}`;
}

function stateKeys(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...stateKeys(v)]);
  return [];
}

/** True when the machine is in a state whose key starts with `prefix` (a block of the machine). */
export function inBlock(snapshot: AnyMachineSnapshot, prefix: string): boolean {
  return stateKeys(snapshot.value).some((k) => k.startsWith(prefix));
}

export class SafetyViolation extends Error {}

export interface RunResult {
  output: SpocProcedureOutput;
  estate: ModelEstate;
  /** Hosts whose cache was deleted. */
  cachesDeleted: Set<string>;
  crashes: number;
  events: number;
}

/** Runs `machine` on `input` against `estate` following `moves`, then to its end nominally; throws on the first violation. */
export function runProcedure(machine: AnyStateMachine, input: unknown, estate: ModelEstate, spec: SafetySpec, moves: Move[], weights: MoveWeights): RunResult {
  const trail: string[] = [];
  const inFlight = new Map<string, Effect>();
  /** Effects in flight that already acted on their host (before a crash). */
  const acted = new Set<string>();
  const timers = new Map<string, MachineEvent>();
  /** Host-changing steps answered done, by step and host; emitting one again is a step done twice. */
  const answeredDone = new Set<string>();
  /** Per host: the last change was a start (it is being started), for "starts one member at a time". */
  const lastChangeWasStart = new Map<string, boolean>();
  const deletionBlockOf = new Map<string, string[]>();
  for (const block of spec.deletionBlocks) for (const h of block) deletionBlockOf.set(h, block);
  const cachesDeleted = new Set<string>();
  let crashes = 0;
  let events = 0;

  const fail = (rule: string, detail: string): never => {
    throw new SafetyViolation(`${rule}: ${detail}\n  trail (last 40):\n    ${trail.slice(-40).join('\n    ')}`);
  };

  const [initialSnapshot, startActions]: [AnyMachineSnapshot, Actions] = initialTransition(machine, input);
  let snapshot = initialSnapshot;

  estate.listener = (change: HostChange) => {
    trail.push(`      host: ${change.kind} ${change.host}${'service' in change ? ` ${change.service}` : ''}`);
    if (change.kind === 'stop' || change.kind === 'start') {
      if (isProtectedName(change.service)) fail('a protected service touched', `${change.kind} ${change.service} on ${change.host} by ${change.effect.step}`);
      if (!isVendorName(change.service)) fail('a service that is not the vendor\'s touched', `${change.kind} ${change.service} on ${change.host} by ${change.effect.step}`);
      const listed = estate.hostNamed(change.host).listed;
      if (listed && isOtherVendorName(change.service) && !listed.some((s) => sameName(s, change.service))) {
        fail('an other service the input\'s list leaves out touched', `${change.kind} ${change.service} on ${change.host} by ${change.effect.step} (listed: ${listed.join(', ') || 'none'})`);
      }
      lastChangeWasStart.set(change.host, change.kind === 'start');
      if (change.kind === 'start' && !snapshot.matches('aborting')) checkStartsOneAtATime(change.host);
    }
    if (change.kind === 'restart-os') lastChangeWasStart.set(change.host, false);
    if (change.kind === 'delete-cache') checkCacheDeletion(change.host);
    checkOneAtATime();
  };

  let oneAtATimeEnded = false;
  const checkOneAtATime = () => {
    oneAtATimeEnded ||= spec.oneAtATimeEndsWhen?.(snapshot) ?? false;
    if (oneAtATimeEnded) return;
    for (const group of spec.oneAtATime) {
      const down = group.filter((h) => estate.isDown(h));
      if (down.length > 1) fail('two members down at once', `${down.map((h) => `${h} (${estate.hostNamed(h).rebooting ? 'rebooting' : estate.downServices(h).join(', ')})`).join(' and ')}`);
    }
  };

  const checkStartsOneAtATime = (host: string) => {
    const block = deletionBlockOf.get(host);
    if (!block) return;
    const partly = block.filter((h) => h !== host && lastChangeWasStart.get(h) && estate.isDown(h));
    if (partly.length > 0) fail('starts not one member at a time', `${host} is being started while ${partly.join(', ')} is only partly started (${partly.map((h) => estate.downServices(h).join(', ')).join('; ')} still down)`);
  };

  const checkCacheDeletion = (host: string) => {
    if (estate.spocRunning(host)) fail('cache deleted with the SPOC running', host);
    const block = deletionBlockOf.get(host);
    if (!block) fail('cache deleted outside a restart with cache deletion', host);
    const running = (block ?? []).filter((h) => estate.spocRunning(h));
    if (running.length > 0) fail('cache deleted before every member of the block was stopped', `${host} while the SPOC runs on ${running.join(', ')}`);
    cachesDeleted.add(host);
  };

  const startEffect = (effect: Effect) => {
    const key = stepKey(effect);
    if (answeredDone.has(key)) fail('a completed step done twice', `${key} ("${effect.title}") was answered done and is asked for again`);
    inFlight.set(flightKey(effect), effect);
    trail.push(`    effect ${flightKey(effect)} ${effect.action}${'services' in effect ? ` [${effect.services.join(', ')}]` : 'service' in effect ? ` ${effect.service}` : ''}`);
  };

  /** As the runtime's `apply`: schedule and cancel timers, cancel effects whose state was left or that are asked for again. */
  const apply = (actions: Actions) => {
    const effects: Effect[] = [];
    for (const d of directivesOf(actions)) {
      if (d.kind === 'effect') effects.push(d.effect);
      else if (d.kind === 'schedule') timers.set(d.id, d.event);
      else timers.delete(d.id);
    }
    for (const [key, effect] of inFlight) {
      if (!snapshot.hasTag(effectTag(effect.step)) || effects.some((e) => flightKey(e) === key)) inFlight.delete(key);
    }
    for (const effect of effects) startEffect(effect);
  };

  const send = (event: MachineEvent) => {
    events += 1;
    trail.push(`${event.type}${event.host ? ` @${String(event.host)}` : ''}${event.reason && event.type.startsWith('effect.failed') ? ' (fault)' : ''}`);
    let actions: Actions;
    [snapshot, actions] = transition(machine, snapshot, event as never);
    apply(actions);
  };

  const answer = (key: string, mode: AnswerMode, variant: number) => {
    const effect = inFlight.get(key);
    if (!effect) return;
    inFlight.delete(key);
    acted.delete(key);
    const result = estate.execute(effect, mode, variant);
    const host = hostOf(effect);
    if (result.ok) {
      if (HOST_CHANGING_ACTIONS.has(effect.action)) answeredDone.add(stepKey(effect));
      send({ type: doneEventType(effect.step), output: result.output, ...(host ? { host } : {}) });
    } else {
      send({ type: failedEventType(effect.step), reason: result.reason, ...(host ? { host } : {}) });
    }
  };

  /** The effects in flight did their work on the hosts, but their answers are lost. */
  const actInFlight = () => {
    for (const [key, effect] of inFlight) {
      estate.execute(effect, 'acted');
      acted.add(key);
    }
  };

  const operator = (word: OperatorWord): boolean => {
    const event = OPERATOR_EVENTS[word];
    if (snapshot.status !== 'active' || !snapshot.can(event)) return false;
    // A retried step may be asked for again; a group service started by hand is verified again.
    if (word === 'startGroupService') for (const k of [...answeredDone]) if (/StartGroupService[@|]/.test(k)) answeredDone.delete(k);
    send(event);
    return true;
  };

  const crash = () => {
    crashes += 1;
    trail.push('*** crash: the machine is rebuilt from its persisted snapshot');
    const before = snapshot;
    // Through JSON, as a continue-as-new hands it over: a value JSON cannot carry (a Date, a Set) shows as a difference.
    const persisted = JSON.parse(JSON.stringify(machine.getPersistedSnapshot(snapshot))) as { value: unknown; context: unknown };
    snapshot = machine.resolveState({ value: persisted.value as never, context: persisted.context }) as AnyMachineSnapshot;
    if (!isDeepStrictEqual(essence(before), essence(snapshot))) {
      fail('the state after a crash differs from the state before it', `before ${JSON.stringify(essence(before))}\n  after ${JSON.stringify(essence(snapshot))}`);
    }
    // The runtime starts again the effects that were in flight; timers keep their due times.
  };

  apply(startActions);

  for (const move of moves) {
    if (snapshot.status !== 'active') break;
    switch (move.kind) {
      case 'answer': {
        const keys = [...inFlight.keys()];
        const key = keys[move.pick % Math.max(keys.length, 1)];
        // Without acting faults, an effect that acted before a crash finds its work done when it runs again.
        if (key !== undefined) answer(key, acted.has(key) && !weights.actingFaults ? 'done' : move.mode, move.variant);
        break;
      }
      case 'timer': {
        const ids = [...timers.keys()];
        const id = ids[move.pick % Math.max(ids.length, 1)];
        if (id !== undefined) {
          const event = timers.get(id) as MachineEvent;
          timers.delete(id);
          send(event);
        }
        break;
      }
      case 'operator': {
        const event = OPERATOR_EVENTS[move.command];
        if (snapshot.status === 'active' && snapshot.can(event)) {
          if (move.acted) actInFlight();
          if (!weights.actingFaults) for (const key of [...acted]) if (inFlight.has(key)) answer(key, 'done', 0);
          if (snapshot.status === 'active') operator(move.command);
        }
        break;
      }
      case 'crash':
        if (move.acted) actInFlight();
        crash();
        break;
    }
  }

  // The rest of the run: everything succeeds; a halted step is retried, then skipped, then the procedure aborted.
  let retriesHere = 0;
  let lastHalt = '';
  for (let i = 0; snapshot.status === 'active'; i += 1) {
    if (i > 5000) fail('the procedure does not end', `still at ${JSON.stringify(snapshot.value)}`);
    const first = inFlight.keys().next();
    if (!first.done) {
      answer(first.value, 'done', 0);
      continue;
    }
    const timer = timers.entries().next();
    if (!timer.done) {
      timers.delete(timer.value[0]);
      send(timer.value[1]);
      continue;
    }
    if (!snapshot.hasTag('halted')) fail('the procedure is stuck', `at ${JSON.stringify(snapshot.value)} with nothing in flight, no timer and no halt`);
    const halt = JSON.stringify(snapshot.value);
    retriesHere = halt === lastHalt ? retriesHere + 1 : 0;
    lastHalt = halt;
    if (retriesHere < 3 && operator('retry')) continue;
    if (operator('skip')) continue;
    if (operator('abort')) continue;
    fail('the procedure cannot go on', `halted at ${halt} (${JSON.stringify((snapshot.context as { halt?: unknown }).halt)}); retry fails and neither skip nor abort is accepted`);
  }

  const output = snapshot.output as SpocProcedureOutput;
  checkEnd(output);
  return { output, estate, cachesDeleted, crashes, events };

  function checkEnd(out: SpocProcedureOutput) {
    estate.bootAll();
    for (const host of estate.hosts.keys()) {
      const listed = new Set([...(out.leftStopped[host] ?? []), ...(out.couldNotStart[host] ?? []).map((f) => f.service), ...(spec.intentionallyStopped?.[host] ?? [])]);
      const unlisted = estate.downServices(host).filter((s) => !listed.has(s));
      if (unlisted.length > 0) fail('a service stopped and neither started again nor listed as left stopped', `${host}: ${unlisted.join(', ')} (outcome ${out.outcome}, leftStopped ${JSON.stringify(out.leftStopped)}, couldNotStart ${JSON.stringify(out.couldNotStart)})`);
    }
    if (out.outcome === 'completed') {
      if (Object.keys(out.leftStopped).length > 0 || Object.keys(out.couldNotStart).length > 0) fail('a completed procedure reports services left stopped', JSON.stringify(out));
      for (const host of cachesDeleted) if (!estate.spocRunning(host)) fail('a cache deleted and its SPOC not started again', host);
      if (spec.completedDeletesEveryBlock) {
        const kept = spec.deletionBlocks.flat().filter((h) => !cachesDeleted.has(h));
        if (kept.length > 0) fail('a completed restart with cache deletion kept caches', kept.join(', '));
      }
    }
  }

  function essence(s: AnyMachineSnapshot) {
    return { value: s.value, status: s.status, context: s.context, tags: [...s.tags].sort() };
  }
}
