import { ExceptionCode } from '../../protocols/modbus/device';
import { encodeRaw } from '../../protocols/modbus/sunspec/point-codec';
import type { SunSpecDevice } from '../../protocols/modbus/sunspec/sunspec-device';
import { SimpleBatteryPort } from './battery-port';
import { constant } from './irradiance';
import { Inverter, OperatingState } from './inverter';
import type { InverterConfig } from './inverter';
import { createInverterSunSpec } from './sunspec-map';

/** Client-style helpers: address of a point, read it scaled, write it scaled, all through the register interface. */
function client(dev: SunSpecDevice) {
  const where = (id: number, name: string) => {
    const m = dev.model(id)!;
    const p = m.layout.point(name)!;
    return { m, p, at: dev.addressOf(id)! + p.offset };
  };
  return {
    read(id: number, name: string): number | string | null {
      const { m, p, at } = where(id, name);
      const regs = dev.readHoldingRegisters(at, p.size);
      if (typeof regs === 'number') throw new Error(`exception ${regs}`);
      return m.get(name);
    },
    write(id: number, name: string, value: number): ExceptionCode | undefined {
      const { m, p, at } = where(id, name);
      const sf = m.scaleOf(p) ?? 0;
      return dev.writeRegisters(at, encodeRaw(p.type, p.size, value / 10 ** sf, name));
    },
    at: (id: number, name: string) => where(id, name).at,
  };
}

function setup(extra: InverterConfig = {}) {
  const inv = new Inverter({ profile: constant(800), seed: 2, ...extra });
  const { device, modelIds } = createInverterSunSpec(inv);
  const run = (s: number) => {
    for (let i = 0; i < Math.round(s / 0.1); i++) inv.step(0.1);
  };
  run(60);
  return { inv, device, modelIds, run, c: client(device) };
}

