import { readdirSync } from 'node:fs';
import { packagePath } from '../../core/package-root';
import { loadDbc, type Database } from '../../protocols/can/dbc';
import { bundledModelsDir, loadModelDef } from '../../protocols/modbus/sunspec';

/**
 * Units and resolutions of the signals scenarios read, for plot axes and rounded values in reports. A signal name is
 * `<device>.<name>`; the device part is whatever the bench calls it, so the table is keyed by what follows it:
 *
 * - BMS signals (emulators/bms/factory.ts, `BmsBenchDevice`): resolution is what the battery CAN carries to the
 *   controller, the factors of the LV CAN messages (data/dbc/pylon-lv.dbc: 0x351 limits 0.1 A / 0.1 V, 0x355 SOC and
 *   SOH 1 %, 0x356 voltage 0.01 V, current 0.1 A, temperature 0.1 degC) and 1 mV for cell voltages (0x373).
 * - inverter quantities and controls (emulators/inverter/quantities.ts), by their names.
 * - SunSpec points (`WMaxLimPct`, `124.InWRte`): the units of the official model definitions bundled in
 *   protocols/modbus/sunspec/models; the resolution depends on the device's scale factor, so it is left open.
 * - bench signals: `modbus.<endpoint>.writes|illegalWrites|rejectedWrites|requests` (counts), `can.<bus>.<Message>.count`
 *   (frames), `.age` (s), `.<Signal>`: unit and factor of the first bundled DBC (data/dbc) with that message and
 *   signal (a bench's own `dbc:` file is not known to a report).
 *
 * A name the table does not know gets `undefined`: the report then says "unit not known" rather than guess.
 */
export interface SignalUnit {
  /** Unit as printed on an axis (`A`, `V`, `degC`, `%`, `W`, `% WMax`); `''` for a dimensionless figure. */
  unit: string;
  /** Smallest step the value is known to: values are shown rounded to it. Absent: about four significant digits. */
  resolution?: number;
  /** A true/false signal (plotted 0/1, shown false/true). */
  boolean?: true;
}

const FLAG: SignalUnit = { unit: '', boolean: true };
const u = (unit: string, resolution?: number): SignalUnit => ({ unit, ...(resolution !== undefined ? { resolution } : {}) });

const BMS: Record<string, SignalUnit> = {
  soc: u('%', 1),
  soh: u('%', 1),
  voltage: u('V', 0.01),
  current: u('A', 0.1),
  'temperature.max': u('degC', 0.1),
  'temperature.min': u('degC', 0.1),
  'temperature.avg': u('degC', 0.1),
  'cell.voltage.max': u('V', 0.001),
  'cell.voltage.min': u('V', 0.001),
  chargeCurrentLimit: u('A', 0.1),
  dischargeCurrentLimit: u('A', 0.1),
  chargeVoltageLimit: u('V', 0.1),
  dischargeVoltageLimit: u('V', 0.1),
  contactorClosed: FLAG,
  chargeEnable: FLAG,
  dischargeEnable: FLAG,
  heartbeatLost: FLAG,
  commsLost: FLAG,
  insulationKOhm: u('kOhm', 1),
  balancingCells: u('cells', 1),
  remainingAh: u('Ah', 0.1),
  fullChargeAh: u('Ah', 0.1),
  energyInWh: u('Wh', 1),
  energyOutWh: u('Wh', 1),
  cycles: u('cycles', 1),
  'pack.soc': u('%', 0.1),
  'pack.voltage': u('V', 0.01),
  'pack.temperature.max': u('degC', 0.1),
  'pack.temperature.min': u('degC', 0.1),
  framesSent: u('frames', 1),
  sendErrors: u('errors', 1),
  malformedIgnored: u('frames', 1),
  heartbeats: u('frames', 1),
  requestsAnswered: u('requests', 1),
  silencedByCommsLoss: u('frames', 1),
  commandsApplied: u('commands', 1),
};

const INVERTER: Record<string, SignalUnit> = {
  irradiance: u('W/m²', 1),
  'site.load': u('W', 1),
  'ac.reactive_power': u('var', 1),
  'ac.apparent_power': u('VA', 1),
  'rating.apparent_power': u('VA', 1),
  'ac.power_factor': u('', 0.001),
  'ac.frequency': u('Hz', 0.01),
  'ac.phases': u('phases', 1),
  'battery.soc': u('%', 0.1),
  'battery.charge_limit_a': u('A', 0.1),
  'battery.discharge_limit_a': u('A', 0.1),
  'battery.capacity_reference': u('W', 1),
  'state.sunspec': u('code', 1),
  'state.events': u('bits', 1),
  'state.vendor_events': u('bits', 1),
  'identity.serial_number': u('', 1),
  limit_pct: u('%', 0.01),
  limit_enabled: FLAG,
  limit_w: u('W', 1),
  connect: FLAG,
  power_factor: u('', 0.001),
  max_power: u('W', 1),
  ramp_rate_pct: u('%/s', 0.01),
  storage_mode: u('code', 1),
  charge_pct: u('%', 0.01),
  discharge_pct: u('%', 0.01),
  min_reserve_pct: u('%', 0.01),
  grid_charging: FLAG,
};

