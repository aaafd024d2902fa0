/**
 * Public frames of real implementations (small excerpts in captures/, each file citing its source) decoded with
 * our DBCs: every frame belongs to a message of the DBC (no unknown layout), carries at least the bytes its
 * signals need (or is a documented shorter variant), and every decoded value is plausible for a battery.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDbc, type Database } from '../../protocols/can/dbc';
import type { CanFrame } from '../../protocols/can/frame';
import { parseCandumpLine } from '../../protocols/can/trace/candump-format';

const DBC = join(__dirname, '..', '..', 'data', 'dbc');
const CAPTURES = join(__dirname, 'captures');

function readCapture(name: string): { frames: CanFrame[]; header: string } {
  const text = readFileSync(join(CAPTURES, name), 'utf8');
  const lines = text.split('\n');
  const frames: CanFrame[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const r = parseCandumpLine(line);
    if ('error' in r) throw new Error(`${name}:${i + 1}: ${r.error}`);
    frames.push(r.frame);
  });
  return { frames, header: lines.filter((l) => l.startsWith('#')).join('\n') };
}

/** Plausible physical ranges, by signal name (first match wins). */
const RANGES: ReadonlyArray<[RegExp, number, number]> = [
  [/^(ChargeVoltageLimit|DischargeVoltageLimit|ChargeCutoffVoltage|DischargeCutoffVoltage)$/, 10, 1000],
  [/^(BatteryVoltage|Voltage)$/, 10, 1000],
  [/CellVoltage$/, 2, 4.5],
  [/CurrentLimit$|^Max(Dis)?[Cc]hargeCurrent$/, 0, 3000],
  [/Current$/, -3000, 3000],
  [/Temperature$/, -40, 90],
  [/^(SOC|SOH|SOC_HiRes)$/, 0, 100],
  [/Id$/, 0, 1000],
  [/^PackCount$/, 1, 32],
  [/^Marker[PN]$/, 0, 0x7f],
  [/^NameChar\d$/, 0x20, 0x7e],
];

function checkPlausible(db: Database, frames: CanFrame[], where: string, allowShort: ReadonlyMap<number, number>): void {
  for (const f of frames) {
    const m = db.findMessage(f.id, f.extended);
    expect({ where, id: f.id.toString(16), known: m !== undefined }).toEqual({ where, id: f.id.toString(16), known: true });
    const short = allowShort.get(f.id);
    if (f.data.length < m!.length) expect({ id: f.id.toString(16), length: f.data.length }).toEqual({ id: f.id.toString(16), length: short });
    const d = db.decode(f, { allowTruncated: short !== undefined });
    for (const [name, value] of Object.entries(d.signals)) {
      const range = RANGES.find(([re]) => re.test(name));
      if (!range) continue;
      const ok = value >= range[1] && value <= range[2];
      expect({ where, signal: `${m!.name}.${name}`, value, ok }).toEqual({ where, signal: `${m!.name}.${name}`, value, ok: true });
    }
  }
}

describe('public captures decode with our DBCs', () => {
  const pylonLv = loadDbc(join(DBC, 'pylon-lv.dbc'));
  const pylonHv = loadDbc(join(DBC, 'pylon-hv.dbc'));

  it('every capture file cites its source (repository, file, commit)', () => {
    for (const name of ['pylon-lv-jk-bridge.log', 'pylon-lv-protocol-samples.log', 'pylon-hv-battery-emulator.log']) {
      const { header, frames } = readCapture(name);
      expect(header).toMatch(/Source: [\w.-]+\/[\w.-]+ \S+/);
      expect(header).toMatch(/commit\s+(# )?[0-9a-f]{40}/);
      expect(frames.length).toBeGreaterThan(0);
      expect(frames.length).toBeLessThanOrEqual(20); // excerpts only
    }
  });

  it('a JK-BMS to Pylontech bridge: values read as the log says (55.2 V, 100 A, 79 %, 52.19 V, -92.6 A, 39.0 degC)', () => {
    const { frames } = readCapture('pylon-lv-jk-bridge.log');
    checkPlausible(pylonLv, frames, 'jk-bridge', new Map());
    const d = new Map(frames.map((f) => [f.id, pylonLv.decode(f).signals]));
    expect(d.get(0x351)).toMatchObject({ ChargeVoltageLimit: 55.2, ChargeCurrentLimit: 100, DischargeCurrentLimit: 100, DischargeVoltageLimit: 41.6 });
    expect(d.get(0x355)).toMatchObject({ SOC: 79, SOH: 100 });
    expect(d.get(0x356)!.BatteryVoltage).toBeCloseTo(52.19, 5);
    expect(d.get(0x356)!.BatteryCurrent).toBeCloseTo(-92.6, 5);
    expect(d.get(0x356)!.BatteryTemperature).toBeCloseTo(39, 5);
    expect(d.get(0x359)).toMatchObject({ PackCount: 3, ProtectionSystemError: 0 });
    expect(d.get(0x35c)).toMatchObject({ ChargeEnable: 1, DischargeEnable: 1 });
  });

  it('the Pylontech protocol samples: 4-byte 0x355, the 7-byte 0x359 of some firmware, PYLON name', () => {
    const { frames } = readCapture('pylon-lv-protocol-samples.log');
    checkPlausible(pylonLv, frames, 'samples', new Map([[0x359, 7]]));
    const d = new Map(frames.map((f) => [f.id, pylonLv.decode(f, { allowTruncated: true }).signals]));
    expect(d.get(0x355)).toMatchObject({ SOC: 26, SOH: 100 });
    expect(d.get(0x359)).toMatchObject({ PackCount: 10, MarkerP: 0x50, MarkerN: 0x4e });
  });

  it('Battery-Emulator Pylon HV frames: plausible except the discharge limit, which is the positive-offset variant', () => {
    const { frames } = readCapture('pylon-hv-battery-emulator.log');
    const limits = frames.find((f) => f.id === 0x4220)!;
    checkPlausible(
      pylonHv,
      frames.filter((f) => f !== limits),
      'battery-emulator',
      new Map(),
    );
    const d = pylonHv.decode(limits).signals;
    expect(d).toMatchObject({ ChargeCutoffVoltage: 270, DischargeCutoffVoltage: 202.5 });
    expect(d.MaxChargeCurrent).toBeCloseTo(105, 5);
    // The default (negative) convention reads -105 A: impossible for a limit, so this stack speaks the
    // pylon-discharge-positive variant (raw x 0.1 - 3000 = +105 A).
    expect(d.MaxDischargeCurrent).toBeCloseTo(-105, 5);
    expect(new DataView(limits.data.buffer, limits.data.byteOffset).getUint16(6, true) / 10 - 3000).toBeCloseTo(105, 5);
    const status = pylonHv.decode(frames.find((f) => f.id === 0x4210)!).signals;
    expect(status).toMatchObject({ Voltage: 246.9, SOC: 46, SOH: 100 });
    expect(status.Current).toBeCloseTo(0, 5);
    expect(status.Temperature).toBeCloseTo(18.1, 5);
  });
});