describe('inverter SunSpec map', () => {
  it('serves 124 only for hybrids, and the common model identifies the device', () => {
    expect(setup().modelIds).toEqual([1, 101, 120, 121, 122, 123, 160, 701, 702, 704]);
    const h = setup({ battery: new SimpleBatteryPort(), phases: 'three' });
    expect(h.modelIds).toEqual([1, 103, 120, 121, 122, 123, 124, 160, 701, 702, 704]);
    expect(h.c.read(1, 'Mn')).toBe('SecondLife HIL');
    expect(h.c.read(120, 'DERTyp')).toBe(82);
  });

  it('reads measurements bound to the model state', () => {
    const { inv, c } = setup();
    expect(c.read(101, 'W')).toBe(Math.round(inv.state.acW));
    expect(c.read(101, 'Hz')).toBe(50);
    expect(c.read(101, 'PhVphA')).toBe(230);
    expect(c.read(101, 'St')).toBe(OperatingState.Mppt);
    expect(c.read(701, 'W')).toBe(Math.round(inv.state.acW));
    expect(c.read(160, 'N')).toBe(2);
    expect(c.read(160, 'module[1].IDStr')).toBe('PV2');
    expect(c.read(160, 'module[0].DCW')).toBe(Math.round(inv.state.strings[0]!.watts));
    expect(c.read(101, 'TmpTrns')).toBeNull();
  });

  it('limits AC power through 123 WMaxLimPct + WMaxLim_Ena, with revert time', () => {
    const { inv, c, run } = setup();
    expect(inv.state.acW).toBeGreaterThan(4000);
    expect(c.write(123, 'WMaxLimPct_RvrtTms', 60)).toBeUndefined();
    expect(c.write(123, 'WMaxLimPct', 30)).toBeUndefined();
    run(1);
    expect(inv.state.acW).toBeGreaterThan(4000); // not enabled yet
    expect(c.write(123, 'WMaxLim_Ena', 1)).toBeUndefined();
    run(1);
    expect(c.read(101, 'W')).toBeLessThanOrEqual(1500);
    expect(c.read(101, 'St')).toBe(OperatingState.Throttled);
    expect(c.read(123, 'WMaxLimPct')).toBe(30);
    run(60);
    expect(c.read(123, 'WMaxLim_Ena')).toBe(0);
    run(30);
    expect(c.read(101, 'W')).toBeGreaterThan(4000);
  });

  it('ramps to a new limit over 123 WMaxLimPct_RmpTms', () => {
    const { inv, c, run } = setup();
    const free = inv.state.acW;
    expect(c.write(123, 'WMaxLimPct_RmpTms', 20)).toBeUndefined();
    expect(c.write(123, 'WMaxLimPct', 20)).toBeUndefined();
    expect(c.write(123, 'WMaxLim_Ena', 1)).toBeUndefined();
    run(10);
    // Halfway through the ramp: the limit is at 60 % of 5 kW.
    expect(inv.state.limitPctNow).toBeCloseTo(60, 0);
    expect(c.read(101, 'W')).toBeLessThan(free);
    expect(c.read(101, 'W') as number).toBeCloseTo(3000, -2);
    run(11);
    expect(c.read(101, 'W') as number).toBeCloseTo(1000, -1);
  });

  it('refuses out-of-range values and read-only or unimplemented points', () => {
    const { c, device } = setup();
    expect(c.write(123, 'WMaxLimPct', 120)).toBe(ExceptionCode.IllegalDataValue);
    expect(c.write(123, 'OutPFSet', 0.5)).toBe(ExceptionCode.IllegalDataValue);
    expect(device.writeRegisters(c.at(123, 'VArPct_Mod'), [1])).toBe(ExceptionCode.IllegalDataAddress);
    expect(device.writeRegisters(c.at(101, 'W'), [1])).toBe(ExceptionCode.IllegalDataAddress);
    expect(c.write(704, 'AntiIslEna', 0)).toBe(ExceptionCode.IllegalDataValue);
  });

  it('disconnects on 123 Conn = 0 and reconnects on 1', () => {
    const { c, run } = setup();
    expect(c.write(123, 'Conn', 0)).toBeUndefined();
    run(1);
    expect(c.read(101, 'W')).toBe(0);
    expect(c.read(101, 'St')).toBe(OperatingState.Standby);
    expect(c.read(122, 'ECPConn')).toBe(0);
    c.write(123, 'Conn', 1);
    run(30);
    expect(c.read(101, 'W')).toBeGreaterThan(4000);
  });

  it('drives storage through 124 (forced discharge at a negative InWRte within the BMS limit)', () => {
    const bat = new SimpleBatteryPort({ soc: 70, maxDischargeA: 30 });
    const { inv, c, run } = setup({ battery: bat, profile: constant(0) });
    expect(c.write(124, 'InWRte', -50)).toBeUndefined();
    expect(c.write(124, 'StorCtl_Mod', 1)).toBeUndefined();
    run(30);
    expect(inv.state.batteryA).toBeLessThan(0);
    expect(-inv.state.batteryA).toBeLessThanOrEqual(30);
    expect(c.read(124, 'ChaSt')).toBe(3);
    expect(c.read(101, 'W')).toBeGreaterThan(1000);
    expect(c.write(124, 'StorCtl_Mod', 4)).toBe(ExceptionCode.IllegalDataValue);
  });

  it('applies a 704 limit and power factor', () => {
    const { inv, c, run } = setup();
    expect(c.write(704, 'WMaxLimPct', 50)).toBeUndefined();
    expect(c.write(704, 'WMaxLimPctEna', 1)).toBeUndefined();
    expect(c.write(704, 'PFWInj.PF', 0.95)).toBeUndefined();
    expect(c.write(704, 'PFWInj.Ext', 1)).toBeUndefined();
    expect(c.write(704, 'PFWInjEna', 1)).toBeUndefined();
    run(1);
    expect(inv.state.acW).toBeLessThanOrEqual(2500 + 1e-6);
    expect(c.read(701, 'PF')).toBeCloseTo(-0.95, 3);
    expect(c.read(123, 'WMaxLim_Ena')).toBe(1);
  });

  it('704: reversion points written after the limit still apply when its timer runs out', () => {
    const { inv, c, run } = setup();
    expect(c.write(704, 'WMaxLimPctRvrtTms', 30)).toBeUndefined();
    expect(c.write(704, 'WMaxLimPct', 60)).toBeUndefined();
    expect(c.write(704, 'WMaxLimPctEna', 1)).toBeUndefined();
    expect(c.write(704, 'WMaxLimPctRvrt', 20)).toBeUndefined();
    expect(c.write(704, 'WMaxLimPctEnaRvrt', 1)).toBeUndefined();
    run(10);
    expect(c.read(704, 'WMaxLimPctRvrtRem')).toBe(20);
    run(25);
    expect(c.read(704, 'WMaxLimPct')).toBe(20);
    expect(c.read(704, 'WMaxLimPctEna')).toBe(1);
    expect(inv.state.acW).toBeLessThanOrEqual(1000 + 1e-6);
    // A 123 limit with a timeout still lapses to disabled.
    expect(c.write(123, 'WMaxLimPct_RvrtTms', 10)).toBeUndefined();
    expect(c.write(123, 'WMaxLimPct', 50)).toBeUndefined();
    run(12);
    expect(c.read(123, 'WMaxLim_Ena')).toBe(0);
  });

  it('shows an ignored command in the readback (fault hook)', () => {
    const { inv, c, run } = setup();
    inv.injectFault({ kind: 'ignore-commands' });
    expect(c.write(123, 'WMaxLim_Ena', 1)).toBeUndefined();
    run(1);
    expect(c.read(123, 'WMaxLim_Ena')).toBe(0);
  });
});
