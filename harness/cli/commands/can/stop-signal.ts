/** A stop request from the first SIGINT or SIGTERM (or a closed stdout pipe); `dispose` removes the handlers. */
export interface ProcessStop {
  readonly signal: AbortSignal;
  dispose(): void;
}

/**
 * Stop on the first SIGINT/SIGTERM, or when stdout's reader went away (`hil can dump ... | head`). A second
 * signal is not caught, so it ends a process whose shutdown hangs.
 */
export function processStop(): ProcessStop {
  const controller = new AbortController();
  const onSignal = (): void => {
    dispose();
    controller.abort();
  };
  const onStdoutError = (err: NodeJS.ErrnoException): void => {
    if (err.code === 'EPIPE') controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.stdout.on('error', onStdoutError);
  function dispose(): void {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stdout.off('error', onStdoutError);
  }
  return { signal: controller.signal, dispose };
}

/** Resolves when the signal aborts (at once if it has); never rejects. Without a signal, never resolves. */
export function whenAborted(signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return new Promise<void>(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
