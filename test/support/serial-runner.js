/**
 * Jest runner for the `realtime` project (see jest.config.js): jest's own runner, told to run its files one at a
 * time in the main process (`isSerial`, the same as `--runInBand`). Jest runs the tests of each runner as one batch,
 * one batch after the other, so these files never share the machine with the parallel `unit` workers either.
 */
const TestRunner = require('jest-runner').default;

class SerialRunner extends TestRunner {
  isSerial = true;
}

module.exports = SerialRunner;
