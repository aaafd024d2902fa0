/**
 * The inverter's end of a battery-to-inverter CAN link: it sends what real inverters send and reads what the
 * battery answers into a {@link HeardBms}.
 *
 * What it sends, every `periodMs` (default 1000):
 * - `pylon-lv`: 0x305, 8 zero bytes [DIY stuartpittaway/diyBMSv4ESP32 ESPController/src/main.cpp @ 0af053d4 comment
 *   "output by the inverter once per second"; BE dalathegreat/Battery-Emulator Software/src/inverter/PYLON-LV-CAN.cpp
 *   @ 62532e94 comment "includes only 0-bytes"; Uksa007/esphome-jk-bms-can README.md @ cb24f743 log, 8 bytes].
 * - `sma-lv`: 0x305 battery voltage (bytes 0-1), current (2-3), temperature (4-5), SOC (6-7) and 0x306 SOH (0-1),
 *   charging procedure (2), operating state (3), active error (4-5), charge voltage setpoint (6-7) [field positions:
 *   BE Software/src/inverter/SMA-LV-CAN.cpp @ 62532e94 comments]. Scales are *assumed* (no public source states
 *   them): little-endian, 0.1 V, 0.1 A signed, 0.1 degC signed, 1 %; operating state 1 = running, 0 = stopped.
 * - `pylon-hv`: 0x4200 with byte 0 cycling 0, 1, 2 (0 asks for the ensemble information 0x4210-0x4290, 2 for the
 *   system information 0x7310-0x7340), 0x3010 `01 00 ...` (heartbeat), 0x8200 `AA` (quit sleep), 0x8210 `AA 00`
 *   (charge command) [BE Software/src/battery/PYLON-BATTERY.cpp @ 62532e94, which plays the inverter; diyBMS
 *   pylonforce_canbus.cpp @ 0af053d4 quoting the protocol document].
 *
 * Contract: `start()` subscribes and starts the cycle; `stop()` ends both (idempotent). `mute(true)` stops sending
 * and hearing (a broken inverter-side CAN link) until `mute(false)`. Frames of other ids are ignored; battery ids
 * that do not decode are counted in `heard.malformed`. Never throws from a bus callback; a send that fails is
 * counted in `sendErrors`.
 */
import { PeriodicSchedule, type Clock } from '../../../core/clock';
import { ConfigError } from '../../../core/errors';
import type { CanBus } from '../../../protocols/can/bus';
import type { Database } from '../../../protocols/can/dbc';
import type { CanFrame } from '../../../protocols/can/frame';
import { emptyHeard, type HeardBms } from './heard-bms';
import { hvDatabase, readHvFrame } from './hv-reader';
import { lvDatabase, readLvFrame } from './lv-reader';

export type BatteryCanProtocol = 'pylon-lv' | 'sma-lv' | 'pylon-hv';
export const BATTERY_CAN_PROTOCOLS: readonly BatteryCanProtocol[] = ['pylon-lv', 'sma-lv', 'pylon-hv'];
/** Variants the client reads (bench `batteryCan.variant`). */
export const CLIENT_VARIANTS: Readonly<Record<BatteryCanProtocol, readonly string[]>> = {
  'pylon-lv': ['pylon'],
  'sma-lv': ['sma', 'sma-bigendian'],
  'pylon-hv': ['pylon', 'pylon-discharge-positive'],
};

/** What the inverter measures itself, for the frames that carry it (SMA 0x305/0x306). */
export interface InverterMeasurements {
  voltage: number;
  current: number;
  temperature: number;
  soc: number;
  soh: number;
  running: boolean;
  chargeVoltageSetpoint: number;
}

export class BatteryCanClient {
  readonly heard: HeardBms = emptyHeard();
  sent = 0;
  sendErrors = 0;
  private readonly db: Database;
  private schedule: PeriodicSchedule | undefined;
  private unsubscribe: (() => void) | undefined;
  private cycle = 0;
  private muted = false;
  readonly startedMs: number;

  constructor(
    private readonly bus: CanBus,
    private readonly clock: Clock,
    readonly protocol: BatteryCanProtocol,
    readonly variant: string,
    private readonly measure: () => InverterMeasurements,
    private readonly periodMs = 1000,
  ) {
    if (!BATTERY_CAN_PROTOCOLS.includes(protocol)) throw new ConfigError(`battery CAN protocol '${protocol}' is not one the inverter speaks (${BATTERY_CAN_PROTOCOLS.join(', ')})`);
    if (!CLIENT_VARIANTS[protocol].includes(variant)) throw new ConfigError(`battery CAN protocol ${protocol} has no variant '${variant}' the inverter reads (${CLIENT_VARIANTS[protocol].join(', ')})`);
    this.db = protocol === 'pylon-hv' ? hvDatabase() : lvDatabase(variant);
    this.startedMs = clock.now();
  }

  start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.bus.onFrame((f) => this.onFrame(f));
    // The first cycle on the clock's next turn, then every period on the core schedule (skips after a stall).
    this.schedule = new PeriodicSchedule(this.clock, this.periodMs, () => this.sendCycle(), { firstAt: this.clock.now() });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.schedule?.stop();
    this.schedule = undefined;
  }

  mute(on: boolean): void {
    this.muted = on;
  }

  get isMuted(): boolean {
    return this.muted;
  }

  /** Seconds since the last battery frame; since start while none has come. */
  age(): number {
    return (this.clock.now() - (this.heard.lastFrameMs ?? this.startedMs)) / 1000;
  }

  private onFrame(f: CanFrame): void {
    if (this.muted || f.error || f.rtr) return;
    const mine = this.protocol === 'pylon-hv' ? readHvFrame(this.db, f, this.heard) : readLvFrame(this.db, f, this.heard);
    if (!mine) return;
    this.heard.frames++;
    this.heard.lastFrameMs = this.clock.now();
  }

  private put(id: number, data: number[], extended: boolean): void {
    this.sent++;
    this.bus.send({ id, extended, data: Uint8Array.from(data) }).catch(() => {
      this.sendErrors++;
    });
  }

  private sendCycle(): void {
    if (this.muted) return;
    if (this.protocol === 'pylon-lv') this.put(0x305, [0, 0, 0, 0, 0, 0, 0, 0], false);
    else if (this.protocol === 'sma-lv') {
      const m = this.measure();
      this.put(0x305, [...le16(m.voltage * 10), ...le16(m.current * 10), ...le16(m.temperature * 10), ...le16(m.soc)], false);
      this.put(0x306, [...le16(m.soh), 0, m.running ? 1 : 0, 0, 0, ...le16(m.chargeVoltageSetpoint * 10)], false);
    } else {
      this.put(0x4200, [this.cycle++ % 3, 0, 0, 0, 0, 0, 0, 0], true);
      this.put(0x3010, [1, 0, 0, 0, 0, 0, 0, 0], true);
      this.put(0x8200, [0xaa, 0, 0, 0, 0, 0, 0, 0], true);
      this.put(0x8210, [0xaa, 0, 0, 0, 0, 0, 0, 0], true);
    }
  }
}

function le16(x: number): [number, number] {
  const v = Math.round(x) & 0xffff;
  return [v & 0xff, v >> 8];
}
