import { exitCodeForSignal } from '../../core/errors';
import { killAllControllersNow } from '../dut/dut-process';

/** What `trapInterrupts` gives the command: a signal for the run, and the removal of the handlers. */
export interface InterruptTrap {
  /** Aborted by the first SIGINT/SIGTERM; its `reason` is the signal's name. */
  readonly signal: AbortSignal;
  dispose(): void;
}

/**
 * Catch SIGINT and SIGTERM while a run is in progress. The first one aborts `signal` (the run records the scenario
 * in progress as interrupted, stops the controller's process group, writes the reports, and the command exits 130
 * or 143). A second one exits at once with the same code, after SIGKILLing every controller process group; the
 * results already written stay (they are fsynced as they come).
 */
export function trapInterrupts(write: (line: string) => void = (l) => process.stderr.write(l)): InterruptTrap {
  const controller = new AbortController();
  const handler = (sig: 'SIGINT' | 'SIGTERM'): void => {
    if (!controller.signal.aborted) {
      write(`hil: ${sig}: stopping the scenario in progress and writing the reports (${sig === 'SIGINT' ? 'Ctrl-C' : sig} again to exit at once)\n`);
      controller.abort(sig);
      return;
    }
    write(`hil: ${sig} again: exiting now; the controllers were killed, the results written so far stay\n`);
    killAllControllersNow();
    process.exit(exitCodeForSignal(sig));
  };
  const onInt = (): void => handler('SIGINT');
  const onTerm = (): void => handler('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}
