/**
 * The workflow code, bundled by the Temporal bundler the way the central worker runs it (the
 * benches and the tests that replay it bundle it the same way).
 *
 * The bundler compiles TypeScript to ES2017 unless told otherwise, and ES2017 has no object spread:
 * every `{ ...a, b }` in the runtime and the machines became a call of a helper that copies each key
 * with `Object.defineProperty`, and a step spreads a few objects (the path entry, the effect with
 * its request key, the activity options with their summary, the machine's context). The rest of
 * spoolflow is compiled for ES2022 (tsconfig.json) and the workflows run on the same Node, so they
 * are compiled for it too: the same semantics (tsc checks them with ES2022's class fields), native
 * spreads. A workflow's commands do not depend on the language level, so recorded histories
 * replay the same.
 *
 * The bundle also preloads the machines every workflow of a worker shares (shared-machines.ts).
 */
import path from 'node:path';
import { bundleWorkflowCode, type BundleOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { sourceDir } from '../engine/source-dir';
import { preloadedModules } from './shared-machines';

// The Temporal bundler compiles the workflow sources themselves, also when this module runs from dist/.
export const WORKFLOWS_PATH = path.join(sourceDir(__dirname), '..', 'workflows', 'index.ts');

/** The language level the workflow sources are compiled for: tsconfig.json's target. */
export const WORKFLOW_LANGUAGE_LEVEL = 'es2022';

type WebpackConfig = Parameters<NonNullable<BundleOptions['webpackConfigHook']>>[0];

/** The bundler's webpack configuration with its TypeScript loader compiling for `WORKFLOW_LANGUAGE_LEVEL`. */
export function compileForLanguageLevel(config: WebpackConfig): WebpackConfig {
  let found = false;
  for (const rule of config.module?.rules ?? []) {
    const use = rule && typeof rule === 'object' ? rule.use : undefined;
    const options = use && typeof use === 'object' && !Array.isArray(use) && typeof use.options === 'object' ? (use.options as { jsc?: { target?: string } }) : undefined;
    if (options?.jsc?.target) {
      options.jsc.target = WORKFLOW_LANGUAGE_LEVEL;
      found = true;
    }
  }
  // A new SDK that compiles differently must not silently fall back to the old level.
  if (!found) throw new Error('The Temporal bundler has no TypeScript loader with a target to set: see worker/workflow-bundle.ts');
  return config;
}

const noop = () => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };

/**
 * Bundles the workflows of `workflowsPath` as the central worker runs them: for ES2022, with XState
 * and the machines shared by all workflows (worker/shared-machines.ts), and `ownMachineModules`
 * shared too (the bench's machine).
 */
export function bundleWorkflows(workflowsPath: string, ownMachineModules: readonly string[] = []): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({ workflowsPath, preloadModules: preloadedModules(ownMachineModules), logger: quietBundlerLogger, webpackConfigHook: compileForLanguageLevel });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The central worker's workflow code, bundled once per process (bundling takes seconds). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflows(WORKFLOWS_PATH);
  return bundle;
}
