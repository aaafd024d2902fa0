/**
 * The battery side of a storage inverter that takes its orders from the battery over CAN: it hears the BMS through
 * a {@link BatteryCanClient} and drives its battery port (the pack's power path) within what it heard, as real
 * inverters do. It models the battery converter only (no PV, no AC): the current it wants is `demandA` (+ charge,
 * a scenario input), standing for the site's surplus or load.
 *
 * Rules, in order, each step:
 * 1. Nothing heard yet: no current.
 * 2. Battery silent longer than `timeoutS`: `onTimeout: 'stop'` (default) stops charge and discharge until frames
 *    come back - what Battery-Emulator does when it plays the inverter towards a battery (CAN_battery_still_alive
 *    counts 60 one-second ticks, then EVENT_CAN_BATTERY_MISSING, level ERROR, stops the system [BE
 *    Software/src/devboard/safety/safety.cpp, utils/types.h CAN_STILL_ALIVE 60, utils/events.cpp @ 62532e94]; hence
 *    the 60 s default). `'hold-last'` keeps using the last values heard, as a Victron Multiplus was reported to do
 *    when its BMS data stopped [Louisvdw/dbus-serialbattery discussion #525: "the last received value gets stuck and
 *    Multiplus just holds that value"] - the unsafe behaviour a translator must not rely on.
 * 3. A protection bit (LV 0x359 bytes 0-1 or a 0x35A alarm pair; HV 0x4250 protection flags or error byte): trip,
 *    no current; it restarts `restartDelayS` (default 5, *assumed*) after the last protection cleared.
 * 4. Charge current <= the charge current limit, and 0 when charge is not enabled (LV 0x35C bit 7 clear; HV 0x4280
 *    byte 0 0xAA); discharge the same with the discharge limit and bit 6 / byte 1. A limit heard as 0 stops that
 *    direction. Both bounded by the converter's `maxChargeA` / `maxDischargeA`.
 * 5. Voltage: charging tapers to 0 over the last `taperV` (default 1 V) below the charge voltage limit (CV phase);
 *    discharging stops at the discharge voltage limit when the battery sends one.
 * 6. The current moves toward the target at `rampAPerS` (default 50 A/s; 0 = at once) and is 0 while the pack's
 *    contactor is open.
 */
import type { Clock } from '../../../core/clock';
import type { CanBus } from '../../../protocols/can/bus';
import type { BatteryPort } from '../battery-port';
import { BatteryCanClient, type BatteryCanProtocol } from './battery-can-client';
import { BMS_ALARMS } from './heard-bms';

export interface BatteryCanInverterOptions {
  protocol: BatteryCanProtocol;
  variant?: string;
  /** Seconds of battery silence before the inverter reacts (default 60). */
  timeoutS?: number;
  onTimeout?: 'stop' | 'hold-last';
  /** Converter rating, A (default 100 each way). */
  maxChargeA?: number;
  maxDischargeA?: number;
  /** Current wanted, A, + charge (default 0). */
  demandA?: number;
  rampAPerS?: number;
  restartDelayS?: number;
  taperV?: number;
  /** Heartbeat/poll period, ms (default 1000). */
  periodMs?: number;
  /** Inverter-side temperature reported in SMA 0x305 (default 25). */
  ambientC?: number;
}

export type InverterBatteryState = 'waiting' | 'running' | 'tripped' | 'lost' | 'holding';

export class BatteryCanInverter {
  readonly client: BatteryCanClient;
  state: InverterBatteryState = 'waiting';
  demandA: number;
  /** Current driven into the battery now, A (+ charge). */
  current = 0;
  trips = 0;
  timeouts = 0;
  private restartAt = 0;
  private readonly o: Required<Omit<BatteryCanInverterOptions, 'variant' | 'protocol'>>;

  constructor(
    bus: CanBus,
    private readonly clock: Clock,
    options: BatteryCanInverterOptions,
    private readonly port?: BatteryPort,
  ) {
    this.o = {
      timeoutS: 60,
      onTimeout: 'stop',
      maxChargeA: 100,
      maxDischargeA: 100,
      demandA: 0,
      rampAPerS: 50,
      restartDelayS: 5,
      taperV: 1,
      periodMs: 1000,
      ambientC: 25,
      ...stripUndefined(options),
    };
    this.demandA = this.o.demandA;
    const variant = options.variant ?? (options.protocol === 'sma-lv' ? 'sma' : 'pylon');
    this.client = new BatteryCanClient(bus, clock, options.protocol, variant, () => this.measurements(), this.o.periodMs);
  }

  start(): void {
    this.client.start();
  }

  stop(): void {
    this.client.stop();
  }