/** Inverter quantities by the shape of their names (`pv2.power`, `site.export_power_phase`, `ac.energy_exported`). */
const INVERTER_PATTERNS: Array<[RegExp, SignalUnit]> = [
  [/^(pv\.generating|battery\.(charging|discharging)|site\.(load_positive|exporting|importing)|ac\.connected)$/, FLAG],
  [/energy/, u('Wh', 1)],
  [/power/, u('W', 1)],
  [/voltage/, u('V', 0.1)],
  [/current/, u('A', 0.1)],
  [/^temperature\./, u('degC', 0.1)],
];

let sunspecUnits: Map<string, string> | undefined;

/** Point name (and `<model>.<point>`) -> units, from the bundled SunSpec models, first model in id order wins. */
function sunspec(): Map<string, string> {
  if (sunspecUnits) return sunspecUnits;
  sunspecUnits = new Map();
  const ids = readdirSync(bundledModelsDir())
    .map((f) => /^model_(\d+)\.json$/.exec(f)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  for (const id of ids) {
    const walk = (points: ReadonlyArray<{ name: string; units?: string; type?: string }>): void => {
      for (const p of points) {
        if (p.type === 'sunssf') continue;
        const unit = (p.units ?? '').trim();
        sunspecUnits!.set(`${id}.${p.name}`, unit);
        if (!sunspecUnits!.has(p.name)) sunspecUnits!.set(p.name, unit);
      }
    };
    const def = loadModelDef(id);
    walk(def.group.points);
    for (const g of def.group.groups ?? []) walk(g.points);
  }
  return sunspecUnits;
}

let dbcs: Database[] | undefined;

/** `can.<bus>.<Message>.<Signal|count|age>`. */
function wireUnit(rest: string): SignalUnit | undefined {
  const parts = rest.split('.');
  if (parts.length !== 3) return undefined;
  const [, message, what] = parts as [string, string, string];
  if (what === 'count') return u('frames', 1);
  if (what === 'age') return u('s', 0.001);
  dbcs ??= readdirSync(packagePath('data', 'dbc'))
    .filter((f) => f.endsWith('.dbc'))
    .sort()
    .map((f) => loadDbc(packagePath('data', 'dbc', f)));
  for (const db of dbcs) {
    const sig = db.findMessage(message)?.getSignal(what);
    if (sig) return sig.length === 1 && sig.factor === 1 ? FLAG : u(sig.unit, Math.abs(sig.factor));
  }
  return undefined;
}

/** The unit and resolution of a signal (`pack2.current`, `inv1.WMaxLimPct`, `inv1.124.InWRte`), or undefined. */
export function signalUnit(signal: string): SignalUnit | undefined {
  if (signal === 't') return u('s', 0.001);
  if (signal.startsWith('modbus.')) return /\.(writes|illegalWrites|rejectedWrites)$/.test(signal) ? u('writes', 1) : /\.requests$/.test(signal) ? u('requests', 1) : undefined;
  if (signal.startsWith('can.')) return wireUnit(signal.slice(4));
  const dot = signal.indexOf('.');
  if (dot < 0) return undefined;
  const name = signal.slice(dot + 1);
  if (/^(alarm|warning|latched)\./.test(name)) return FLAG;
  const known = BMS[name] ?? INVERTER[name];
  if (known) return known;
  const s = sunspec().get(name);
  if (s !== undefined) return u(s);
  for (const [re, unit] of INVERTER_PATTERNS) if (re.test(name)) return unit;
  return undefined;
}

/** Digits after the point for a resolution (0.1 -> 1, 0.01 -> 2, 5 -> 0). */
export function decimalsOf(resolution: number): number {
  if (!(resolution > 0) || resolution >= 1) return 0;
  return Math.min(9, Math.max(0, Math.ceil(-Math.log10(resolution) - 1e-9)));
}

/** A value as a reviewer reads it: rounded to the resolution (else about four significant digits), with its unit. */
export function formatValue(v: number | boolean | undefined, unit: SignalUnit | undefined): string {
  if (v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '(no value)';
  if (typeof v === 'boolean' || unit?.boolean) return (typeof v === 'boolean' ? v : v !== 0) ? 'true' : 'false';
  const text = unit?.resolution !== undefined ? roundTo(v, unit.resolution).toFixed(decimalsOf(unit.resolution)) : significant(v);
  return unit?.unit ? `${text} ${unit.unit}` : text;
}

/** `v` rounded to a multiple of `resolution`. */
export function roundTo(v: number, resolution: number): number {
  const d = decimalsOf(resolution);
  return Number((Math.round(v / resolution) * resolution).toFixed(d));
}

function significant(v: number): string {
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a >= 1000 ? v.toFixed(0) : String(Number(v.toPrecision(4)));
}
