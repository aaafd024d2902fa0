/**
 * Closed loop in one process: controller writes (SunSpec registers) -> inverter -> battery current -> emulated
 * second-life pack and BMS (emulators/bms) -> BMS limits -> inverter, with the BMS device as the inverter's
 * BatteryPort.
 */
import { BmsDevice } from '../../emulators/bms/device/bms-device';
import { loadPackFixture } from '../../emulators/bms/pack/fixtures';
import type { BatteryPort } from '../../emulators/inverter/battery-port';
import { constant } from '../../emulators/inverter/irradiance';
import { Inverter } from '../../emulators/inverter/inverter';
import { createInverterSunSpec } from '../../emulators/inverter/sunspec-map';
import { encodeRaw } from '../../protocols/modbus/sunspec/point-codec';

describe('hybrid inverter with an emulated BMS pack as its battery', () => {
  const setup = (g: number) => {
    const bms = new BmsDevice(loadPackFixture('nissan-leaf-24kwh'), { seed: 3 });
    const port: BatteryPort = bms; // the BMS device satisfies the inverter's battery port contract
    const inv = new Inverter({ profile: constant(g), battery: port, seed: 3 });
    const { device } = createInverterSunSpec(inv);
    const write = (id: number, name: string, value: number) => {
      const m = device.model(id)!;
      const p = m.layout.point(name)!;
      return device.writeRegisters(device.addressOf(id)! + p.offset, encodeRaw(p.type, p.size, value / 10 ** (m.scaleOf(p) ?? 0), name));
    };
    const run = (s: number) => {
      for (let i = 0; i < Math.round(s / 0.1); i++) {
        inv.step(0.1);
        bms.step(0.1);
      }
    };
    return { bms, inv, device, write, run };
  };

  it('charges the pack with PV beyond a controller power limit, and the pack sees the inverter current', () => {
    const { bms, inv, write, run } = setup(1000);
    run(30);
    expect(bms.contactorClosed()).toBe(true);
    expect(write(123, 'WMaxLimPct', 40)).toBeUndefined();
    expect(write(123, 'WMaxLim_Ena', 1)).toBeUndefined();
    const soc0 = bms.soc();
    run(60);
    expect(inv.state.acW).toBeLessThanOrEqual(2000 + 1e-6);
    expect(inv.state.batteryA).toBeGreaterThan(1);
    expect(inv.state.batteryA).toBeLessThanOrEqual(bms.chargeCurrentLimit() + 1e-9);
    expect(bms.snapshot().current).toBeCloseTo(inv.state.batteryA, 0);
    expect(bms.soc()).toBeGreaterThan(soc0);
  });

  it('discharges on 124 storage control (negative InWRte: discharge to the grid) and stops using the battery when the BMS link is lost', () => {
    const { bms, inv, write, run } = setup(0);
    expect(write(124, 'InWRte', -60)).toBeUndefined();
    expect(write(124, 'StorCtl_Mod', 1)).toBeUndefined();
    run(30);
    expect(inv.state.batteryA).toBeLessThan(-1);
    expect(-inv.state.batteryA).toBeLessThanOrEqual(bms.dischargeCurrentLimit() + 1e-9);
    expect(bms.snapshot().current).toBeLessThan(-1);
    expect(inv.state.acW).toBeGreaterThan(2000);
    const h = inv.injectFault({ kind: 'battery-comms-loss' });
    run(1);
    expect(inv.state.batteryA).toBe(0);
    expect(inv.state.acW).toBe(0);
    h.clear();
    run(30);
    expect(inv.state.batteryA).toBeLessThan(-1);
  });
});
