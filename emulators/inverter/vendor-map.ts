/**
 * Declarative vendor register maps (YAML or JSON, since JSON is YAML): for brands that do not speak SunSpec, one file
 * says which register holds which model quantity, which register holds which setting, and how the settings drive the
 * model (behaviour bindings, vendor-behaviour.ts). Files are checked against `VENDOR_MAP_SCHEMA` (ajv) and then for
 * meaning (known quantities, controls, enum values and settings; no overlaps; addresses in range); every problem is
 * reported with `file:line:column` from the `yaml` parser's positions. data/inverters/README.md documents the
 * format.
 */
import { readFileSync } from 'node:fs';
import { compileSchemaCached } from '../../core/schema-cache';
import type { ValidateFunction } from 'ajv';
import { pointerSegments, schemaIssues } from '../../core/schema-errors';
import { LineCounter, isMap, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import { ConfigError } from '../../core/errors';
import { CONTROLS, ENUM_QUANTITIES, QUANTITIES, TEXT_QUANTITIES } from './quantities';
import { VENDOR_MAP_SCHEMA } from './vendor-map-schema';
import type { VendorSunSpec } from './vendor-sunspec';

export type VendorRegisterType = 'uint16' | 'int16' | 'uint32' | 'int32' | 'uint64' | 'float32' | 'string';

export interface VendorRegister {
  /** 0-based wire address (the file's number minus `addressBase`). */
  address: number;
  table: 'holding' | 'input';
  name: string;
  type: VendorRegisterType;
  /** Registers the entry spans. */
  words: number;
  wordOrder: 'big' | 'little';
  /** value = raw * scale (a negative scale flips the sign). */
  scale: number;
  /** value = raw * 10^(this register's value), instead of `scale`. */
  scaleRegister?: string;
  /** value = raw * scale + offset (default 0). */
  offset: number;
  unit?: string;
  access: 'R' | 'RW';
  mirrors?: string;
  constant?: number | string;
  drives?: string;
  /** RW without `drives`: the setting it holds (default its name), read by the behaviour. */
  setting?: string;
  initial?: number;
  enum?: string;
  default?: number;
  bits?: Record<number, string>;
  min?: number;
  max?: number;
  source?: string;
  /** Where the entry is in its file (`file:line:column`). */
  location: string;
}

/** One unit id layout (maps without `units` have one layout for all their unit ids). */
export interface VendorLayout {
  unitIds: number[];
  name?: string;
  registers: VendorRegister[];
}

export interface VendorLimits {
  /** Most registers one read may ask for (default 125, the protocol's). */
  maxReadRegisters: number;
  maxWriteRegisters: number;
  /** Exception answered for a request over the limits (default 3, illegal data value). */
  overLimitException: 2 | 3 | 4;
  /** Unit ids the device answers on (default: the layouts' ids, else [1]). */
  unitIds: number[];
  /** Seconds after connecting during which the device does not answer (0: none). */
  connectDelayS: number;
}

/** A flag: on when the setting equals `on`, or with `mask` when (value & mask) != 0. */
export interface FlagBinding {
  setting: string;
  on: number;
  mask?: number;
}

/** A time-of-use programme; slot starts are settings in `timeFormat`. */
export interface TouBinding {
  enable: FlagBinding;
  timeFormat: 'hhmm' | 'minutes';
  chargePower?: { setting: string; unit: 'W' | 'A' | 'pct' };
  slots: Array<{ start: string; power: string; soc: string; gridCharge?: FlagBinding }>;
}

/** A time of day: one setting (in the binding's `timeFormat`) or an hour and a minute setting. */
export type TimeRef = { setting: string } | { hour: string; minute: string };

/**
 * Time-of-use periods with a start and an end (Huawei LUNA2000 TOU, Sungrow forced charging periods): a charge
 * period charges (from the grid where allowed) up to its target SOC, a discharge period is self-consumption; outside
 * every period the battery runs in self-consumption (`auto`) or does not discharge (`no-discharge`).
 */
export interface PeriodsBinding {
  enable: FlagBinding;
  /** Only the first N periods apply (Huawei's period count register). */
  count?: string;
  timeFormat: 'hhmm' | 'minutes';
  outside: 'auto' | 'no-discharge';
  /** Charge power in a charge period (default: the battery reference power, 124 WChaMax). */
  chargePower?: { setting: string; unit: 'W' | 'A' | 'pct' };
  /** Target SOC of charge periods without their own `soc`. */
  chargeSoc?: string;
  /** Grid charging allowed in charge periods (default: yes). Without it a charge period only stops discharge. */
  gridCharge?: FlagBinding;
  list: Array<{
    start: TimeRef;
    end: TimeRef;
    /** A fixed action, or a flag that says discharge when on (else charge). */
    action: 'charge' | 'discharge' | FlagBinding;
    soc?: string;
    /** Weekday bits Sunday..Saturday from `firstBit` of `setting & mask`. */
    days?: { setting: string; mask: number; firstBit: number };
  }>;
}

export interface LimitBinding {
  setting: string;
  unit: 'W' | 'A' | 'pct';
  none?: number;
  enable?: FlagBinding;
}

export interface VendorBehaviour {
  rampS: number;
  mode?: { setting: string; map: Map<number, 'auto' | 'command' | 'setpoint'> };
  command?: {
    setting: string;
    charge?: number;
    discharge?: number;
    stop?: number;
    chargePower?: string;
    dischargePower?: string;
    unit: 'W' | 'pct';
  };
  setpoint?: { settings: string[]; positive: 'import' | 'charge' };
  /** The lowest enabled one applies. */
  exportLimit?: LimitBinding[];
  chargeLimit?: LimitBinding;
  dischargeLimit?: LimitBinding;
  disableCharge?: FlagBinding;
  disableFeedIn?: FlagBinding;
  gridCharge?: FlagBinding;
  minSoc?: { setting: string };
  timeout?: { seconds?: number; setting?: string; unit: 's' | 'min'; watch: string[]; revert: Map<string, number> };
  tou?: TouBinding;
  periods?: PeriodsBinding;
}

export interface VendorMap {
  name: string;
  vendor?: string;
  model?: string;
  description?: string;
  sources: string[];
  addressBase: 0 | 1;
  documentBase?: 0 | 1;
  /** Default word order of 32-bit values (big: most significant word first). */
  wordOrder: 'big' | 'little';
  /** Reading an address no entry covers: exception 2 (default) or zeros. */
  gaps: 'exception' | 'zero';
  /** shared: FC3 and FC4 read one register space (every entry is in `holding`); separate: two tables. */
  tables: 'separate' | 'shared';
  limits: VendorLimits;
  enums: Record<string, Record<string, number>>;
  layouts: VendorLayout[];
  /** Every register of every layout (for look-ups by name). */
  registers: VendorRegister[];
  /** Settings by name: the register that declares them first (initial value, scale, enum). */
  settings: Map<string, VendorRegister>;
  behaviour?: VendorBehaviour;
  /** A SunSpec chain served beside the registers on the same unit ids (Fronius GEN24; vendor-sunspec.ts). */
  sunspec?: VendorSunSpec;
  file: string;
}

export const REGISTER_WORDS: Record<Exclude<VendorRegisterType, 'string'>, number> = { uint16: 1, int16: 1, uint32: 2, int32: 2, uint64: 4, float32: 2 };

const TYPE_RANGE: Record<Exclude<VendorRegisterType, 'string' | 'float32'>, [number, number]> = {
  uint64: [0, Number.MAX_SAFE_INTEGER],
  uint16: [0, 0xffff],
  int16: [-0x8000, 0x7fff],
  uint32: [0, 0xffffffff],
  int32: [-0x80000000, 0x7fffffff],
};

// Compiled on first use (a bench with a vendor map), not at start-up: each Ajv compile costs tens of ms.
let validator: ValidateFunction | undefined;
// validateSchema false: this is our own fixed schema, so no draft-07 meta-schema compile at every start (issue 19).
const schemaCheck = (): ValidateFunction => (validator ??= compileSchemaCached(VENDOR_MAP_SCHEMA, { allErrors: true, verbose: true, strict: false, validateSchema: false }));

type Path = Array<string | number>;

function locate(doc: Document, lc: LineCounter, file: string, path: Path, key?: string): string {
  let node = doc.getIn(path, true) as Node | undefined;
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === key);
    if (pair?.key) node = pair.key as Node;
  }
  // Walk up to the nearest node that exists.
  for (let p = path.slice(); !node?.range && p.length > 0; ) {
    p.pop();
    node = doc.getIn(p, true) as Node | undefined;
  }
  const at = node?.range ? lc.linePos(node.range[0]) : { line: 1, col: 1 };
  return `${file}:${at.line}:${at.col}`;
}


