/**
 * A virtual-time bench for the reference controller: the test plays the BMS on a virtual CAN bus (LV frames encoded
 * with data/dbc/pylon-lv.dbc), and the inverter emulator's SunSpec device answers Modbus through a server core
 * and an in-process master. Everything runs on one VirtualClock.
 */
import { join } from 'node:path';
import { VirtualClock } from '../../../core/clock';
import { SimpleBatteryPort } from '../../../emulators/inverter/battery-port';
import { driveWithClock, type Driver } from '../../../emulators/inverter/clock-driver';
import { Inverter } from '../../../emulators/inverter/inverter';
import { constant } from '../../../emulators/inverter/irradiance';
import { createInverterSunSpec } from '../../../emulators/inverter/sunspec-map';
import type { CanBus } from '../../../protocols/can/bus';
import { loadDbc } from '../../../protocols/can/dbc';
import type { CanFrame } from '../../../protocols/can/frame';
import { openBus } from '../../../protocols/can/registry';
import { InProcessMaster } from '../../../protocols/modbus/in-process-master';
import { ModbusServerCore } from '../../../protocols/modbus/server-core';
import type { SunSpecDevice } from '../../../protocols/modbus/sunspec/sunspec-device';
import { createController, type Controller, type ControllerIo, type ControllerOptions } from '../../../examples/controllers/reference/controller';

export const db = loadDbc(join(__dirname, '..', '..', '..', 'data', 'dbc', 'pylon-lv.dbc'));

/** What the played BMS broadcasts every second. */
export interface BmsValues {
  cvl: number;
  ccl: number;
  dcl: number;
  dvl: number;
  soc: number;
  soh: number;
  voltage: number;
  current: number;
  temperature: number;
  overVoltage: boolean;
  underVoltage: boolean;
  overTemperature: boolean;
  chargeEnable: boolean;
  dischargeEnable: boolean;
}

export const DEFAULT_BMS: BmsValues = {
  cvl: 56.8,
  ccl: 40,
  dcl: 60,
  dvl: 46,
  soc: 55,
  soh: 90,
  voltage: 52,
  current: 0,
  temperature: 25,
  overVoltage: false,
  underVoltage: false,
  overTemperature: false,
  chargeEnable: true,
  dischargeEnable: true,
};

/** The LV frames for a set of values, encoded with the DBC. */
export function lvFrames(v: BmsValues): CanFrame[] {
  return [
    db.encode('BMS_Limits', { ChargeVoltageLimit: v.cvl, ChargeCurrentLimit: v.ccl, DischargeCurrentLimit: v.dcl, DischargeVoltageLimit: v.dvl }),
    db.encode('BMS_StateOfCharge', { SOC: Math.round(v.soc), SOH: v.soh }), // Pylontech: 4 bytes, whole percent
    db.encode('BMS_Measurements', { BatteryVoltage: v.voltage, BatteryCurrent: v.current, BatteryTemperature: v.temperature }),
    db.encode(
      'BMS_Protections',
      { ProtectionOverVoltage: v.overVoltage ? 1 : 0, ProtectionUnderVoltage: v.underVoltage ? 1 : 0, ProtectionOverTemperature: v.overTemperature ? 1 : 0, PackCount: 1, MarkerP: 0x50, MarkerN: 0x4e },
      { allowMissing: true },
    ),
    db.encode('BMS_Requests', { ChargeEnable: v.chargeEnable ? 1 : 0, DischargeEnable: v.dischargeEnable ? 1 : 0 }, { allowMissing: true }),
  ];
}

/** The test's BMS: broadcasts every 1 s while talking; records the heartbeats it receives. */
export class PlayedBms {
  readonly values: BmsValues = { ...DEFAULT_BMS };
  readonly heartbeats: Array<{ at: number; data: number[] }> = [];
  private talking = false;
  private timer: number | undefined;

  constructor(
    readonly bus: CanBus,
    private readonly clock: VirtualClock,
  ) {
    bus.onFrame((f) => {
      if (f.id === 0x305) this.heartbeats.push({ at: clock.now(), data: [...f.data] });
    });
  }

  /** Start broadcasting (first set at once). */
  talk(): void {
    if (this.talking) return;
    this.talking = true;
    const loop = (): void => {
      if (!this.talking) return;
      this.broadcast();
      this.timer = this.clock.setTimeout(loop, 1000);
    };
    loop();
  }

  /** Go silent (comms loss). */
  silence(): void {
    this.talking = false;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
  }

