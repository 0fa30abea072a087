/**
 * The machine modules every workflow of a worker shares instead of building its own.
 *
 * The worker evaluates a bundle's modules again for every workflow it creates, so that each has
 * its own module state. For a procedure's machine that buys nothing and costs twice: each run
 * built the machine's state nodes again, and V8 kept optimising XState's transition code again for
 * each run's fresh machine (in the runtime bench 173 optimising compilations in 20 workflows,
 * against 49 with the machine shared). These modules are preloaded instead (the SDK's
 * `preloadModules`): evaluated once per worker context, before any workflow exists, and shared by
 * every workflow, with what they import (XState; naming XState alone would do nothing: its package
 * declares no side effects, so the bundler drops a bare require of it).
 *
 * What makes that safe: a machine module is pure (machines/ has no I/O, no Temporal import, no
 * clock, no random source), and the SDK deep-freezes what a preloaded module exports, so a shared
 * object cannot be changed by one run for another. What a preloaded module imports is preloaded
 * (and frozen) with it, and zod 4's schemas write to themselves as they are first used, so no
 * module here may import zod, not even through another module: the action vocabulary and the
 * input schemas stay each workflow's own (test/core/worker/shared-machines.test.ts holds every
 * module here to that). So the helpers a machine needs from its inputs (a cluster's primary, a
 * location's Spooler Controllers, the SPOC wait floors) live in zod-free modules of their own,
 * next to the schemas that validate those inputs.
 */
import path from 'node:path';
import { sourceDir } from '../engine/source-dir';

const MACHINES_DIR = path.join(sourceDir(__dirname), '..', 'machines');

/** Every procedure's machine module (machines/procedure-modules.ts loads each one's machine from one of them). */
export const SHARED_MACHINE_MODULES: readonly string[] = [
  'spoc/restart-group-without-cache-deletion',
  'spoc/restart-group-with-cache-deletion',
  'spoc/create-group-from-standalone-spocs',
  'spoc/add-spoc-to-group',
  'spoc/remove-spoc-from-group',
  'spoc/move-spoc-to-another-group',
  'spoc/ip-address-changed',
  'spoc/restart-os-of-group-members',
  'spoc/restart-os-of-standalone-spocs',
  'jobscheduler/passive-cluster-supervisor',
  'jobscheduler/active-cluster-supervisor',
  'jobscheduler/set-cluster-option',
  'flexispooler/job-delivery',
].map((module) => path.join(MACHINES_DIR, `${module}.ts`));

/** What a workflow bundle preloads: the shared machines and any machine modules of its own (a bench's). */
export function preloadedModules(ownMachineModules: readonly string[] = []): string[] {
  return [...SHARED_MACHINE_MODULES, ...ownMachineModules];
}
