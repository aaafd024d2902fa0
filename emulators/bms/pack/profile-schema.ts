import { readFileSync } from 'node:fs';
import { compileSchemaCached } from '../../../core/schema-cache';
import type { ValidateFunction } from 'ajv';
import { schemaIssues } from '../../../core/schema-errors';
import { ConfigError } from '../../../core/errors';
import type { LevelThresholds, PackProfile } from './profile-types';

const num = { type: 'number' } as const;
const pos = { type: 'number', exclusiveMinimum: 0 } as const;
const nonNeg = { type: 'number', minimum: 0 } as const;
const frac = { type: 'number', minimum: 0, maximum: 1 } as const;
const int1 = { type: 'integer', minimum: 1 } as const;
const levels = {
  type: 'object',
  additionalProperties: false,
  required: ['warn', 'warnClear', 'alarm', 'alarmClear'],
  properties: { warn: num, warnClear: num, alarm: num, alarmClear: num },
} as const;
const curve = {
  type: 'array',
  minItems: 1,
  items: { type: 'array', minItems: 2, maxItems: 2, items: num },
} as const;
function obj(properties: Record<string, unknown>, optional: string[] = []): Record<string, unknown> {
  return {
    type: 'object',
    additionalProperties: false,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    properties,
  };
}

/** JSON Schema of a pack profile (draft-07, checked with ajv). Semantic checks follow in `checkSemantics`. */
export const packProfileSchema = obj(
  {
    $schema: { type: 'string' },
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
    name: { type: 'string', minLength: 1 },
    chemistry: { enum: ['LMO', 'NMC', 'NCA', 'LFP'] },
    description: { type: 'string' },
    topology: obj({ series: int1, parallel: int1, seriesPerModule: int1 }),
    cell: obj({
      capacityAh: pos,
      ocv: obj({ soc: { type: 'array', items: frac, minItems: 2 }, volts: { type: 'array', items: pos, minItems: 2 } }),
      r0Ohm: pos,
      rc: { type: 'array', minItems: 1, maxItems: 2, items: obj({ rOhm: pos, tauS: pos }) },
      activationEnergyJPerMol: nonNeg,
      referenceTempC: num,
      massKg: pos,
      specificHeatJPerKgK: pos,
      selfDischargePerDay: { type: 'number', minimum: 0, maximum: 0.1 },
      coulombicEfficiencyCharge: { type: 'number', exclusiveMinimum: 0.5, maximum: 1 },
      coulombicEfficiencyDischarge: { type: 'number', exclusiveMinimum: 0.5, maximum: 1 },
      activationEnergyAboveRefJPerMol: nonNeg,
    }, ['activationEnergyAboveRefJPerMol']),
    thermal: obj({ hAPerCellWPerK: pos, moduleExtraHeatCapacityJPerK: nonNeg, ambientC: num }),
    spread: obj({
      capacitySigma: { type: 'number', minimum: 0, maximum: 0.3 },
      resistanceSigma: { type: 'number', minimum: 0, maximum: 0.5 },
      selfDischargeSigma: { type: 'number', minimum: 0, maximum: 1 },
      weakCells: { type: 'integer', minimum: 0 },
      weakCapacityFactor: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
      weakResistanceFactor: { type: 'number', minimum: 1 },
      weakSelfDischargeFactor: { type: 'number', minimum: 1 },
      weakAgingFactor: { type: 'number', minimum: 1 },
      socSigma: { type: 'number', minimum: 0, maximum: 0.2 },
    }),
    aging: obj({
      model: { enum: ['lmo-gr-nissan-leaf-2nd-life', 'nmc111-gr-sanyo-2ah', 'lfp-gr-250ah-prismatic'] },
      soh: { type: 'number', exclusiveMinimum: 0, maximum: 1.1 },
      resistanceFactor: { type: 'number', minimum: 0.5 },
      resistanceGainPerCapacityLoss: nonNeg,
      cycleFade: obj({ loss: { type: 'number', exclusiveMinimum: 0, maximum: 1 }, efc: pos, exponent: { type: 'number', exclusiveMinimum: 0, maximum: 2 } }),
    }, ['cycleFade']),
    bms: obj({
      cellVoltageHigh: levels,
      cellVoltageLow: levels,
      cellTempHigh: levels,
      cellTempLow: levels,
      chargeCurrentHigh: levels,
      dischargeCurrentHigh: levels,
      alarmDelayS: nonNeg,
      maxChargeA: nonNeg,
      maxDischargeA: nonNeg,
      chargeVoltagePerCell: pos,
      dischargeVoltagePerCell: pos,
      derating: obj({
        chargeVsTemp: curve,
        dischargeVsTemp: curve,
        chargeVsMaxCellV: curve,
        dischargeVsMinCellV: curve,
        chargeVsSoc: curve,
        dischargeVsSoc: curve,
      }),
      maxCellDeviationV: pos,
      maxTempSpreadK: pos,
      insulation: obj({ warnKOhm: pos, alarmKOhm: pos }),
      balancing: obj({ thresholdV: pos, minCellV: pos, bleedOhm: pos, notWhileDischarging: { type: 'boolean' }, periodS: pos }),
      contactor: obj({ prechargeS: nonNeg }),
      heartbeat: obj({ timeoutS: pos, reaction: { enum: ['open-contactors', 'zero-limits', 'none'] } }),
    }),
    sources: { type: 'object', additionalProperties: { type: 'string', minLength: 3 } },
  },
  ['$schema', 'description'],
);