type Raw = Record<string, unknown>;
interface Problem {
  where: string;
  message: string;
}

/** Checks of meaning, after the schema passed; collects problems instead of stopping at the first. */
class MeaningCheck {
  readonly problems: Problem[] = [];
  constructor(
    private readonly at: (path: Path, key?: string) => string,
    private readonly raw: Raw,
  ) {}

  add(path: Path, message: string, key?: string): void {
    this.problems.push({ where: this.at(path, key), message });
  }

  get enums(): Record<string, Record<string, number>> {
    return (this.raw.enums as Record<string, Record<string, number>> | undefined) ?? {};
  }

  register(r: Raw, path: Path): void {
    const at = (msg: string, key?: string) => this.add(key ? [...path, key] : path, msg);
    const name = String(r.name);
    const type = r.type as VendorRegisterType;
    if (type === 'string') {
      if (r.length === undefined) at(`register '${name}' is a string: give its length in registers`);
      if (r.mirrors !== undefined && !(String(r.mirrors) in TEXT_QUANTITIES)) at(`unknown text quantity '${String(r.mirrors)}' (known: ${Object.keys(TEXT_QUANTITIES).join(', ')})`, 'mirrors');
      if (r.constant !== undefined && typeof r.constant !== 'string') at(`register '${name}' is a string: its constant must be text`, 'constant');
      if (r.access === 'RW') at(`register '${name}': string registers are read-only`, 'access');
      if (typeof r.constant === 'string' && typeof r.length === 'number' && r.constant.length > r.length * 2) at(`constant '${r.constant}' does not fit in ${r.length} registers`, 'constant');
    } else {
      if (r.length !== undefined) at(`register '${name}': length is for strings only`, 'length');
      if (typeof r.constant === 'string') at(`register '${name}' is ${type}: its constant must be a number`, 'constant');
    }
    if (r.access === 'R') {
      if (r.drives !== undefined) at(`register '${name}' is read-only (access R) but has 'drives'; make it RW or remove drives`, 'drives');
      if (r.initial !== undefined || r.setting !== undefined) at(`register '${name}' is read-only (access R): 'initial'/'setting' are for RW settings`, r.initial !== undefined ? 'initial' : 'setting');
      const sources = [r.mirrors, r.constant, r.bits].filter((x) => x !== undefined).length;
      if (sources !== 1) at(`register '${name}' needs exactly one of 'mirrors', 'constant' or 'bits'`);
    } else if (r.access === 'RW') {
      if (r.drives === undefined && r.initial === undefined) at(`register '${name}' is writable (access RW) but has neither 'drives' (a model control) nor 'initial' (a setting the behaviour reads)`);
      if (r.drives !== undefined && (r.initial !== undefined || r.setting !== undefined)) at(`register '${name}' drives a control: remove 'initial'/'setting'`, r.initial !== undefined ? 'initial' : 'setting');
      if (r.mirrors !== undefined || r.constant !== undefined || r.bits !== undefined) {
        at(`register '${name}' is RW: it reads back its control or setting; remove 'mirrors'/'constant'/'bits'`, r.mirrors !== undefined ? 'mirrors' : r.constant !== undefined ? 'constant' : 'bits');
      }
    }
    if (typeof r.mirrors === 'string' && type !== 'string' && !(r.mirrors in QUANTITIES) && !(r.mirrors in ENUM_QUANTITIES)) {
      at(`unknown quantity '${r.mirrors}' (known: ${[...Object.keys(QUANTITIES), ...Object.keys(ENUM_QUANTITIES)].join(', ')})`, 'mirrors');
    }
    if (typeof r.mirrors === 'string' && r.mirrors in ENUM_QUANTITIES) {
      if (r.enum === undefined) at(`quantity '${r.mirrors}' is an enumeration (${ENUM_QUANTITIES[r.mirrors]!.symbols.join(', ')}): give an 'enum' table for it`, 'mirrors');
      else {
        const table = this.enums[String(r.enum)];
        const unknown = Object.keys(table ?? {}).filter((s) => !ENUM_QUANTITIES[r.mirrors as string]!.symbols.includes(s));
        if (table && unknown.length > 0) at(`enum '${String(r.enum)}' has symbols quantity '${r.mirrors}' never takes: ${unknown.join(', ')} (it takes ${ENUM_QUANTITIES[r.mirrors]!.symbols.join(', ')})`, 'enum');
      }
    }
    if (r.bits !== undefined) {
      for (const [bit, q] of Object.entries(r.bits as Record<string, string>)) {
        if (!(q in QUANTITIES)) at(`bit ${bit}: unknown quantity '${q}'`, 'bits');
        const words = type === 'string' || type === 'float32' ? 0 : REGISTER_WORDS[type];
        if (Number(bit) >= words * 16) at(`bit ${bit} does not fit in ${type}`, 'bits');
      }
    }
    if (typeof r.drives === 'string' && !(r.drives in CONTROLS)) at(`unknown control '${r.drives}' (known: ${Object.keys(CONTROLS).join(', ')})`, 'drives');
    if (r.enum !== undefined && !(String(r.enum) in this.enums)) at(`unknown enum table '${String(r.enum)}' (known: ${Object.keys(this.enums).join(', ') || 'none: add an enums section'})`, 'enum');
    if (r.enum !== undefined && r.scale !== undefined && r.scale !== 1) at(`register '${name}' has an enum table: its scale must be 1`, 'scale');
    if (typeof r.min === 'number' && typeof r.max === 'number' && r.min > r.max) at(`min ${r.min} is above max ${r.max}`, 'min');
    if (r.scale !== undefined && r.scaleRegister !== undefined) at(`register '${name}': give 'scale' or 'scaleRegister', not both`, 'scaleRegister');
    if (typeof r.initial === 'number' && type !== 'string') {
      const tbl = r.enum !== undefined ? this.enums[String(r.enum)] : undefined;
      if (tbl && !Object.values(tbl).includes(r.initial)) at(`initial ${r.initial} is not a value of enum '${String(r.enum)}'`, 'initial');
      if (type !== 'float32') {
        const raw = (r.initial - ((r.offset as number | undefined) ?? 0)) / ((r.scale as number | undefined) ?? 1);
        const [lo, hi] = TYPE_RANGE[type];
        if (raw < lo || raw > hi) at(`initial ${r.initial} does not fit in ${type} at scale ${String(r.scale ?? 1)}`, 'initial');
      }
    }
  }
}

