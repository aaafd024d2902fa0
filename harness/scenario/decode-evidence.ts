import type { Database } from '../../protocols/can/dbc';
import { formatDecoded } from '../../protocols/can/dbc';
import { makeFrame } from '../../protocols/can/frame';
import type { ModbusDevice } from '../../protocols/modbus/device';
import { decodeRaw, SunSpecDevice } from '../../protocols/modbus/sunspec';
import { decodeRaw as decodeVendorRaw } from '../../emulators/inverter/vendor-codec';
import { VendorMapDevice } from '../../emulators/inverter/vendor-map-device';

/**
 * Evidence lines as a reviewer reads them: CAN frames with the bus's DBC message and signal names, Modbus writes
 * with the SunSpec point (or vendor map register) names, scaled values and units. The raw lines stay as they are (the report keeps them one
 * click away); these are decoded beside them, one per line, `''` where a line cannot be decoded (an id the DBC does
 * not have, a register no SunSpec model covers).
 */

/** What decoding needs of a running bench: each bus's DBC and each endpoint's devices by unit id. */
export interface EvidenceSource {
  can: ReadonlyMap<string, { wire?: { db: Database } }>;
  modbus: ReadonlyMap<string, { units: ReadonlyMap<number, ModbusDevice> }>;
}

const FRAME_LINE = /^t=-?[\d.]+s (\S+) ([0-9A-F]{3}|[0-9A-F]{8})#([0-9A-F]*)$/i;

/** `t=8.000s pack1 351#1402...` lines (BenchInstance.recentFrames) decoded with their bus's DBC. */
export function decodeFrameLines(lines: readonly string[], src: EvidenceSource): string[] {
  return lines.map((line) => {
    const m = FRAME_LINE.exec(line);
    const db = m ? src.can.get(m[1]!)?.wire?.db : undefined;
    if (!m || !db) return '';
    try {
      const bytes = m[3]!.match(/../g)?.map((h) => parseInt(h, 16)) ?? [];
      const d = db.tryDecode(makeFrame(parseInt(m[2]!, 16), bytes, { extended: m[2]!.length === 8 }), { allowTruncated: true });
      return d ? formatDecoded(d) : '';
    } catch {
      return '';
    }
  });
}

const WRITE_LINE = /^t=-?[\d.]+s (\S+) unit (\d+) fc(?:6|16) @(\d+) = \[?([\d,]+)\]?/;

/**
 * `t=0.000s site unit 1 fc16 @40266 = [0,10000] (124.OutWRte, 124.InWRte) -> ok` lines (BenchInstance.recentWrites)
 * as `124.OutWRte = 0 % WChaMax, 124.InWRte = 100 % WChaMax`: every SunSpec point the write covers whole, scaled
 * with the model's scale factors as they stand when decoded (constant on the bench's inverters).
 */
export function decodeWriteLines(lines: readonly string[], src: EvidenceSource): string[] {
  // Decoding is for people: a line it cannot read is left undecoded, never an error of the run.
  return lines.map((line) => {
    try {
      return decodeWrite(line, src);
    } catch {
      return '';
    }
  });
}

function decodeWrite(line: string, src: EvidenceSource): string {
  const m = WRITE_LINE.exec(line);
  if (!m) return '';
  const dev = src.modbus.get(m[1]!)?.units.get(Number(m[2]));
  const start = Number(m[3]);
  const regs = m[4]!.split(',').map(Number);
  if (dev instanceof VendorMapDevice) return vendorWrite(dev, start, regs);
  if (!(dev instanceof SunSpecDevice)) return '';
  const parts: string[] = [];
  for (let a = start; a < start + regs.length; ) {
    const at = dev.pointAt(a);
    if (!at) {
      a++;
      continue;
    }
    const { model, point } = at;
    const first = at.start + point.offset;
    const next = first + point.size;
    if (first >= start && next <= start + regs.length) {
      const v = model.scaled(point, decodeRaw(point.type, regs, first - start, point.size));
      const sym = point.type.startsWith('enum') ? point.symbols?.find((s) => s.value === v)?.name : undefined;
      const shown = v === null ? 'not implemented' : typeof v === 'string' ? JSON.stringify(v) : `${v}${point.units?.trim() ? ` ${point.units.trim()}` : ''}${sym ? ` (${sym})` : ''}`;
      parts.push(`${model.layout.id}.${point.name} = ${shown}`);
    }
    a = Math.max(next, a + 1);
  }
  return parts.join(', ');
}

/**
 * A write to a vendor map unit: each holding entry it covers whole, as `name = value unit` (value = raw * scale +
 * offset, the map's own rule; a `scaleRegister` entry scales by 10^ the constant of that register, as the device
 * does, emulators/inverter/vendor-map-device.ts).
 */
function vendorWrite(dev: VendorMapDevice, start: number, regs: number[]): string {
  const parts: string[] = [];
  for (const r of dev.layout.registers) {
    if (r.table !== 'holding' || r.type === 'string' || r.address < start || r.address + r.words > start + regs.length) continue;
    const sf = r.scaleRegister !== undefined ? 10 ** Number(dev.layout.registers.find((x) => x.name === r.scaleRegister)?.constant ?? 0) : r.scale;
    const value = decodeVendorRaw(r, regs.slice(r.address - start, r.address - start + r.words)) * sf + r.offset;
    parts.push(`${r.name} = ${Number(value.toPrecision(10))}${r.unit ? ` ${r.unit}` : ''}`);
  }
  return parts.join(', ');
}
