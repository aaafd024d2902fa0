/**
 * What the bus-attached CAN profiles (LV broadcast, Pylon HV request/response) share: counters, a send that never
 * throws or leaves a rejected promise behind, and the attachment handle.
 */
import { SENT } from '../../../protocols/can/base-bus';
import type { CanBus } from '../../../protocols/can/bus';
import type { CanFrame } from '../../../protocols/can/frame';

/** Figures of one attached CAN profile. Every drop is counted, none is silent. */
export interface CanProfileStats {
  /** Frames handed to the bus and not refused by it. */
  framesSent: number;
  /** Sends the bus refused (closed, disconnected); the profile carries on. */
  sendErrors: number;
  /** Frames for this profile that were malformed (wrong length, RTR, unknown request) and ignored. */
  malformedIgnored: number;
  /** Valid heartbeats / requests taken as a sign of life of the inverter. */
  heartbeats: number;
  /** Requests answered (request/response profiles). */
  requestsAnswered: number;
  /** Cycles or requests not served because a 'comms-loss' fault is active. */
  silencedByCommsLoss: number;
  /** Inverter commands acted on (Pylon HV 0x8200 sleep/wake, 0x8210 charge/discharge command). */
  commandsApplied: number;
}

/**
 * A profile attached to a bus. Contract: `detach()` stops its timers and listeners and is idempotent; it does not
 * close the bus (the bench owns it). After the bus closes the profile counts send errors until detached.
 */
export interface CanProfileAttachment {
  readonly protocol: string;
  readonly stats: Readonly<CanProfileStats>;
  detach(): void;
}

export function emptyCanProfileStats(): CanProfileStats {
  return { framesSent: 0, sendErrors: 0, malformedIgnored: 0, heartbeats: 0, requestsAnswered: 0, silencedByCommsLoss: 0, commandsApplied: 0 };
}

/**
 * Send without throwing: a synchronous `FrameError`/`ClosedError` or a rejected promise counts as a send error
 * (reported once through `onError`), never as an unhandled rejection.
 */
export function sendCounted(bus: CanBus, frame: CanFrame, stats: CanProfileStats, onError?: (err: unknown) => void): void {
  try {
    const p = bus.send(frame);
    stats.framesSent++;
    if (p === SENT) return; // a synchronous medium sent it: nothing can reject (no handler, no microtask per frame)
    p.catch((err: unknown) => {
      stats.framesSent--;
      stats.sendErrors++;
      onError?.(err);
    });
  } catch (err) {
    stats.sendErrors++;
    onError?.(err);
  }
}
