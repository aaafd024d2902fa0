/**
 * Jest reporter that ends the run with one plain line, `jest: N passed, N failed, N skipped`, so CI logs can be
 * read by tools that look for that line. Skipped tests are listed by name above it: a skip is never silent.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = [];
    for (const file of results.testResults) {
      for (const t of file.testResults) {
        if (t.status === 'pending' || t.status === 'skipped' || t.status === 'todo') skipped.push(t.fullName);
      }
    }
    for (const name of skipped) process.stdout.write(`skipped: ${name}\n`);
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(
      `jest: ${results.numPassedTests} passed, ${failed} failed, ${results.numPendingTests + results.numTodoTests} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
