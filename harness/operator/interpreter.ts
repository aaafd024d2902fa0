import type { BenchInstance } from '../bench/bench-instance';
import { faultCatalog, type FaultKindInfo, type FaultParamInfo } from '../bench/fault-catalog';

/** Longest command line taken, in characters; longer lines are refused whole. */
export const MAX_LINE_LENGTH = 1024;

/** Fault ids: what a scenario file's ids look like, short enough to read in a listing. */
const FAULT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** What `hil emulate` drives: a running bench. */
export type EmulateTarget = Pick<
  BenchInstance,
  'bench' | 'devices' | 'startMs' | 'signal' | 'knowsSignal' | 'signalNames' | 'setInput' | 'injectFault' | 'clearFault' | 'activeFaults' | 'substitutions'
>;

/** The result of one command line: lines to print, and whether the session ends. */
export interface CommandResult {
  lines: string[];
  /** The line was refused or the command failed (every such line starts with `error: `). */
  error?: boolean;
  quit?: boolean;
}

interface CommandSpec {
  name: string;
  args: string;
  summary: string;
  example?: string;
}

/** The command language, in the order `help` lists it. */
export const COMMANDS: readonly CommandSpec[] = [
  { name: 'show', args: '<device>|<signal> ...', summary: 'print signal values, or a device summary', example: 'show pack1.soc inv1.ac.power' },
  { name: 'set', args: '<device>.<input>|ambient <value>', summary: 'stimulus (a finite number)', example: 'set inv1.irradiance 300' },
  { name: 'fault', args: '<id> <device> <kind> [name=value ...|{json}]', summary: 'inject a fault under a new id', example: 'fault hot pack1 self-heating cell=3 watts=20' },
  { name: 'clear', args: '<id>', summary: 'clear a fault in force' },
  { name: 'faults', args: '', summary: 'list the faults in force' },
  { name: 'kinds', args: '<device>', summary: "list a device's fault kinds and their parameters (* required)" },
  { name: 'signals', args: '<device> [prefix]', summary: "list a device's signals" },
  { name: 'devices', args: '', summary: 'list the devices and their inputs' },
  { name: 'endpoints', args: '', summary: 'print the endpoints a controller connects to' },
  { name: 'status', args: '', summary: 'print the status line now' },
  { name: 'help', args: '[command]', summary: 'this list, or one command' },
  { name: 'quit', args: '', summary: 'stop the devices and exit (also exit, Ctrl+D)' },
];

/** `help`: every command, one line each. */
export function helpText(): string[] {
  return ['commands:', ...COMMANDS.map((c) => `  ${`${c.name} ${c.args}`.padEnd(52)} ${c.summary}${c.example ? ` (e.g. ${c.example})` : ''}`)];
}

/**
 * The `hil emulate` command language, apart from any terminal: one line in, lines out. The same for a person at a
 * prompt and for a piped script.
 *
 * Contract:
 * - `run(line)` never throws: bad input gives lines starting `error: ` and `error: true`, and changes nothing.
 * - Lines longer than {@link MAX_LINE_LENGTH} are refused whole; empty lines and `#` comments do nothing.
 * - Numbers must be finite (`NaN`, `Infinity`, `1e999` are refused), in `set` and in fault parameters.
 * - A fault id in force cannot be reused; `clear` of an id not in force is an error.
 */
export class EmulateInterpreter {
  constructor(
    private readonly inst: EmulateTarget,
    private readonly status: () => string,
  ) {}

