import type { CanBus } from '../../../../protocols/can/bus';
import type { CanFrame } from '../../../../protocols/can/frame';

/** Why {@link pumpFrames} ended. */
export type PumpEnd = 'count' | 'idle' | 'stopped' | 'closed';

/** Options for {@link pumpFrames}. */
export interface PumpOptions {
  /** Stop after this many frames. */
  count?: number;
  /** Stop when no frame arrived for this long (ms on the bus clock). */
  idleTimeoutMs?: number;
  /** Stop when this settles (a signal, a duration timer). */
  stop?: Promise<unknown>;
  /** Called for each frame, in arrival order. */
  onFrame(frame: CanFrame): void;
}

const STOPPED: unique symbol = Symbol('stopped');

/**
 * Read frames from `bus` (its receive queue) until a count, an idle timeout, a stop request, or the bus closing
 * (the peer went away). Resolves with the number of frames handed to `onFrame` and why it ended. The bus stays
 * open (the caller closes it; a `recv` still pending after a stop resolves null then).
 */
export async function pumpFrames(bus: CanBus, options: PumpOptions): Promise<{ frames: number; end: PumpEnd }> {
  const toStopped = (): typeof STOPPED => STOPPED;
  const stop = options.stop?.then(toStopped, toStopped);
  let frames = 0;
  while (options.count === undefined || frames < options.count) {
    const next = bus.recv(options.idleTimeoutMs);
    const got = stop ? await Promise.race([next, stop]) : await next;
    if (got === STOPPED) return { frames, end: 'stopped' };
    if (got === null) return { frames, end: bus.closed ? 'closed' : 'idle' };
    frames++;
    options.onFrame(got);
  }
  return { frames, end: 'count' };
}
