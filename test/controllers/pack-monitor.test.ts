/**
 * The reference controller's pack monitor decodes a frame only when its payload differs from the last one decoded for
 * its id (a BMS repeats most frames unchanged every second), yet every frame counts for freshness.
 */
import { VirtualClock } from '../../core/clock';
import { makeFrame } from '../../protocols/can/frame';
import { VirtualBus } from '../../protocols/can/media/virtual';
import type { Database } from '../../protocols/can/dbc';
import { lvDatabase, PackMonitor } from '../../examples/controllers/reference/pack-monitor';

function rig(): { monitor: PackMonitor; send: (id: number, bytes: number[]) => void; decoded: number[]; clock: VirtualClock } {
  const clock = new VirtualClock(0);
  const rx = new VirtualBus('pack-monitor-test', { clock });
  const tx = new VirtualBus('pack-monitor-test', { clock });
  const db = lvDatabase();
  const decoded: number[] = [];
  // The real LV database, with its decodes counted.
  const counting = Object.create(db) as Database;
  counting.decode = (frame, options) => {
    decoded.push(frame.id);
    return db.decode(frame, options);
  };
  const monitor = new PackMonitor('pack1', rx, clock, counting, { commsTimeoutMs: 3000, onProtectionChange: () => undefined, log: () => undefined });
  monitor.claimBus();
  monitor.start();
  return { monitor, decoded, clock, send: (id, bytes) => void tx.send(makeFrame(id, bytes)) };
}

describe('PackMonitor', () => {
  it('decodes a payload once, counts repeats for freshness, and decodes again on any changed byte or length', () => {
    const r = rig();
    const limits = [0x28, 0x02, 0xe8, 0x03, 0xe8, 0x03, 0xe0, 0x01]; // 56.0 V, 100.0 A, 100.0 A, 48.0 V
    r.send(0x351, limits);
    expect(r.decoded).toEqual([0x351]);
    expect(r.monitor.readings.chargeCurrentLimit).toBe(100);
    r.clock.advanceTo(1000);
    r.send(0x351, limits);
    expect(r.decoded).toEqual([0x351]); // same bytes: not decoded again
    expect(r.monitor.lastLimitsAt).toBe(1000); // but fresh
    expect(r.monitor.frames).toBe(2);
    for (let byte = 0; byte < 8; byte++) {
      const changed = [...limits];
      changed[byte] = changed[byte]! ^ 0x01;
      r.send(0x351, changed);
      r.send(0x351, limits);
    }
    expect(r.decoded.length).toBe(1 + 16); // each changed byte, and back
    // A shorter payload with the same leading bytes is a different payload (0x355 has a 4-byte and a long form).
    r.send(0x355, [0x50, 0x00, 0x5a, 0x00]);
    r.send(0x355, [0x50, 0x00, 0x5a, 0x00, 0x00, 0x00]);
    r.send(0x355, [0x50, 0x00, 0x5a, 0x00, 0x00, 0x00]);
    expect(r.decoded.filter((id) => id === 0x355)).toHaveLength(2);
    expect(r.monitor.readings.soc).toBe(80);
    // Ids are remembered apart: 0x356 with 0x351's bytes is decoded.
    r.send(0x356, limits);
    expect(r.decoded[r.decoded.length - 1]).toBe(0x356);
  });
});
