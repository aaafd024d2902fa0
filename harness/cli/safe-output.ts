let guarded = false;

/**
 * Keep the CLI alive when whoever reads its output goes away (`hil run ... | head -1`): a write to a closed pipe
 * fails with EPIPE, which Node reports as an 'error' event on process.stdout/stderr and, unhandled, kills the
 * process. With this guard the failure is swallowed and later writes to that stream are dropped: the run goes on,
 * its exit code does not change, and the results files (which never go through stdout) are written as usual.
 * Idempotent.
 */
export function guardStandardStreams(): void {
  if (guarded) return;
  guarded = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', () => {
      // EPIPE (reader gone), or ERR_STREAM_DESTROYED for writes after it: nobody is reading; nothing to do.
    });
  }
}
