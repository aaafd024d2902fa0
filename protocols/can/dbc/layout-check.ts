import { ConfigError } from '../../../core/errors';
import type { Message } from './message';
import type { Signal } from './signal';

/**
 * Check that every signal fits the message and that no two signals that can be sent together share a bit.
 * Signals switched by the same multiplexer with disjoint ranges may overlap; signals under different multiplexers
 * are not compared. Throws `ConfigError` at the signal's location (`where`).
 */
export function checkLayout(message: Message, where: (s: Signal) => string): void {
  for (const s of message.signals) {
    if (s.bytesNeeded > message.length) {
      throw new ConfigError(
        `signal ${s.name} (start bit ${s.startBit}, ${s.length} bits, ${s.byteOrder.replace('_', '-')}) needs ` +
          `${s.bytesNeeded} bytes but message ${message.name} has ${message.length}`,
        where(s),
      );
    }
  }
  const sets = new Map<Signal, Set<number>>();
  for (const s of message.signals) sets.set(s, new Set(s.positions));
  const list = message.signals;
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const a = list[i]!;
      const b = list[j]!;
      if (!canCoexist(a, b)) continue;
      const bitsA = sets.get(a)!;
      const shared = b.positions.find((p) => bitsA.has(p));
      if (shared !== undefined) {
        throw new ConfigError(
          `signal ${b.name} overlaps signal ${a.name} in message ${message.name} (both use bit ${shared})`,
          where(b),
        );
      }
    }
  }
}

function canCoexist(a: Signal, b: Signal): boolean {
  const ma = a.multiplexedBy;
  const mb = b.multiplexedBy;
  if (!ma || !mb) return true;
  if (ma.multiplexer !== mb.multiplexer) return false;
  return ma.ranges.some(([lo1, hi1]) => mb.ranges.some(([lo2, hi2]) => lo1 <= hi2 && lo2 <= hi1));
}