  /** `length`: the line's real length, when a reader kept only its start. */
  run(line: string, length = line.length): CommandResult {
    if (length > MAX_LINE_LENGTH) return fail(`line too long (${length} characters; at most ${MAX_LINE_LENGTH})`);
    const text = line.trim();
    if (text === '' || text.startsWith('#')) return { lines: [] };
    const [cmd = '', ...args] = text.split(/\s+/);
    try {
      switch (cmd) {
        case 'show':
          return this.show(args);
        case 'set':
          return this.set(args);
        case 'fault':
          return this.fault(text);
        case 'clear':
          return this.clear(args);
        case 'faults':
          return this.faults();
        case 'kinds':
          return this.kinds(args);
        case 'signals':
          return this.signals(args);
        case 'devices':
          return ok(...[...this.inst.devices.values()].map((d) => `${d.name} (${d.type}) inputs: ${d.inputNames().join(', ')}`), 'and: ambient (every device)');
        case 'endpoints':
          return ok(...Object.entries(this.inst.substitutions()).map(([k, v]) => `${k} = ${v}`));
        case 'status':
          return ok(this.status());
        case 'help':
          return this.help(args);
        case 'quit':
        case 'exit':
          return { lines: [], quit: true };
        default:
          return fail(`unknown command '${clip(cmd)}' (help lists the commands)`);
      }
    } catch (err) {
      return fail((err as Error).message);
    }
  }

  /** The fault kinds of a device (one function reads them: `faultCatalog`). */
  faultKinds(device: string): FaultKindInfo[] {
    const d = this.inst.devices.get(device);
    if (!d) return [];
    return faultCatalog(d, this.inst.bench.file.devices.find((s) => s.name === device)?.modbus !== undefined);
  }

  private show(args: string[]): CommandResult {
    if (args.length === 0) return fail('show what? (e.g. show pack1.soc, show pack1)');
    const out: string[] = [];
    const errors: string[] = [];
    for (const a of args) {
      const dev = this.inst.devices.get(a);
      if (dev) out.push(deviceSummary(this.inst, a));
      else if (!this.inst.knowsSignal(a)) errors.push(`error: unknown signal '${clip(a)}' (signals <device> lists them; Tab completes)`);
      else out.push(`${a}=${fmt(this.inst.signal(a))}`);
    }
    const lines = [...(out.length ? [out.join(' ')] : []), ...errors];
    return errors.length ? { lines, error: true } : { lines };
  }

  private set(args: string[]): CommandResult {
    if (args.length !== 2) return fail('usage: set <device>.<input>|ambient <value>');
    const [key, raw] = args as [string, string];
    const value = finiteNumber(raw);
    if (value === undefined) return fail(`set ${clip(key)}: '${clip(raw)}' is not a finite number`);
    if (key !== 'ambient') {
      const dot = key.indexOf('.');
      const dev = dot > 0 ? this.inst.devices.get(key.slice(0, dot)) : undefined;
      if (!dev) return fail(`'${clip(key)}': no device '${clip(key.slice(0, Math.max(dot, 0)) || key)}' (devices: ${[...this.inst.devices.keys()].join(', ')})`);
      if (!dev.inputNames().includes(key.slice(dot + 1))) return fail(`${dev.name} has no input '${clip(key.slice(dot + 1))}' (it takes: ${dev.inputNames().join(', ')})`);
    }
    this.inst.setInput(key, value, 'set');
    return ok('ok');
  }

  private fault(text: string): CommandResult {
    const m = /^fault\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(text);
    if (!m) return fail('usage: fault <id> <device> <kind> [name=value ...|{json}]');
    const [, id, device, kind, rest] = m as unknown as [string, string, string, string, string];
    if (!FAULT_ID.test(id)) return fail(`fault id '${clip(id)}': letters, digits, '_', '-', '.' (at most 64, not starting with a sign)`);
    if (this.inst.activeFaults().some((f) => f.id === id)) return fail(`fault id '${id}' is already in force (clear ${id} first, or pick another id)`);
    const dev = this.inst.devices.get(device);
    if (!dev) return fail(`no device '${clip(device)}' (devices: ${[...this.inst.devices.keys()].join(', ')})`);
    const info = this.faultKinds(device).find((k) => k.kind === kind);
    if (!info) return fail(`${device} has no fault '${clip(kind)}' (kinds ${device} lists them)`);
    const params = rest.startsWith('{') ? jsonParams(rest, info) : pairParams(rest, info);
    const missing = info.params.filter((p) => p.required && !(p.name in params)).map((p) => p.name);
    if (missing.length) return fail(`${kind} needs ${missing.join(', ')} (e.g. ${missing.map((n) => `${n}=...`).join(' ')})`);
    this.inst.injectFault(id, device, kind, params, 'fault');
    return ok(`fault '${id}' injected: ${device} ${kind}${describeParams(params)}`);
  }

