/**
 * The workflow bundle is compiled for the language level the rest of spoolflow runs at (ES2022):
 * the SDK's default (ES2017) turned each object spread of a step into helper calls.
 */
import path from 'node:path';
import { compileForLanguageLevel, bundleWorkflows } from '../../../worker/workflow-bundle';
import { SHARED_MACHINE_MODULES } from '../../../worker/shared-machines';

test('the workflow sources are compiled for ES2022: an object spread stays a native spread, not a helper call', async () => {
  const { code } = await bundleWorkflows(require.resolve('../../fixtures/spread-workflow'));
  const workflow = code.slice(code.indexOf('async function spreadWorkflow'));
  expect(workflow).toMatch(/\{\s*\.\.\.extra,\s*spreadByTheWorkflow: true\s*\}/);
  expect(code).not.toMatch(/function _object_spread\(/);
}, 60_000);

test("the bundle preloads every procedure's machine and a bundle's own machine modules, for all its workflows to share", async () => {
  const own = require.resolve('../../../bench/steps-machine');
  const { code } = await bundleWorkflows(require.resolve('../../fixtures/spread-workflow'), [own]);
  const start = code.indexOf('function preloadModules()');
  const preload = code.slice(start, code.indexOf('importWorkflows', start));
  const required = [...preload.matchAll(/__webpack_require__\([^)]*"([^"]+)"\)/g)].map((m) => m[1]);
  const root = path.join(__dirname, '../../..');
  expect(required.map((id) => id?.replace(/^.*?((machines|bench)\/)/, '$1'))).toEqual([...SHARED_MACHINE_MODULES, own].map((m) => path.relative(root, m).replaceAll(path.sep, '/')));
}, 60_000);

test('a bundler configuration without a TypeScript loader to set is refused, not silently left at ES2017', () => {
  expect(() => compileForLanguageLevel({ module: { rules: [{ test: /\.js$/, use: ['source-map-loader'] }] } })).toThrow(/no TypeScript loader/);
});

test("the SDK's TypeScript loader is set to ES2022 and nothing else in the configuration changes", () => {
  const loader = { loader: 'swc-loader', options: { sourceMap: true, jsc: { target: 'es2017', parser: { syntax: 'typescript' } } } };
  const config = { mode: 'development' as const, module: { rules: [{ test: /\.js$/, use: ['source-map-loader'] }, { test: /\.ts$/, use: loader }] } };
  const changed = compileForLanguageLevel(config);
  expect(loader.options.jsc).toEqual({ target: 'es2022', parser: { syntax: 'typescript' } });
  expect(changed.mode).toBe('development');
  expect(changed.module?.rules).toHaveLength(2);
});
