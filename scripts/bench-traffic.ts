import type { BenchInstance } from '../harness/bench/bench-instance';

/** What crossed a bench so far: frames put on its hub buses, frame copies handed to hub members, Modbus requests served. */
export interface BenchTraffic {
  frames: number;
  deliveries: number;
  modbus: number;
}

/** The traffic counters of a running bench (hub statistics and Modbus endpoint counts), for the scale benchmarks. */
export function benchTraffic(inst: BenchInstance): BenchTraffic {
  const t: BenchTraffic = { frames: 0, deliveries: 0, modbus: 0 };
  const hubs = new Set([...inst.can.values()].flatMap((b) => (b.hub ? [b.hub] : [])));
  for (const hub of hubs) {
    for (const b of hub.stats().buses) {
      t.frames += b.frames;
      t.deliveries += b.deliveries;
    }
  }
  for (const m of inst.modbus.values()) t.modbus += m.requests;
  return t;
}
