import { VirtualClock } from '../../core/clock';
import type { BenchDevice } from './bench-device';
import type { BenchCanBus } from './can-media';
import type { BenchModbus } from './modbus-endpoints';
import { Ring } from './ring';
import { SignalNamespace } from './signal-namespace';
import { FaultRegistry } from '../../emulators/common/fault-registry';

/** A device that counts how often it is asked, so the test sees reads go straight to it. */
function device(name: string, values: Record<string, number>): BenchDevice & { asked: string[] } {
  const asked: string[] = [];
  return {
    name,
    type: 'bms',
    asked,
    step: () => undefined,
    signal: (n) => {
      asked.push(n);
      return values[n];
    },
    signalNames: () => Object.keys(values),
    applyInitial: () => undefined,
    setInput: () => false,
    inputNames: () => [],
    injectFault: () => ({ clear: () => undefined }),
    faults: new FaultRegistry('test', {}),
    close: () => undefined,
  };
}

function setup(withCanDevice = false): { ns: SignalNamespace; clock: VirtualClock; pack: ReturnType<typeof device>; bus: BenchCanBus; ep: BenchModbus } {
  const clock = new VirtualClock(1000);
  const pack = device('pack1', { cell_max: 3.41, 'temperature.max': 25 });
  // A device named like the prefix wins over it: its names are the device's.
  const can = device('can', { x: 1 });
  const bus = { name: 'bus1', frames: 12, recent: new Ring(4) } as unknown as BenchCanBus;
  const ep = { name: 'site.a', writeCount: 3, illegalWrites: 1, rejectedWrites: 0, requests: 40 } as unknown as BenchModbus;
  const ns = new SignalNamespace({
    clock,
    devices: new Map([['pack1', pack], ...(withCanDevice ? [['can', can] as const] : [])]),
    can: new Map([['bus1', bus]]),
    modbus: new Map([['site.a', ep]]),
    timeZeroMs: () => 1500,
  });
  return { ns, clock, pack, bus, ep };
}

describe('SignalNamespace', () => {
  it('parses a name once into device and signal (dots stay in the signal) and reads the device each time', () => {
    const { ns, pack } = setup();
    expect(ns.parse('pack1.temperature.max')).toMatchObject({ kind: 'device', signal: 'temperature.max' });
    expect(ns.parse('pack1.cell_max')).toBe(ns.parse('pack1.cell_max'));
    expect(ns.signal('pack1.cell_max')).toBe(3.41);
    expect(ns.signal('pack1.cell_max')).toBe(3.41);
    expect(pack.asked.filter((n) => n === 'cell_max')).toHaveLength(2);
    expect(ns.knowsSignal('pack1.cell_max')).toBe(true);
    expect(ns.knowsSignal('pack1.cell_min')).toBe(false);
    expect(ns.signal('pack1.cell_min')).toBeUndefined();
  });

  it('reads t from the scenario t=0, bus frames, endpoint figures (endpoint names may hold dots)', () => {
    const { ns, clock, bus, ep } = setup();
    clock.advanceTo(4000);
    expect(ns.signal('t')).toBe(2.5);
    expect(ns.signal('modbus.site.a.writes')).toBe(3);
    expect(ns.signal('modbus.site.a.illegalWrites')).toBe(1);
    ep.requests = 41;
    expect(ns.signal('modbus.site.a.requests')).toBe(41);
    expect(ns.knowsSignal('modbus.site.a.bogus')).toBe(false);
    expect(ns.knowsSignal('modbus.site.b.writes')).toBe(false);
    expect(ns.knowsSignal('can.nobus.frames')).toBe(false);
    bus.frames = 13;
    expect(ns.signal('can.bus1.frames')).toBe(13);
    expect(ns.signal('can.x')).toBeUndefined();
    expect(ns.knowsSignal('can.bus1.Msg.Sig')).toBe(false); // no DBC on this bus
    expect(ns.knowsSignal('nodot')).toBe(false);
  });

  it('a device named like a prefix wins over it', () => {
    const { ns } = setup(true);
    expect(ns.signal('can.x')).toBe(1);
    expect(ns.signal('can.bus1.frames')).toBeUndefined();
  });

  it('lists t, every device signal, bus frames and endpoint figures', () => {
    const { ns } = setup(true);
    expect(ns.signalNames()).toEqual([
      't',
      'pack1.cell_max',
      'pack1.temperature.max',
      'can.x',
      'can.bus1.frames',
      'modbus.site.a.writes',
      'modbus.site.a.illegalWrites',
      'modbus.site.a.rejectedWrites',
      'modbus.site.a.requests',
    ]);
  });
});