let validator: ValidateFunction | undefined;


/**
 * Validate a parsed profile object. Throws `ConfigError` listing every problem with its dotted path, prefixed by
 * `origin` (a file name). Checks the schema, then meaning (ordering of thresholds, curves, topology), then that
 * every number has a `sources` entry for its path or a parent path.
 */
export function parsePackProfile(value: unknown, origin = 'pack profile'): PackProfile {
  // Our own fixed schema: no draft-07 meta-schema pass, compiled once across runs (core/schema-cache, issue 19).
  validator ??= compileSchemaCached(packProfileSchema, { allErrors: true, verbose: true, strict: true, strictTuples: false, validateSchema: false });
  if (!validator(value)) {
    const lines = schemaIssues(validator.errors ?? [], { subject: 'dotted', noun: 'property' }).map((i) => i.message);
    throw new ConfigError(`invalid pack profile:\n  ${lines.join('\n  ')}`, origin);
  }
  const p = value as PackProfile;
  const problems = [...checkSemantics(p), ...checkSources(p)];
  if (problems.length > 0) throw new ConfigError(`invalid pack profile:\n  ${problems.join('\n  ')}`, origin);
  return p;
}

/** Read and validate a JSON profile file. Throws `ConfigError` (with the file name) on any problem. */
export function loadPackProfile(path: string): PackProfile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read pack profile: ${(err as Error).message}`, path);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`not valid JSON: ${(err as Error).message}`, path);
  }
  return parsePackProfile(value, path);
}

function checkLevels(path: string, t: LevelThresholds, high: boolean): string[] {
  const out: string[] = [];
  const ok = (a: number, b: number): boolean => (high ? a < b : a > b);
  const word = high ? 'below' : 'above';
  if (!ok(t.warnClear, t.warn)) out.push(`${path}.warnClear (${t.warnClear}) must be ${word} warn (${t.warn})`);
  if (!ok(t.alarmClear, t.alarm)) out.push(`${path}.alarmClear (${t.alarmClear}) must be ${word} alarm (${t.alarm})`);
  if (!ok(t.warn, t.alarm) && t.warn !== t.alarm) out.push(`${path}.warn (${t.warn}) must be ${word} alarm (${t.alarm})`);
  return out;
}

function checkSemantics(p: PackProfile): string[] {
  const out: string[] = [];
  if (p.topology.series % p.topology.seriesPerModule !== 0) {
    out.push(`topology.seriesPerModule (${p.topology.seriesPerModule}) must divide topology.series (${p.topology.series})`);
  }
  if (p.cell.ocv.soc.length !== p.cell.ocv.volts.length) {
    out.push(`cell.ocv: ${p.cell.ocv.soc.length} soc values but ${p.cell.ocv.volts.length} volts`);
  }
  for (let i = 1; i < p.cell.ocv.soc.length; i++) {
    if (!(p.cell.ocv.soc[i]! > p.cell.ocv.soc[i - 1]!)) out.push(`cell.ocv.soc must increase (index ${i})`);
  }
  if (p.spread.weakCells > p.topology.series * p.topology.parallel) out.push('spread.weakCells exceeds the cell count');
  const b = p.bms;
  out.push(...checkLevels('bms.cellVoltageHigh', b.cellVoltageHigh, true));
  out.push(...checkLevels('bms.cellVoltageLow', b.cellVoltageLow, false));
  out.push(...checkLevels('bms.cellTempHigh', b.cellTempHigh, true));
  out.push(...checkLevels('bms.cellTempLow', b.cellTempLow, false));
  out.push(...checkLevels('bms.chargeCurrentHigh', b.chargeCurrentHigh, true));
  out.push(...checkLevels('bms.dischargeCurrentHigh', b.dischargeCurrentHigh, true));
  if (!(b.dischargeVoltagePerCell < b.chargeVoltagePerCell)) out.push('bms.dischargeVoltagePerCell must be below chargeVoltagePerCell');
  if (!(b.insulation.alarmKOhm < b.insulation.warnKOhm)) out.push('bms.insulation.alarmKOhm must be below warnKOhm');
  for (const [name, pts] of Object.entries(b.derating)) {
    for (let i = 0; i < pts.length; i++) {
      const [x, f] = pts[i]!;
      if (!(f >= 0 && f <= 1)) out.push(`bms.derating.${name}[${i}]: fraction ${f} is outside 0..1`);
      if (i > 0 && !(x > pts[i - 1]![0])) out.push(`bms.derating.${name}[${i}]: x must increase`);
    }
  }
  return out;
}

function numericPaths(v: unknown, path: string, out: string[]): void {
  if (typeof v === 'number') out.push(path);
  else if (Array.isArray(v)) v.forEach((x, i) => numericPaths(x, `${path}.${i}`, out));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) if (k !== 'sources') numericPaths(x, path ? `${path}.${k}` : k, out);
  }
}

function checkSources(p: PackProfile): string[] {
  const paths: string[] = [];
  numericPaths(p, '', paths);
  const keys = Object.keys(p.sources);
  const missing = paths.filter((path) => !keys.some((k) => path === k || path.startsWith(`${k}.`)));
  return missing.map((m) => `${m}: no entry in 'sources' for this number (add "${m}" or a parent path)`);
}
