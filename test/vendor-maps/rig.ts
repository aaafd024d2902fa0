/**
 * A vendor-map inverter behind a Modbus server core, reached with an in-process master (the same PDU codec and
 * core as TCP), in virtual time; plus decoders for the register encodings integrations name (evcc's `int32s` is a
 * 32-bit value with the low word first).
 */
import { VirtualClock } from '../../core/clock';
import { SimpleBatteryPort } from '../../emulators/inverter/battery-port';
import { createInverterDevice, type InverterDevice } from '../../emulators/inverter/factory';
import type { Inverter } from '../../emulators/inverter/inverter';
import { InProcessMaster } from '../../protocols/modbus/in-process-master';
import { ModbusServerCore } from '../../protocols/modbus/server-core';

export type Encoding = 'uint16' | 'int16' | 'uint32' | 'int32' | 'uint32s' | 'int32s' | 'string';

/** One register read an integration makes: function code table, wire address, encoding, its scale (value = raw x scale). */
export interface IntegrationRead {
  table: 'input' | 'holding';
  address: number;
  encoding: Encoding;
  count: number;
  scale: number;
  what: string;
}

export function wordsFor(e: Encoding, count = 1): number {
  return e === 'string' ? count : e.endsWith('32') || e.endsWith('32s') ? 2 : 1;
}

/** Decode words as an integration does (strings: ASCII, NULs dropped). */
export function decode(words: number[], e: Encoding): number | string {
  if (e === 'string') return Buffer.from(words.flatMap((w) => [w >> 8, w & 0xff])).toString('latin1').replace(/\0+$/, '');
  const w = e.endsWith('s') ? [words[1]!, words[0]!] : words;
  const b = Buffer.alloc(4);
  b.writeUInt16BE(w[0]!, 0);
  if (w.length > 1) b.writeUInt16BE(w[1]!, 2);
  switch (e) {
    case 'uint16':
      return b.readUInt16BE(0);
    case 'int16':
      return b.readInt16BE(0);
    case 'uint32':
    case 'uint32s':
      return b.readUInt32BE(0);
    default:
      return b.readInt32BE(0);
  }
}

/** Words of a signed or unsigned value for a write (two's complement, high word first unless `s`). */
export function encode(value: number, e: Exclude<Encoding, 'string'>): number[] {
  const b = Buffer.alloc(4);
  if (e === 'uint16' || e === 'int16') return [value & 0xffff];
  if (e.startsWith('int')) b.writeInt32BE(value);
  else b.writeUInt32BE(value);
  const w = [b.readUInt16BE(0), b.readUInt16BE(2)];
  return e.endsWith('s') ? [w[1]!, w[0]!] : w;
}

export interface Rig {
  inv: Inverter;
  dev: InverterDevice;
  battery: SimpleBatteryPort;
  core: ModbusServerCore;
  master(unitId?: number): InProcessMaster;
  /** Advance the model `seconds` in steps of `dt` (default 0.1 s). */
  run(seconds: number, dt?: number): void;
  read(m: InProcessMaster, r: Pick<IntegrationRead, 'table' | 'address' | 'encoding' | 'count'>): Promise<number | string>;
}

export interface RigOptions {
  irradiance?: number;
  siteLoadW?: number;
  soc?: number;
  ratedW?: number;
  batteryMaxW?: number;
  /** Time of day at the start ("HH:MM", default 12:00) and weekday (0 Sunday .. 6 Saturday, default 0). */
  startTime?: string;
  startWeekday?: number;
}

/** A three-phase hybrid with a 48 V-class test battery, settled for 60 s. */
export function rig(map: string, o: RigOptions = {}): Rig {
  const battery = new SimpleBatteryPort({ soc: o.soc ?? 50, capacityAh: 200, emptyVoltage: 46, fullVoltage: 54, maxChargeA: 200, maxDischargeA: 200 });
  const dev = createInverterDevice({
    name: 'inv',
    map,
    battery,
    params: {
      ratedW: o.ratedW ?? 10000,
      batteryMaxW: o.batteryMaxW ?? 5000,
      phases: 'three',
      profile: { kind: 'constant', irradiance: o.irradiance ?? 0 },
      siteLoadW: o.siteLoadW ?? 0,
      startDelayS: 1,
      ...(o.startTime !== undefined ? { startTime: o.startTime } : {}),
      ...(o.startWeekday !== undefined ? { startWeekday: o.startWeekday } : {}),
    },
  });
  const clock = new VirtualClock();
  const core = new ModbusServerCore({ clock });
  for (const [id, unit] of dev.units ?? new Map([[1, dev.modbus]])) core.addUnit(id, unit);
  const run = (seconds: number, dt = 0.1): void => {
    for (let t = 0; t < seconds - 1e-9; t += dt) {
      dev.step(dt);
      battery.step(dt);
    }
  };
  run(60);
  return {
    inv: dev.inverter,
    dev,
    battery,
    core,
    master: (unitId = 1) => new InProcessMaster(core, clock, { unitId, timeoutMs: 1000 }),
    run,
    async read(m, r) {
      const n = wordsFor(r.encoding, r.count);
      const words = r.table === 'input' ? await m.readInput(r.address, n) : await m.readHolding(r.address, n);
      return decode(words, r.encoding);
    },
  };
}
