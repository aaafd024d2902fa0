import { ConfigError, DisconnectedError, HilTimeoutError, OperationError } from '../../../../core/errors';
import type { CanBus, CanBusOptions } from '../../../../protocols/can/bus';
import { openBus } from '../../../../protocols/can/registry';

/**
 * Open the medium a user named on the command line. Failing to reach it (no server at that port, a serial port
 * that cannot be opened, no handshake) is a bench configuration problem, so those errors become `ConfigError`s
 * (exit code 2) that keep the medium's one-line reason. Unknown media and malformed strings are already
 * `UnknownMediumError`/`ConfigError`; a missing device or kernel CAN is `InterfaceNotAvailableError` (also 2).
 * What the medium has to report (an SLCAN adapter's port that refused low-latency mode) goes to `report` (the
 * command's stderr), unless `options.log` says otherwise.
 */
export async function openMedium(medium: string, options: CanBusOptions = {}, report?: (line: string) => void): Promise<CanBus> {
  try {
    return await openBus(medium, { ...(report ? { log: report } : {}), ...options });
  } catch (err) {
    if (err instanceof OperationError || err instanceof HilTimeoutError || err instanceof DisconnectedError) {
      throw new ConfigError(`cannot open CAN medium '${medium}': ${err.message}`, undefined, { cause: err });
    }
    throw err;
  }
}