  private clear(args: string[]): CommandResult {
    if (args.length !== 1) return fail('usage: clear <id>');
    const id = args[0]!;
    if (!this.inst.clearFault(id)) {
      const ids = this.inst.activeFaults().map((f) => f.id);
      return fail(`no fault '${clip(id)}' in force (${ids.length ? `in force: ${ids.join(', ')}` : 'none is'})`);
    }
    return ok(`fault '${id}' cleared`);
  }

  private faults(): CommandResult {
    const list = this.inst.activeFaults();
    if (list.length === 0) return ok('no faults in force');
    const now = this.inst.startMs + (Number(this.inst.signal('t')) || 0) * 1000;
    return ok(...list.map((f) => `${f.id}  ${f.device}  ${f.kind}${describeParams(f.params)}  (for ${((now - f.since) / 1000).toFixed(1)} s)`));
  }

  private kinds(args: string[]): CommandResult {
    const device = args[0] ?? '';
    if (!this.inst.devices.has(device)) return fail(`kinds of which device? (devices: ${[...this.inst.devices.keys()].join(', ')})`);
    return ok(...this.faultKinds(device).map((k) => `${k.kind}${k.params.length ? ` ${k.params.map(paramUsage).join(' ')}` : ''}`));
  }

  private signals(args: string[]): CommandResult {
    const dev = this.inst.devices.get(args[0] ?? '');
    if (!dev) return fail(`signals of which device? (devices: ${[...this.inst.devices.keys()].join(', ')})`);
    const prefix = args[1] ?? '';
    return ok(dev.signalNames().filter((n) => n.startsWith(prefix)).join(' '));
  }

  private help(args: string[]): CommandResult {
    if (args.length === 0) return ok(...helpText(), 'Tab completes commands, devices, signals, fault kinds and parameters; Up/Down recall earlier lines.');
    const c = COMMANDS.find((x) => x.name === args[0]);
    if (!c) return fail(`no command '${clip(args[0]!)}' (help lists them)`);
    return ok(`${c.name} ${c.args}`, `  ${c.summary}${c.example ? `; e.g. ${c.example}` : ''}`);
  }
}

/** One status line: the main figures of every device. */
export function statusLine(inst: Pick<EmulateTarget, 'devices' | 'signal'>): string {
  const parts = [...inst.devices.values()].map((d) =>
    d.type === 'bms'
      ? `${d.name} soc=${fmt(d.signal('soc'))}% I=${fmt(d.signal('current'))}A T=${fmt(d.signal('temperature.max'))}C`
      : d.signal('ac.power') !== undefined
        ? `${d.name} P=${fmt(d.signal('ac.power'))}W`
        : `${d.name} battery I=${fmt(d.signal('battery.current'))}A heard CCL=${fmt(d.signal('bms.chargeLimit'))}A DCL=${fmt(d.signal('bms.dischargeLimit'))}A age=${fmt(d.signal('bms.age'))}s`,
  );
  return `t=${fmt(Math.round(Number(inst.signal('t'))))}s ${parts.join(' | ')}`;
}

function deviceSummary(inst: EmulateTarget, name: string): string {
  return statusLine({ devices: new Map([[name, inst.devices.get(name)!]]), signal: inst.signal.bind(inst) }).replace(/^t=\S+ /, '');
}

