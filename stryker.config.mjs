/**
 * Mutation testing of the judge: `npm run mutation`. Mutates harness/scenario/judge.ts and expression.ts, runs only
 * their tests (jest.stryker.config.js: same ts-jest setup as jest.config.js), prints the score table and every
 * surviving mutant, writes reports/mutation/index.html, and fails below 90 % killed. Not part of `npm test`.
 * Mutants that are equivalent (no test can tell them apart) carry a `// Stryker disable next-line ...: reason`.
 */
// @ts-check
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
const config = {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'jest.stryker.config.js', enableFindRelatedTests: false },
  mutate: ['harness/scenario/judge.ts', 'harness/scenario/expression.ts'],
  coverageAnalysis: 'perTest',
  // The sandbox needs the sources the two test files import, not the build, the e2e tests or the docs.
  ignorePatterns: ['dist', 'reports', 'coverage', 'out', 'test', 'scripts', 'docs'],
  reporters: ['clear-text', 'progress', 'html'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
  thresholds: { high: 95, low: 90, break: 90 },
  concurrency: 2,
  timeoutMS: 10000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
export default config;