function wordsOf(r: Raw): number {
  return r.type === 'string' ? ((r.length as number | undefined) ?? 1) : REGISTER_WORDS[r.type as Exclude<VendorRegisterType, 'string'>];
}

/** Parse and check a map; throws `ConfigError` listing every problem, each with `file:line:column`. */
export function parseVendorMap(text: string, file = '<inline>'): VendorMap {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const at = lc.linePos(e.pos[0]);
    throw new ConfigError(`not valid YAML: ${e.message.split('\n')[0]}`, `${file}:${at.line}:${at.col}`);
  }
  const data = doc.toJS() as unknown;
  const at = (path: Path, key?: string) => locate(doc, lc, file, path, key);
  const fail = (problems: Problem[]): never => {
    const first = problems[0]!;
    const rest = problems.slice(1).map((p) => `\n${p.where}: ${p.message}`).join('');
    throw new ConfigError(`${first.message}${rest}`, first.where);
  };
  const validate = schemaCheck();
  if (!validate(data)) {
    const path = (pointer: string): Path => pointerSegments(pointer).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const problems = schemaIssues(validate.errors ?? [], { subject: 'field', fallback: 'file', noun: 'field' }).map((i) => ({
      where: at(path(i.path), i.atKey ? pointerSegments(i.pointer).pop() : undefined),
      message: i.message,
    }));
    fail(problems);
  }
  const raw = data as Raw;
  const check = new MeaningCheck(at, raw);
  const base = ((raw.addressBase as 0 | 1 | undefined) ?? 0) as 0 | 1;
  const defaultOrder = (raw.wordOrder as 'big' | 'little' | undefined) ?? 'big';
  if (raw.registers === undefined && raw.units === undefined) check.add([], "a map needs 'registers' (one layout for all unit ids) or 'units' (a layout per unit id)");
  if (raw.registers !== undefined && raw.units !== undefined) check.add(['units'], "give 'registers' or 'units', not both");

  // Layouts and their registers.
  const rawLayouts: Array<{ ids: number[]; name?: string; registers: Raw[]; path: Path }> =
    raw.units !== undefined
      ? (raw.units as Raw[]).map((u, i) => ({ ids: u.ids as number[], ...(u.name !== undefined ? { name: String(u.name) } : {}), registers: u.registers as Raw[], path: ['units', i, 'registers'] }))
      : raw.registers !== undefined
        ? [{ ids: ((raw.limits as Raw | undefined)?.unitIds as number[] | undefined) ?? [1], registers: raw.registers as Raw[], path: ['registers'] }]
        : [];
  const unitsSeen = new Map<number, number>();
  rawLayouts.forEach((l, li) => {
    for (const id of l.ids) {
      if (unitsSeen.has(id) && raw.units !== undefined) check.add(['units', li, 'ids'], `unit id ${id} has two layouts (units ${unitsSeen.get(id)} and ${li})`);
      unitsSeen.set(id, li);
    }
  });
  const names = new Map<string, string>();
  const settings = new Map<string, VendorRegister>();
  const layouts: VendorLayout[] = rawLayouts.map((l) => {
    const used = new Map<string, string>();
    const regs: VendorRegister[] = [];
    l.registers.forEach((r, i) => {
      const path = [...l.path, i];
      check.register(r, path);
      const name = String(r.name);
      if (names.has(name)) check.add([...path, 'name'], `register name '${name}' is used twice (first at ${names.get(name)})`);
      names.set(name, at(path));
      const number = r.address as number;
      const address = number - base;
      const words = wordsOf(r);
      if (address < 0) check.add([...path, 'address'], `address ${number} is below ${base}, the first address of a ${base}-based map`);
      if (address + words > 0x10000) check.add([...path, 'address'], `register '${name}' runs past the last wire address 65535`);
      const table = raw.tables === 'shared' ? 'holding' : ((r.table as 'holding' | 'input' | undefined) ?? 'holding');
      if (raw.tables === 'shared' && r.table !== undefined) check.add([...path, 'table'], `register '${name}': with 'tables: shared' there is one register space; remove 'table'`);
      if (table === 'input' && r.access === 'RW') check.add([...path, 'table'], `register '${name}' is in the input table, which cannot be written: use holding`);
      for (let k = 0; k < words; k++) {
        const key = `${table}:${address + k}`;
        const other = used.get(key);
        if (other !== undefined) check.add([...path, 'address'], `register '${name}' overlaps '${other}' at ${table} address ${address + k}`);
        else used.set(key, name);
      }
      const reg: VendorRegister = {
        address,
        table,
        name,
        type: r.type as VendorRegisterType,
        words,
        wordOrder: (r.wordOrder as 'big' | 'little' | undefined) ?? defaultOrder,
        scale: (r.scale as number | undefined) ?? 1,
        offset: (r.offset as number | undefined) ?? 0,
        access: r.access as 'R' | 'RW',
        location: at(path),
      };
      for (const k of ['scaleRegister', 'unit', 'mirrors', 'constant', 'drives', 'initial', 'enum', 'default', 'min', 'max', 'source'] as const) {
        if (r[k] !== undefined) (reg as unknown as Raw)[k] = r[k];
      }
      if (r.bits !== undefined) reg.bits = Object.fromEntries(Object.entries(r.bits as Record<string, string>).map(([b, q]) => [Number(b), q]));
      if (r.access === 'RW' && r.drives === undefined) {
        reg.setting = (r.setting as string | undefined) ?? name;
        const first = settings.get(reg.setting);
        if (!first) settings.set(reg.setting, reg);
        else if (first.initial !== reg.initial) check.add([...path, 'initial'], `setting '${reg.setting}' has initial ${String(first.initial)} at ${first.location}: registers that hold one setting share it`);
      }
      regs.push(reg);
    });
    return { unitIds: l.ids, ...(l.name !== undefined ? { name: l.name } : {}), registers: regs };
  });
  const registers = layouts.flatMap((l) => l.registers);
  for (const [li, l] of layouts.entries()) {
    for (const [i, r] of l.registers.entries()) {
      if (r.scaleRegister === undefined) continue;
      const sf = l.registers.find((x) => x.name === r.scaleRegister);
      if (!sf || typeof sf.constant !== 'number' || sf.type !== 'int16') check.add([...rawLayouts[li]!.path, i, 'scaleRegister'], `scale register '${r.scaleRegister}' must be an int16 constant in the same layout`);
    }
  }

  const limitsRaw = (raw.limits as Raw | undefined) ?? {};
  const limits: VendorLimits = {
    maxReadRegisters: (limitsRaw.maxReadRegisters as number | undefined) ?? 125,
    maxWriteRegisters: (limitsRaw.maxWriteRegisters as number | undefined) ?? 123,
    overLimitException: (limitsRaw.overLimitException as 2 | 3 | 4 | undefined) ?? 3,
    unitIds: (limitsRaw.unitIds as number[] | undefined) ?? [...unitsSeen.keys()],
    connectDelayS: (limitsRaw.connectDelayS as number | undefined) ?? 0,
  };
  if (raw.units !== undefined && limitsRaw.unitIds !== undefined) check.add(['limits', 'unitIds'], "with 'units', each layout lists its ids; remove limits.unitIds");

  const behaviour = raw.behaviour !== undefined ? resolveBehaviour(raw.behaviour as Raw, settings, check) : undefined;
  const sunspec = raw.sunspec !== undefined ? resolveSunSpec(raw.sunspec as Raw, base, check, at(['sunspec'])) : undefined;
  if (check.problems.length > 0) fail(check.problems);
  return {
    name: String(raw.name),
    ...(raw.vendor !== undefined ? { vendor: String(raw.vendor) } : {}),
    ...(raw.model !== undefined ? { model: String(raw.model) } : {}),
    ...(raw.description !== undefined ? { description: String(raw.description) } : {}),
    sources: (raw.sources as string[] | undefined) ?? [],
    addressBase: base,
    ...(raw.documentBase !== undefined ? { documentBase: raw.documentBase as 0 | 1 } : {}),
    wordOrder: defaultOrder,
    gaps: (raw.gaps as 'exception' | 'zero' | undefined) ?? 'exception',
    tables: (raw.tables as 'separate' | 'shared' | undefined) ?? 'separate',
    limits,
    enums: check.enums,
    layouts,
    registers,
    settings,
    ...(behaviour ? { behaviour } : {}),
    ...(sunspec ? { sunspec } : {}),
    file,
  };
}

