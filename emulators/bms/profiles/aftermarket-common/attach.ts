/**
 * What the aftermarket BMS profiles (orion-bms2, daly-can, jk-can) share: broadcast schedules on a drift-free
 * ticker and an optional request handler, on the CanProfileAttachment contract of ../can-link.ts (a 'comms-loss'
 * fault silences them, counted; `detach()` stops timers and the listener, idempotent; nothing received throws).
 */
import type { Clock } from '../../../../core/clock';
import type { CanBus } from '../../../../protocols/can/bus';
import type { CanFrame } from '../../../../protocols/can/frame';
import type { BmsDevice } from '../../device/bms-device';
import { emptyCanProfileStats, sendCounted, type CanProfileAttachment, type CanProfileStats } from '../can-link';
import { startTicker } from '../native-common/ticker';

export interface Broadcast {
  periodMs: number;
  /** Frames to send at this tick (the device's state now). */
  frames(device: BmsDevice, tick: number): CanFrame[];
}

export interface AttachOptions {
  clock?: Clock;
  broadcasts: Broadcast[];
  /** Answer a received frame (return the answers; [] for none; undefined when the frame is not this profile's). */
  onRequest?(f: CanFrame, device: BmsDevice, stats: CanProfileStats): CanFrame[] | undefined;
}

export function attachAftermarket(protocol: string, device: BmsDevice, bus: CanBus, o: AttachOptions): CanProfileAttachment {
  const clock = o.clock ?? bus.clock;
  const stats = emptyCanProfileStats();
  const send = (f: CanFrame): void => sendCounted(bus, f, stats);
  const stops = o.broadcasts.map((b) =>
    startTicker(clock, b.periodMs, (tick) => {
      if (device.faults.commsLost) stats.silencedByCommsLoss++;
      else for (const f of b.frames(device, tick)) send(f);
    }),
  );
  const unsubscribe = o.onRequest
    ? bus.onFrame((f) => {
        if (f.error) return;
        const answers = o.onRequest!(f, device, stats);
        if (answers === undefined) return;
        if (device.faults.commsLost) {
          stats.silencedByCommsLoss++;
          return;
        }
        stats.requestsAnswered++;
        stats.heartbeats++;
        device.heartbeat();
        for (const a of answers) send(a);
      })
    : () => undefined;
  let attached = true;
  return {
    protocol,
    stats,
    detach() {
      if (!attached) return;
      attached = false;
      unsubscribe();
      for (const s of stops) s();
    },
  };
}

/** Little-endian and big-endian 16-bit writers, clamped to the field (no wrap-around). */
export function u16le(d: Uint8Array, at: number, v: number): void {
  const x = Math.min(0xffff, Math.max(0, Math.round(v)));
  d[at] = x & 0xff;
  d[at + 1] = x >> 8;
}
export function u16be(d: Uint8Array, at: number, v: number): void {
  const x = Math.min(0xffff, Math.max(0, Math.round(v)));
  d[at] = x >> 8;
  d[at + 1] = x & 0xff;
}
export function s16le(d: Uint8Array, at: number, v: number): void {
  const x = Math.min(0x7fff, Math.max(-0x8000, Math.round(v))) & 0xffff;
  d[at] = x & 0xff;
  d[at + 1] = x >> 8;
}
