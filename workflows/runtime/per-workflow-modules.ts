/**
 * The modules the runtime reaches in the running workflow's own module state: the action
 * vocabulary (machines/actions.ts: each action's place, limits and activity) and the operator
 * messages (workflows/operator-messages.ts: the update, the query and the command schema).
 *
 * The runtime itself is shared by every workflow of a worker (worker/shared-modules.ts): the SDK
 * evaluates it once per worker context and deep-freezes what it exports, with what it imports.
 * These two are built with zod, whose schemas write to themselves as they are first used, so they
 * must not be imported by a shared module, not even through another one. They are loaded here,
 * when the runtime first asks for them, by a `require` inside a function: the bundle resolves it
 * through the module cache of the workflow whose code is running (the SDK keeps one per workflow
 * beside the shared modules), so each workflow evaluates them for itself, as it did before the
 * runtime was shared. test/core/worker/shared-modules.test.ts holds the runtime to that.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loaded at run time, in the workflow's own module cache */

/** The action vocabulary of every system (machines/actions.ts). */
export const actionVocabulary = (): typeof import('../../machines/actions') => require('../../machines/actions');

/** The messages an operator exchanges with a running procedure (workflows/operator-messages.ts). */
export const operatorMessages = (): typeof import('../operator-messages') => require('../operator-messages');