/** The `sunspec` section: model 1 first, no model twice, the base in the file's numbering; problems go to `check`. */
function resolveSunSpec(s: Raw, base: 0 | 1, check: MeaningCheck, location: string): VendorSunSpec {
  const models = s.models as number[];
  if (models[0] !== 1) check.add(['sunspec', 'models', 0], 'a SunSpec chain starts with model 1 (common)');
  models.forEach((id, i) => {
    if (models.indexOf(id) !== i || (id >= 101 && id <= 103 && models.findIndex((x) => x >= 101 && x <= 103) !== i)) check.add(['sunspec', 'models', i], `model ${id} is listed twice (101, 102 and 103 are one inverter model)`);
  });
  const mppt = s.mppt as string[] | undefined;
  if (mppt && !models.includes(160)) check.add(['sunspec', 'mppt'], "'mppt' lays out model 160: add 160 to 'models'");
  const wire = (s.base as number) - base;
  if (wire < 0) check.add(['sunspec', 'base'], `base ${String(s.base)} is below ${base}, the first address of a ${base}-based map`);
  const common = (s.common as Record<string, string> | undefined) ?? {};
  const scaleFactors = (s.scaleFactors as Record<string, number> | undefined) ?? {};
  for (const field of ['scaleFactors', 'constants', 'follow'] as const) {
    const entries = (s[field] as Record<string, unknown> | undefined) ?? {};
    for (const [k, v] of Object.entries(entries)) {
      for (const ref of typeof v === 'string' ? [k, v] : [k]) {
        if (!models.includes(Number(ref.split('.')[0]))) check.add(['sunspec', field], `'${ref}': model ${ref.split('.')[0]} is not in 'models'`, k);
      }
    }
  }
  const constants = (s.constants as Record<string, number> | undefined) ?? {};
  const follow = (s.follow as Record<string, string> | undefined) ?? {};
  return { base: wire, models, commonLength: (s.commonLength as 65 | 66 | undefined) ?? 66, common, ...(mppt ? { mppt } : {}), scaleFactors, constants, follow, location };
}

