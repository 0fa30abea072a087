/**
 * Every procedure's machine is shared by every workflow of a worker (worker/shared-machines.ts):
 * the SDK freezes what a preloaded module exports, with everything it imports, and zod's schemas
 * cannot be frozen, so no shared module may load zod; and no procedure may be left out.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded afresh, under a mock, by path */
import type { AnyStateMachine } from 'xstate';
import { PROCEDURE_MODULES } from '../../../machines/procedure-modules';
import { SHARED_MACHINE_MODULES } from '../../../worker/shared-machines';

const isMachine = (value: unknown): value is AnyStateMachine => typeof value === 'object' && value !== null && 'root' in value && typeof (value as { transition?: unknown }).transition === 'function';

/** Loads the module afresh with zod refusing to load; what the load threw, if anything. */
function loadWithoutZod(modulePath: string): unknown {
  let thrown: unknown;
  jest.isolateModules(() => {
    jest.doMock('zod', () => {
      throw new Error('zod was loaded');
    });
    try {
      require(modulePath);
    } catch (err) {
      thrown = err;
    } finally {
      jest.dontMock('zod');
    }
  });
  return thrown;
}

test.each(SHARED_MACHINE_MODULES.map((m) => [m.replace(/.*machines\//, 'machines/'), m]))('%s loads no zod, not even through another module', (_name, modulePath) => {
  expect(loadWithoutZod(modulePath)).toBeUndefined();
});

test('a module that loads zod through another one is caught (the check above can fail)', () => {
  expect(loadWithoutZod(require.resolve('../../../machines/core/effects'))).toEqual(new Error('zod was loaded'));
});

test('every procedure runs a machine from a shared module', () => {
  const shared = new Set<AnyStateMachine>(SHARED_MACHINE_MODULES.flatMap((m) => Object.values(require(m) as Record<string, unknown>).filter(isMachine)));
  const own = Object.entries(PROCEDURE_MODULES)
    .filter(([, modules]) => !shared.has(modules.machine()))
    .map(([id]) => id);
  expect(own).toEqual([]);
});
