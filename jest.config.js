/** Jest runs TypeScript sources through ts-jest in transpile-only mode; `npm test` type-checks with tsc first. */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/core', '<rootDir>/protocols', '<rootDir>/emulators', '<rootDir>/harness', '<rootDir>/test', '<rootDir>/scripts'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
  maxWorkers: 2,
  watchman: false,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