  /** Advance by `dt` seconds: decide the state and the current, and drive the port. */
  step(dt: number): void {
    const h = this.client.heard;
    const now = this.clock.now();
    let target = 0;
    const silent = this.client.age() > this.o.timeoutS;
    if (h.frames === 0) this.state = 'waiting';
    else if (silent && this.o.onTimeout === 'stop') {
      if (this.state !== 'lost') this.timeouts++;
      this.state = 'lost';
    } else if (h.protections.size > 0) {
      if (this.state !== 'tripped') this.trips++;
      this.state = 'tripped';
      this.restartAt = now + this.o.restartDelayS * 1000;
    } else if (this.state === 'tripped' && now < this.restartAt) this.state = 'tripped';
    else {
      if (silent && this.state !== 'holding') this.timeouts++;
      this.state = silent ? 'holding' : 'running';
      target = this.target();
    }
    const closed = this.port ? this.port.contactorClosed() : false;
    if (!closed) target = 0;
    const r = this.o.rampAPerS;
    if (r > 0 && target !== 0 && Math.sign(target) === Math.sign(this.current)) {
      const step = r * dt;
      this.current = Math.abs(target) > Math.abs(this.current) ? this.current + Math.sign(target) * Math.min(step, Math.abs(target - this.current)) : target;
    } else if (r > 0 && target !== 0) this.current = Math.sign(target) * Math.min(Math.abs(target), r * dt);
    else this.current = target;
    this.current += 0; // no -0 in signals
    this.port?.setCurrent(this.current);
  }

  private target(): number {
    const h = this.client.heard;
    const v = this.port?.voltage() ?? h.voltage ?? 0;
    let chargeCap = h.chargeEnable === false ? 0 : Math.min(h.chargeLimit ?? 0, this.o.maxChargeA);
    let dischargeCap = h.dischargeEnable === false ? 0 : Math.min(h.dischargeLimit ?? 0, this.o.maxDischargeA);
    if (h.chargeVoltage !== undefined) chargeCap *= clamp((h.chargeVoltage - v) / this.o.taperV, 0, 1);
    if (h.dischargeVoltage !== undefined && h.dischargeVoltage > 0 && v <= h.dischargeVoltage) dischargeCap = 0;
    return clamp(this.demandA, -dischargeCap, chargeCap);
  }

  private measurements() {
    const h = this.client.heard;
    return {
      voltage: this.port?.voltage() ?? 0,
      current: this.current,
      temperature: this.o.ambientC,
      soc: h.soc ?? 0,
      soh: h.soh ?? 100,
      running: this.state === 'running',
      chargeVoltageSetpoint: h.chargeVoltage ?? 0,
    };
  }

  /**
   * Signals: `bms.<x>` what was heard (chargeLimit, dischargeLimit, chargeVoltage, dischargeVoltage, soc, soh,
   * voltage, current, temperature, chargeEnable, dischargeEnable, forceCharge, alarm.<n>, warning.<n>, alarm.any,
   * age (s since the last battery frame), frames, malformed, lost); `battery.current`, `battery.voltage`,
   * `battery.power` (what the inverter drives), `demandA`, `running`, `tripped`, `lost`, `trips`, `timeouts`,
   * `framesSent`.
   */
  signal(name: string): number | boolean | undefined {
    const h = this.client.heard;
    if (name.startsWith('bms.alarm.')) return name === 'bms.alarm.any' ? h.protections.size > 0 : h.protections.has(name.slice(10) as never);
    if (name.startsWith('bms.warning.')) return name === 'bms.warning.any' ? h.warnings.size > 0 : h.warnings.has(name.slice(12) as never);
    switch (name) {
      case 'bms.chargeLimit':
        return h.chargeLimit;
      case 'bms.dischargeLimit':
        return h.dischargeLimit;
      case 'bms.chargeVoltage':
        return h.chargeVoltage;
      case 'bms.dischargeVoltage':
        return h.dischargeVoltage;
      case 'bms.soc':
        return h.soc;
      case 'bms.soh':
        return h.soh;
      case 'bms.voltage':
        return h.voltage;
      case 'bms.current':
        return h.current;
      case 'bms.temperature':
        return h.temperature;
      case 'bms.chargeEnable':
        return h.chargeEnable;
      case 'bms.dischargeEnable':
        return h.dischargeEnable;
      case 'bms.forceCharge':
        return h.forceCharge;
      case 'bms.age':
        return this.client.age();
      case 'bms.frames':
        return h.frames;
      case 'bms.malformed':
        return h.malformed;
      case 'bms.lost':
        return this.client.age() > this.o.timeoutS;
      case 'battery.current':
        return this.current;
      case 'battery.voltage':
        return this.port?.voltage();
      case 'battery.power':
        return this.current * (this.port?.voltage() ?? 0);
      case 'demandA':
        return this.demandA;
      case 'running':
        return this.state === 'running' || this.state === 'holding';
      case 'tripped':
        return this.state === 'tripped';
      case 'lost':
        return this.state === 'lost';
      case 'trips':
        return this.trips;
      case 'timeouts':
        return this.timeouts;
      case 'framesSent':
        return this.client.sent;
      default:
        return undefined;
    }
  }

  static signalNames(): string[] {
    const heard = ['chargeLimit', 'dischargeLimit', 'chargeVoltage', 'dischargeVoltage', 'soc', 'soh', 'voltage', 'current', 'temperature', 'chargeEnable', 'dischargeEnable', 'forceCharge', 'age', 'frames', 'malformed', 'lost'];
    return [
      ...heard.map((n) => `bms.${n}`),
      'bms.alarm.any',
      'bms.warning.any',
      ...BMS_ALARMS.flatMap((a) => [`bms.alarm.${a}`, `bms.warning.${a}`]),
      'battery.current',
      'battery.voltage',
      'battery.power',
      'demandA',
      'running',
      'tripped',
      'lost',
      'trips',
      'timeouts',
      'framesSent',
    ];
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
