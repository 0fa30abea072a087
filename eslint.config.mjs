// The linter. `npm test` runs it between tsc and jest. Its job is the mistakes the type checker lets
// through but that break a durable procedure: a promise nobody waits for (an activity call or a
// signal lost, an error swallowed), a promise handed where a plain callback is expected, and a
// switch that forgets a state, event or outcome.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    // What is not hand-written source: dependencies, the recorded workflow histories, the local
    // dev-server state, the compiled CLI (dist/) and anything a run writes.
    ignores: ['node_modules/', 'dist/', 'test/histories/', '.spoolflow/', 'coverage/', 'tmp/'],
  },
  {
    // The few plain JavaScript files (the CLI launcher and its build, jest's and this config) get ESLint's own base
    // rules; they are CommonJS or ES modules run by Node.
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...js.configs.recommended,
    languageOptions: {
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' },
    },
  },
  {
    files: ['**/*.ts'],
    // ESLint's own base (an unintended fall-through, an empty block, a control character in a
    // pattern) with typescript-eslint's recommended set, which also turns off the base rules the
    // type checker already covers.
    extends: [js.configs.recommended, tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        // The type-aware rules below read the types from the tsconfig.json nearest to each file (the
        // root one: every .ts file is in its "include"), the same program `tsc --noEmit -p .` checks.
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A leading underscore marks a name kept on purpose: a parameter an interface demands, or the
      // key a destructuring leaves out of the rest.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // A promise that is neither awaited, returned nor explicitly `void`ed with a reason.
      '@typescript-eslint/no-floating-promises': 'error',
      // A promise where a void callback (an event handler, a forEach body) or a condition is expected.
      '@typescript-eslint/no-misused-promises': 'error',
      // Awaiting something that is not a promise usually means a wrong signature was assumed.
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        {
          // A switch over a union (states, events, step outcomes, systems) must name every member,
          // even when it has a default: a `default` would otherwise silently swallow the member
          // someone adds later, and the linter is what points at every switch that must decide
          // about it. Members meant to share the default's handling are listed as cases above it.
          considerDefaultExhaustiveForUnions: false,
          // A default after all members are listed stays allowed: it guards values that arrive
          // untyped at run time (JSON from the CLI, the web, a recorded history).
          allowDefaultCaseForExhaustiveSwitch: true,
          // A switch over a plain string or number needs no default.
          requireDefaultForNonUnion: false,
        },
      ],
    },
  },
);