  /** Send the current values now (as a BMS does when an alarm starts, between its 1 s broadcasts). */
  broadcast(): void {
    for (const f of lvFrames(this.values)) void this.bus.send(f);
  }

  set(v: Partial<BmsValues>, sendNow = true): void {
    Object.assign(this.values, v);
    if (sendNow) this.broadcast();
  }
}

export interface RigOptions {
  channel: string;
  controller?: ControllerOptions;
  /** Irradiance, W/m2 (default 1000). */
  irradiance?: number;
  sunspecBase?: number;
  phases?: 'single' | 'three';
  /** Packs, each with its own bus and its own inverter (unit ids 1..n on one server core) (default 1). */
  packs?: number;
}

export interface Rig {
  clock: VirtualClock;
  /** The first pack's BMS and inverter (most tests have one). */
  bms: PlayedBms;
  inverter: Inverter;
  device: SunSpecDevice;
  /** Pack i's BMS (`pack${i+1}`) and the inverter charging it (`inv${i+1}`, unit i+1). */
  bmss: PlayedBms[];
  inverters: Inverter[];
  core: ModbusServerCore;
  /** The first inverter's master (each inverter has its own). */
  master: InProcessMaster;
  controller: Controller;
  lines: string[];
  /** Wire address of a SunSpec point (same map on every inverter). */
  addressOf(model: number, point: string): number;
  /** Advance virtual time, letting every promise chain settle after each timer. */
  run(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Let all queued promise callbacks (and the ones they queue) run. */
export function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Build the bench; the controller is created but not started. */
export async function makeRig(o: RigOptions): Promise<Rig> {
  const clock = new VirtualClock(0);
  const count = o.packs ?? 1;
  const buses: CanBus[] = [];
  const bmss: PlayedBms[] = [];
  const inverters: Inverter[] = [];
  const devices: SunSpecDevice[] = [];
  const drivers: Driver[] = [];
  const masters: InProcessMaster[] = [];
  const core = new ModbusServerCore({ clock });
  const packs: ControllerIo['packs'] = [];
  const invs: ControllerIo['inverters'] = [];
  for (let i = 0; i < count; i++) {
    const channel = `${o.channel}-${i + 1}`;
    const bmsBus = await openBus(`virtual:${channel}`, { clock });
    const ctlBus = await openBus(`virtual:${channel}`, { clock });
    buses.push(bmsBus, ctlBus);
    bmss.push(new PlayedBms(bmsBus, clock));
    const battery = new SimpleBatteryPort({ maxChargeA: 200, maxDischargeA: 200, soc: 50 });
    const inverter = new Inverter({ profile: constant(o.irradiance ?? 1000), battery, startDelayS: 1, seed: i + 1, phases: o.phases ?? 'single' });
    const { device } = createInverterSunSpec(inverter, o.sunspecBase !== undefined ? { base: o.sunspecBase } : {});
    inverters.push(inverter);
    devices.push(device);
    drivers.push(driveWithClock(clock, inverter, 100));
    core.addUnit(i + 1, device);
    const master = new InProcessMaster(core, clock, { unitId: i + 1 });
    masters.push(master);
    packs.push({ name: `pack${i + 1}`, bus: ctlBus });
    invs.push({ name: `inv${i + 1}`, master, unitId: i + 1, pack: `pack${i + 1}` });
  }
  const lines: string[] = [];
  const closeDevices = async (): Promise<void> => {
    for (const b of bmss) b.silence();
    for (const d of drivers) d.stop();
    for (const m of masters) await m.close();
    for (const b of buses) await b.close();
  };
  let controller: Controller;
  try {
    controller = createController({ clock, packs, inverters: invs, log: (l) => lines.push(l) }, o.controller ?? {});
  } catch (err) {
    await closeDevices();
    throw err;
  }
  const run = async (ms: number): Promise<void> => {
    const end = clock.now() + ms;
    await drain();
    for (;;) {
      const next = clock.nextDue();
      if (next === undefined || next > end) break;
      clock.advanceTo(next);
      await drain();
    }
    clock.advanceTo(end);
    await drain();
  };
  const device = devices[0]!;
  return {
    clock,
    bms: bmss[0]!,
    inverter: inverters[0]!,
    device,
    bmss,
    inverters,
    core,
    master: masters[0]!,
    controller,
    lines,
    addressOf(model, point) {
      const m = device.model(model)!;
      return device.addressOf(model)! + m.layout.point(point)!.offset;
    },
    run,
    async close() {
      await controller.stop();
      await closeDevices();
    },
  };
}
