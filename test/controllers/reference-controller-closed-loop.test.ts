/**
 * The reference controller in a closed loop with the real emulators, in virtual time: a BMS device (LFP 16s pack)
 * broadcasting its LV CAN profile and hearing the controller's heartbeat, and a hybrid inverter whose battery
 * port is that BMS device, answering SunSpec through an in-process Modbus master.
 */
import { VirtualClock } from '../../core/clock';
import { BmsDevice } from '../../emulators/bms/device/bms-device';
import { loadPackFixture } from '../../emulators/bms/pack/fixtures';
import { attachLvCan } from '../../emulators/bms/profiles/lv-can-profile';
import { driveWithClock } from '../../emulators/inverter/clock-driver';
import { Inverter } from '../../emulators/inverter/inverter';
import { constant } from '../../emulators/inverter/irradiance';
import { createInverterSunSpec } from '../../emulators/inverter/sunspec-map';
import type { CanBus } from '../../protocols/can/bus';
import { openBus } from '../../protocols/can/registry';
import { InProcessMaster } from '../../protocols/modbus/in-process-master';
import { ModbusServerCore } from '../../protocols/modbus/server-core';
import { createController, type Controller } from '../../examples/controllers/reference/controller';
import { drain } from './support/virtual-rig';

describe('reference controller with the BMS and inverter emulators (closed loop, virtual time)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function bench(channel: string, initialSoc: number, o: { irradiance?: number; controller?: Record<string, unknown> } = {}) {
    const clock = new VirtualClock(0);
    const bms = new BmsDevice(loadPackFixture('lfp-lishen-16s-202ah'), { seed: 3, clock, initialSoc, ambientC: 25 });
    const bmsDriver = driveWithClock(clock, bms, 100);
    const buses: CanBus[] = [];
    for (let i = 0; i < 3; i++) buses.push(await openBus(`virtual:${channel}`, { clock }));
    const [bmsBus, ctlBus, probe] = buses as [CanBus, CanBus, CanBus];
    const lv = attachLvCan(bms, bmsBus, { clock });
    const inverter = new Inverter({ profile: constant(o.irradiance ?? 1000), battery: bms, startDelayS: 1, seed: 3 });
    const invDriver = driveWithClock(clock, inverter, 100);
    const core = new ModbusServerCore({ clock });
    core.addUnit(1, createInverterSunSpec(inverter).device);
    const master = new InProcessMaster(core, clock, { unitId: 1 });
    const lines: string[] = [];
    const controller: Controller = createController(
      { clock, packs: [{ name: 'lfp', bus: ctlBus }], inverters: [{ name: 'hybrid', master, unitId: 1 }], log: (l) => lines.push(l) },
      o.controller ?? {},
    );
    cleanups.push(async () => {
      await controller.stop();
      lv.detach();
      bmsDriver.stop();
      invDriver.stop();
      for (const b of buses) await b.close();
    });
    const run = async (ms: number, each?: () => void): Promise<void> => {
      const end = clock.now() + ms;
      for (;;) {
        const next = clock.nextDue();
        if (next === undefined || next > end) break;
        clock.advanceTo(next);
        await drain();
        each?.();
      }
      clock.advanceTo(end);
      await drain();
    };
    await controller.start();
    return { clock, bms, inverter, controller, probe, run, lines };
  }

  it('charges within the BMS limit, keeps the BMS heartbeat, stops within 500 ms of the BMS over-temperature alarm', async () => {
    const b = await bench('refctl-loop-1', 0.93);
    let worst = 0;
    let commandedMax = 0;
    await b.run(20_000, () => {
      const s = b.bms.snapshot();
      worst = Math.max(worst, s.current - s.chargeCurrentLimit);
      const c = b.inverter.controls;
      if (c.storageCharge && s.packVoltage > 0) commandedMax = Math.max(commandedMax, (c.chargePct / 100) * c.chargeMaxW - s.chargeCurrentLimit * s.packVoltage);
    });
    const s = b.bms.snapshot();
    expect(s.current).toBeGreaterThan(5); // charging
    expect(worst).toBeLessThanOrEqual(0.05 * s.chargeCurrentLimit);
    expect(commandedMax).toBeLessThanOrEqual(0);
    expect(s.heartbeatLost).toBe(false);
    expect(b.controller.status().packs[0]!.link).toBe('online');

    // A temperature sensor stuck at 65 degC: the BMS derates its charge limit to 0 at once (the controller stops
    // charging and curtails to curtailPct) and raises its over-temperature protection after its alarm delay (the
    // controller curtails to 0).
    let alarmFrameAt: number | undefined;
    b.probe.onFrame((f) => {
      if (f.id === 0x359 && (f.data[0]! & 0x08) !== 0 && alarmFrameAt === undefined) alarmFrameAt = b.clock.now();
    });
    b.bms.injectFault({ kind: 'sensor-stuck', sensor: 'temperature', value: 65 });
    let stoppedAt: number | undefined;
    await b.run(6000, () => {
      if (alarmFrameAt !== undefined && stoppedAt === undefined && b.inverter.controls.limitPct === 0) stoppedAt = b.clock.now();
    });
    expect(alarmFrameAt).toBeDefined();
    expect(stoppedAt).toBeDefined();
    expect(stoppedAt! - alarmFrameAt!).toBeLessThan(500);
    expect(b.inverter.controls.chargePct).toBe(0);
    expect(b.lines.some((l) => /lfp protections: .*over-temperature/.test(l))).toBe(true);
  });

  it('goes safe within 3.5 s when the BMS stops talking', async () => {
    const b = await bench('refctl-loop-2', 0.6);
    await b.run(10_000);
    expect(b.inverter.controls.chargePct).toBeGreaterThan(0);
    const t0 = b.clock.now();
    b.bms.injectFault({ kind: 'comms-loss' });
    let safeAt: number | undefined;
    await b.run(5000, () => {
      if (safeAt === undefined && b.inverter.controls.chargePct === 0 && b.inverter.controls.dischargePct === 0) safeAt = b.clock.now();
    });
    expect(safeAt).toBeDefined();
    expect(safeAt! - t0).toBeLessThanOrEqual(3500);
    expect(b.lines.some((l) => /lfp comms lost/.test(l))).toBe(true);
  });

  it('discharges at night down to its reserve, not to the BMS cut-off: the pack is not run flat (day-24h packs-alive)', async () => {
    // At 16 % and 3 kW, this 161 Ah pack would reach the BMS's 0 % in under half an hour; the reserve (10 %) stops it.
    const b = await bench('refctl-loop-night', 0.16, { irradiance: 0, controller: { periodMs: 1000 } });
    let lowest = 100;
    let discharged = false;
    await b.run(45 * 60_000, () => {
      const s = b.bms.snapshot();
      lowest = Math.min(lowest, s.soc * 100);
      if (s.current < -30) discharged = true;
    });
    expect(discharged).toBe(true); // it did discharge at night
    expect(lowest).toBeLessThan(11);
    expect(lowest).toBeGreaterThan(8); // stopped at the reserve (10 %), within one read period and the BMS's SOC step
    expect(Math.abs(b.bms.snapshot().current)).toBeLessThan(1); // held idle
    expect(b.lines.some((l) => /reserve \(SOC/.test(l))).toBe(true);
  }, 60_000);
});