/** A finite number written plainly (`12`, `-0.5`, `1e3`); `NaN`, `Infinity`, hex, empty and overflowing values are not. */
export function finiteNumber(text: string): number | undefined {
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function pairParams(rest: string, info: FaultKindInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of rest.split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`'${clip(pair)}': write parameters as name=value (e.g. ${info.params.map((p) => `${p.name}=...`).slice(0, 2).join(' ') || 'none'})`);
    const name = pair.slice(0, eq);
    const p = paramOf(info, name);
    if (name in out) throw new Error(`parameter '${name}' given twice`);
    out[name] = paramValue(p, pair.slice(eq + 1), info.kind);
  }
  return out;
}

function jsonParams(rest: string, info: FaultKindInfo): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rest);
  } catch (err) {
    throw new Error(`fault parameters: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('fault parameters: expected a JSON object');
  for (const [k, v] of Object.entries(parsed)) {
    paramOf(info, k);
    checkFinite(v, k);
  }
  return parsed as Record<string, unknown>;
}

function paramOf(info: FaultKindInfo, name: string): FaultParamInfo {
  const p = info.params.find((x) => x.name === name);
  if (!p) throw new Error(`${info.kind} has no parameter '${clip(name)}' (${info.params.length ? `it takes: ${info.params.map((x) => x.name).join(', ')}` : 'it takes none'})`);
  return p;
}

function paramValue(p: FaultParamInfo, raw: string, kind: string): unknown {
  const where = `${kind} ${p.name}`;
  switch (p.type) {
    case 'number':
    case 'integer': {
      if (p.values && !p.values.includes(raw)) throw new Error(`${where}: one of ${p.values.join(', ')}`);
      const n = finiteNumber(raw);
      if (n === undefined) throw new Error(`${where}: '${clip(raw)}' is not a finite number`);
      if (p.type === 'integer' && !Number.isInteger(n)) throw new Error(`${where}: '${clip(raw)}' is not a whole number`);
      return n;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw new Error(`${where}: true or false`);
      return raw === 'true';
    case 'array': {
      const items = raw.split(',').filter(Boolean);
      const bad = p.values ? items.filter((i) => !p.values!.includes(i)) : [];
      if (bad.length) throw new Error(`${where}: '${clip(bad[0]!)}' is not one of ${p.values!.join(', ')}`);
      return items;
    }
    case 'object': {
      let v: unknown;
      try {
        v = JSON.parse(raw);
      } catch {
        throw new Error(`${where}: write it as JSON without spaces (e.g. ${p.name}={"from":0,"to":10})`);
      }
      checkFinite(v, p.name);
      return v;
    }
    default:
      if (p.values && !p.values.includes(raw)) throw new Error(`${where}: '${clip(raw)}' is not one of ${p.values.join(', ')}`);
      return raw;
  }
}

/** JSON numbers overflow to Infinity (`1e999`): refuse them anywhere in a value. */
function checkFinite(v: unknown, name: string): void {
  if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`${name}: ${v} is not a finite number`);
  if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) checkFinite(x, `${name}.${k}`);
}

function paramUsage(p: FaultParamInfo): string {
  const v = p.values ? `${p.values.slice(0, 6).join('|')}${p.values.length > 6 ? '|...' : ''}${p.type === 'array' ? ',...' : ''}` : p.type;
  return `${p.name}=${v}${p.required ? '*' : ''}`;
}

function describeParams(params: Record<string, unknown>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return parts.length ? ` ${parts.join(' ')}` : '';
}

export function fmt(v: number | boolean | undefined): string {
  return typeof v === 'number' ? String(+v.toFixed(2)) : String(v);
}

function clip(s: string): string {
  const clean = s.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > 40 ? `${clean.slice(0, 40)}...` : clean;
}

function ok(...lines: string[]): CommandResult {
  return { lines };
}

function fail(message: string): CommandResult {
  return { lines: [`error: ${message}`], error: true };
}