/** Resolve setting names and enum symbols of the behaviour section; problems go to `check`. */
function resolveBehaviour(b: Raw, settings: Map<string, VendorRegister>, check: MeaningCheck): VendorBehaviour {
  const setting = (path: Path, name: unknown): string => {
    const n = String(name);
    if (!settings.has(n)) check.add(path, `'${n}' is not a setting (an RW register without 'drives'); settings: ${[...settings.keys()].join(', ') || 'none'}`);
    return n;
  };
  const valueOf = (path: Path, settingName: string, v: unknown): number => {
    if (typeof v === 'number') return v;
    const reg = settings.get(settingName);
    const table = reg?.enum !== undefined ? check.enums[reg.enum] : undefined;
    if (!table) {
      if (reg) check.add(path, `'${String(v)}' is a symbol but setting '${settingName}' has no enum table`);
      return NaN;
    }
    if (!(String(v) in table)) check.add(path, `'${String(v)}' is not in enum '${reg!.enum!}' (${Object.keys(table).join(', ')})`);
    return table[String(v)] ?? NaN;
  };
  const flagAt = (path: Path, f: Raw | undefined): FlagBinding | undefined => {
    if (!f) return undefined;
    const s = setting([...path, 'setting'], f.setting);
    return { setting: s, on: f.on === undefined ? 1 : valueOf([...path, 'on'], s, f.on), ...(f.mask !== undefined ? { mask: f.mask as number } : {}) };
  };
  const flag = (key: string): FlagBinding | undefined => flagAt(['behaviour', key], b[key] as Raw | undefined);
  const limit = (key: string, l: Raw | undefined, path: Path = ['behaviour', key]): LimitBinding | undefined => {
    if (!l) return undefined;
    const s = setting([...path, 'setting'], l.setting);
    const en = l.enable as Raw | undefined;
    let enable: FlagBinding | undefined;
    if (en) {
      const es = setting([...path, 'enable', 'setting'], en.setting);
      enable = { setting: es, on: en.on === undefined ? 1 : valueOf([...path, 'enable', 'on'], es, en.on) };
    }
    return { setting: s, unit: (l.unit as 'W' | 'A' | 'pct' | undefined) ?? 'W', ...(l.none !== undefined ? { none: l.none as number } : {}), ...(enable ? { enable } : {}) };
  };
  const out: VendorBehaviour = { rampS: (b.rampS as number | undefined) ?? 0 };
  if (b.mode) {
    const m = b.mode as { setting: string; map: Record<string, 'auto' | 'command' | 'setpoint'> };
    const s = setting(['behaviour', 'mode', 'setting'], m.setting);
    const map = new Map<number, 'auto' | 'command' | 'setpoint'>();
    for (const [k, v] of Object.entries(m.map)) map.set(/^-?\d+$/.test(k) ? Number(k) : valueOf(['behaviour', 'mode', 'map', k], s, k), v);
    out.mode = { setting: s, map };
  }
  if (b.command) {
    const c = b.command as Raw;
    const s = setting(['behaviour', 'command', 'setting'], c.setting);
    const power = c.power !== undefined ? setting(['behaviour', 'command', 'power'], c.power) : undefined;
    const chargePower = c.chargePower !== undefined ? setting(['behaviour', 'command', 'chargePower'], c.chargePower) : power;
    const dischargePower = c.dischargePower !== undefined ? setting(['behaviour', 'command', 'dischargePower'], c.dischargePower) : power;
    if (c.charge !== undefined && chargePower === undefined) check.add(['behaviour', 'command'], "a charge command needs 'power' or 'chargePower'");
    if (c.discharge !== undefined && dischargePower === undefined) check.add(['behaviour', 'command'], "a discharge command needs 'power' or 'dischargePower'");
    out.command = {
      setting: s,
      unit: (c.unit as 'W' | 'pct' | undefined) ?? 'W',
      ...(c.charge !== undefined ? { charge: valueOf(['behaviour', 'command', 'charge'], s, c.charge) } : {}),
      ...(c.discharge !== undefined ? { discharge: valueOf(['behaviour', 'command', 'discharge'], s, c.discharge) } : {}),
      ...(c.stop !== undefined ? { stop: valueOf(['behaviour', 'command', 'stop'], s, c.stop) } : {}),
      ...(chargePower !== undefined ? { chargePower } : {}),
      ...(dischargePower !== undefined ? { dischargePower } : {}),
    };
  }
  if (b.setpoint) {
    const sp = b.setpoint as Raw;
    out.setpoint = { settings: (sp.settings as string[]).map((x, i) => setting(['behaviour', 'setpoint', 'settings', i], x)), positive: (sp.positive as 'import' | 'charge' | undefined) ?? 'import' };
  }
  for (const k of ['chargeLimit', 'dischargeLimit'] as const) {
    const l = limit(k, b[k] as Raw | undefined);
    if (l) out[k] = l;
  }
  if (b.exportLimit !== undefined) {
    const list = Array.isArray(b.exportLimit) ? (b.exportLimit as Raw[]) : [b.exportLimit as Raw];
    out.exportLimit = list.map((l, i) => limit('exportLimit', l, Array.isArray(b.exportLimit) ? ['behaviour', 'exportLimit', i] : ['behaviour', 'exportLimit'])!);
  }
  for (const k of ['disableCharge', 'disableFeedIn', 'gridCharge'] as const) {
    const f = flag(k);
    if (f) out[k] = f;
  }
  if (b.minSoc) out.minSoc = { setting: setting(['behaviour', 'minSoc', 'setting'], (b.minSoc as Raw).setting) };
  if (b.tou) {
    const t = b.tou as Raw;
    const cp = t.chargePower as Raw | undefined;
    out.tou = {
      enable: flagAt(['behaviour', 'tou', 'enable'], t.enable as Raw)!,
      timeFormat: (t.timeFormat as 'hhmm' | 'minutes' | undefined) ?? 'hhmm',
      ...(cp ? { chargePower: { setting: setting(['behaviour', 'tou', 'chargePower', 'setting'], cp.setting), unit: (cp.unit as 'W' | 'A' | 'pct' | undefined) ?? 'W' } } : {}),
      slots: (t.slots as Raw[]).map((sl, i) => {
        const at = ['behaviour', 'tou', 'slots', i];
        const gc = flagAt([...at, 'gridCharge'], sl.gridCharge as Raw | undefined);
        return { start: setting([...at, 'start'], sl.start), power: setting([...at, 'power'], sl.power), soc: setting([...at, 'soc'], sl.soc), ...(gc ? { gridCharge: gc } : {}) };
      }),
    };
  }
  if (b.periods) {
    const t = b.periods as Raw;
    const base = ['behaviour', 'periods'];
    const time = (path: Path, v: unknown): TimeRef =>
      typeof v === 'string' ? { setting: setting(path, v) } : { hour: setting([...path, 'hour'], (v as Raw).hour), minute: setting([...path, 'minute'], (v as Raw).minute) };
    const cp = t.chargePower as Raw | undefined;
    const gc = flagAt([...base, 'gridCharge'], t.gridCharge as Raw | undefined);
    out.periods = {
      enable: flagAt([...base, 'enable'], t.enable as Raw)!,
      timeFormat: (t.timeFormat as 'hhmm' | 'minutes' | undefined) ?? 'minutes',
      outside: (t.outside as 'auto' | 'no-discharge' | undefined) ?? 'auto',
      ...(t.count !== undefined ? { count: setting([...base, 'count'], t.count) } : {}),
      ...(cp ? { chargePower: { setting: setting([...base, 'chargePower', 'setting'], cp.setting), unit: (cp.unit as 'W' | 'A' | 'pct' | undefined) ?? 'W' } } : {}),
      ...(t.chargeSoc !== undefined ? { chargeSoc: setting([...base, 'chargeSoc'], t.chargeSoc) } : {}),
      ...(gc ? { gridCharge: gc } : {}),
      list: (t.list as Raw[]).map((e, i) => {
        const at = [...base, 'list', i];
        const d = e.days as Raw | undefined;
        const action = typeof e.action === 'string' ? (e.action as 'charge' | 'discharge') : flagAt([...at, 'action'], e.action as Raw)!;
        return {
          start: time([...at, 'start'], e.start),
          end: time([...at, 'end'], e.end),
          action,
          ...(e.soc !== undefined ? { soc: setting([...at, 'soc'], e.soc) } : {}),
          ...(d ? { days: { setting: setting([...at, 'days', 'setting'], d.setting), mask: (d.mask as number | undefined) ?? 0x7f, firstBit: (d.firstBit as number | undefined) ?? 0 } } : {}),
        };
      }),
    };
  }
  if (b.timeout) {
    const t = b.timeout as Raw;
    if ((t.seconds === undefined) === (t.setting === undefined)) check.add(['behaviour', 'timeout'], "a timeout needs exactly one of 'seconds' or 'setting'");
    const revert = new Map<string, number>();
    for (const [k, v] of Object.entries(t.revert as Record<string, unknown>)) {
      const s = setting(['behaviour', 'timeout', 'revert', k], k);
      revert.set(s, valueOf(['behaviour', 'timeout', 'revert', k], s, v));
    }
    out.timeout = {
      unit: (t.unit as 's' | 'min' | undefined) ?? 's',
      watch: (t.watch as string[]).map((x, i) => setting(['behaviour', 'timeout', 'watch', i], x)),
      revert,
      ...(t.seconds !== undefined ? { seconds: t.seconds as number } : {}),
      ...(t.setting !== undefined ? { setting: setting(['behaviour', 'timeout', 'setting'], t.setting) } : {}),
    };
  }
  return out;
}

/** Read and parse a map file. */
export function loadVendorMap(path: string): VendorMap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read vendor map: ${(err as Error).message}`, path, { cause: err });
  }
  return parseVendorMap(text, path);
}
