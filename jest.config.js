/** Jest runs TypeScript through ts-jest in transpile-only mode; `npm test` type-checks with tsc first. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  // examples/ import the client as another project does: the package's `spoolflow/client`.
  moduleNameMapper: { '^spoolflow/client$': '<rootDir>/client/index.ts' },
  testTimeout: 120000,
  setupFiles: ['<rootDir>/test/helpers/quiet-runtime.ts'],
};
