/**
 * The LV CAN profile on a bus: the battery broadcast of one variant, every cycle, from the device's current
 * snapshot; the inverter's 0x305 heartbeat feeds the BMS's watchdog.
 */
import { PeriodicSchedule, type Clock } from '../../../core/clock';
import type { CanBus } from '../../../protocols/can/bus';
import type { CanFrame } from '../../../protocols/can/frame';
import type { BmsDevice } from '../device/bms-device';
import { emptyCanProfileStats, sendCounted, type CanProfileAttachment } from './can-link';
import { LV_CAN_ID, LvCanEncoder, type LvCanOptions } from './lv-can';

export interface AttachLvCanOptions extends LvCanOptions {
  /** Clock of the cycle (default the bus's). */
  clock?: Clock;
  /** Cycle, ms (default the variant's: 1000 Pylontech, 100 SMA). */
  periodMs?: number;
  /** Send the variant's extension messages (default true here; the bare encoder defaults to false). */
  extensions?: boolean;
  /** Called on a refused send (for logs); the profile carries on either way. */
  onSendError?: (err: unknown) => void;
}

/**
 * Attach an LV CAN profile (Pylontech or SMA variant) of `device` to `bus`.
 *
 * Contract:
 * - Each cycle of the core `PeriodicSchedule` (drift-free; after a stall the missed cycles are skipped, no burst)
 *   encodes `device.snapshot()` at that moment and sends every frame of the variant, so frames always carry the
 *   state current at the cycle. The first cycle is at once (during the attach).
 * - A 'comms-loss' fault (`device.faults.commsLost`) silences the cycle (counted) and heartbeats are not heard; a
 *   'stale-data' fault keeps the cycle going with the frozen snapshot.
 * - 0x305 (standard id, 8 data bytes, any content) is a heartbeat: `device.heartbeat()`. A 0x305 of another length,
 *   or an RTR, is malformed: counted in `stats.malformedIgnored` and ignored. Other ids are not this profile's and
 *   are ignored silently. Nothing received can throw out of the listener.
 * - `detach()` stops the cycle and the listener; the bus stays open.
 */
export function attachLvCan(device: BmsDevice, bus: CanBus, options: AttachLvCanOptions = {}): CanProfileAttachment {
  const encoder = new LvCanEncoder({ ...options, extensions: options.extensions ?? true });
  const clock = options.clock ?? bus.clock;
  const periodMs = options.periodMs ?? encoder.variant.periodMs;
  if (!(periodMs > 0)) throw new RangeError(`LV CAN period must be > 0 ms, got ${periodMs}`);
  const stats = emptyCanProfileStats();
  let attached = true;

  const cycle = (): void => {
    if (device.faults.commsLost) stats.silencedByCommsLoss++;
    else for (const f of encoder.encode(device.snapshot())) sendCounted(bus, f, stats, options.onSendError);
  };

  const onFrame = (f: CanFrame): void => {
    if (f.id !== LV_CAN_ID.heartbeat || f.extended || f.error) return;
    if (f.rtr || f.data.length !== 8) {
      stats.malformedIgnored++;
      return;
    }
    if (device.faults.commsLost) return;
    stats.heartbeats++;
    device.heartbeat();
  };
  const unsubscribe = bus.onFrame(onFrame);
  // The next cycle is armed before the first runs, so nothing in a cycle can end the schedule.
  const schedule = new PeriodicSchedule(clock, periodMs, cycle);
  cycle();

  return {
    protocol: `lv-can/${encoder.variant.name}`,
    stats,
    detach() {
      if (!attached) return;
      attached = false;
      unsubscribe();
      schedule.stop();
    },
  };
}
