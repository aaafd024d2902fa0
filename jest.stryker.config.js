/**
 * Jest for mutation testing (`npm run mutation`, stryker.config.mjs): only the tests that judge the judge
 * (harness/scenario/judge.test.ts, expression.test.ts), through the same ts-jest transpile-only setup as
 * jest.config.js, so each mutant runs in a fraction of a second. `npm test` does not use this file.
 */
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/harness/scenario'],
  testMatch: ['**/judge.test.ts', '**/expression.test.ts'],
  reporters: ['default'],
};
