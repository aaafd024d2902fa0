/**
 * Two jest projects, one `jest` run (`npm test`; `npx jest --selectProjects unit|realtime` runs one of them):
 *
 * - `unit`: every `*.test.ts` except the real-time ones, in parallel workers. Virtual time, or real I/O whose waits
 *   are on events with generous failure bounds: a busy machine makes them slower, never wrong.
 * - `realtime`: files named `*.realtime.test.ts`, run ONE AT A TIME and after (never beside) the unit workers, by
 *   test/support/serial-runner.js. A test belongs here when its verdict depends on the machine keeping up with the
 *   wall clock: RealClock timers and their precision, real-time scenario runs judged against reaction deadlines.
 *
 * Rules for both (docs/testing.md): wall-clock assertions state the contract with a margin, waits are on events or
 * the injected Clock, servers listen on port 0. TypeScript runs through ts-jest in transpile-only mode; `npm test`
 * type-checks with tsc first.
 */
const REALTIME = '\\.realtime\\.test\\.ts$';

const base = {
  testEnvironment: 'node',
  roots: ['<rootDir>/core', '<rootDir>/protocols', '<rootDir>/emulators', '<rootDir>/harness', '<rootDir>/test', '<rootDir>/scripts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', REALTIME] },
    { ...base, displayName: 'realtime', testMatch: ['**/*.realtime.test.ts'], runner: '<rootDir>/test/support/serial-runner.js' },
  ],
  testTimeout: 30000,
  maxWorkers: 2,
  watchman: false,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
};
