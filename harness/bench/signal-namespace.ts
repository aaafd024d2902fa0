import type { Clock } from '../../core/clock';
import type { BenchDevice } from './bench-device';
import type { BenchCanBus } from './can-media';
import { MODBUS_FIGURES, ModbusEndpoints, type BenchModbus, type ModbusFigure } from './modbus-endpoints';

/** What a signal name refers to, parsed once. */
export type SignalRef =
  | { kind: 'time' }
  | { kind: 'device'; device: BenchDevice; signal: string }
  | { kind: 'can-frames'; bus: BenchCanBus }
  | { kind: 'can-wire'; bus: BenchCanBus; path: string }
  | { kind: 'modbus'; endpoint: BenchModbus; figure: ModbusFigure }
  | { kind: 'unknown' };

/** What the namespace reads: the bench's devices, buses and endpoints (all fixed once the bench is up). */
export interface SignalSources {
  clock: Clock;
  devices: ReadonlyMap<string, BenchDevice>;
  can: ReadonlyMap<string, BenchCanBus>;
  modbus: ReadonlyMap<string, BenchModbus>;
  /** Clock time of the scenario's t=0. */
  timeZeroMs(): number;
}

/**
 * The names scenario expressions, the operator and the dashboard read on a running bench:
 * - `t`: seconds since the scenario's t=0;
 * - `<device>.<signal>` (the device's own names, which may hold dots: `pack1.temperature.max`);
 * - `can.<bus>.frames`, `can.<bus>.<Message>.<Signal>|count|age` (decoded with the bus's DBC);
 * - `modbus.<ep>.writes|illegalWrites|rejectedWrites|requests`.
 *
 * Contract: a name is parsed once ({@link parse}, cached when it is known) into a {@link SignalRef}; a device name wins over the
 * `can`/`modbus` prefixes. Devices, buses and endpoints must not change after the first lookup. `signal` returns
 * undefined for an unknown name (it never throws); `knowsSignal` says whether the name refers to something here.
 */
export class SignalNamespace {
  private readonly parsed = new Map<string, SignalRef>();

  constructor(private readonly sources: SignalSources) {}

  /** What `name` refers to (cached). */
  parse(name: string): SignalRef {
    let ref = this.parsed.get(name);
    if (!ref) {
      ref = this.parseOnce(name);
      // Unknown names are not kept: an operator typing names must not grow the cache.
      if (ref.kind !== 'unknown') this.parsed.set(name, ref);
    }
    return ref;
  }

  private parseOnce(name: string): SignalRef {
    if (name === 't') return { kind: 'time' };
    const dot = name.indexOf('.');
    if (dot < 0) return { kind: 'unknown' };
    const head = name.slice(0, dot);
    const rest = name.slice(dot + 1);
    const device = this.sources.devices.get(head);
    if (device) return { kind: 'device', device, signal: rest };
    if (head === 'can') {
      const [busName, what] = splitFirst(rest);
      const bus = this.sources.can.get(busName);
      if (!bus) return { kind: 'unknown' };
      return what === 'frames' ? { kind: 'can-frames', bus } : { kind: 'can-wire', bus, path: what };
    }
    if (head === 'modbus') {
      const [ep, what] = splitLast(rest);
      const endpoint = this.sources.modbus.get(ep);
      if (!endpoint || !(MODBUS_FIGURES as readonly string[]).includes(what)) return { kind: 'unknown' };
      return { kind: 'modbus', endpoint, figure: what as ModbusFigure };
    }
    return { kind: 'unknown' };
  }

  /** The value of a signal now, or undefined when the name refers to nothing (or has no value yet). */
  signal(name: string): number | boolean | undefined {
    const ref = this.parse(name);
    switch (ref.kind) {
      case 'time':
        return (this.sources.clock.now() - this.sources.timeZeroMs()) / 1000;
      case 'device':
        return ref.device.signal(ref.signal);
      case 'can-frames':
        return ref.bus.frames;
      case 'can-wire':
        return ref.bus.wire?.read(ref.path, this.sources.clock.now());
      case 'modbus':
        return ModbusEndpoints.figure(ref.endpoint, ref.figure);
      case 'unknown':
        return undefined;
    }
  }

  /** Whether a signal name refers to something on this bench (for checking scenarios before a run). */
  knowsSignal(name: string): boolean {
    const ref = this.parse(name);
    switch (ref.kind) {
      case 'device':
        return ref.device.signalNames().includes(ref.signal) || ref.device.signal(ref.signal) !== undefined;
      case 'can-wire':
        return !!ref.bus.wire?.knows(ref.path);
      case 'unknown':
        return false;
      default:
        return true;
    }
  }

  /** Every signal name this bench offers (for completion and listings), `t` first. */
  signalNames(): string[] {
    const out: string[] = ['t'];
    for (const d of this.sources.devices.values()) for (const n of d.signalNames()) out.push(`${d.name}.${n}`);
    for (const b of this.sources.can.values()) {
      out.push(`can.${b.name}.frames`);
      for (const m of b.wire?.db.messages ?? []) {
        for (const x of [...m.signals.map((sig) => sig.name), 'count', 'age']) out.push(`can.${b.name}.${m.name}.${x}`);
      }
    }
    for (const m of this.sources.modbus.keys()) for (const x of MODBUS_FIGURES) out.push(`modbus.${m}.${x}`);
    return out;
  }
}

function splitFirst(s: string): [string, string] {
  const i = s.indexOf('.');
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

function splitLast(s: string): [string, string] {
  const i = s.lastIndexOf('.');
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}
