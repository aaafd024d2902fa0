import type { BatteryPort } from '../common/battery-port';

export type { BatteryPort } from '../common/battery-port';

export interface SimpleBatteryOptions {
  capacityAh?: number;
  /** Initial state of charge, percent. */
  soc?: number;
  /** Open-circuit voltage at 0 % and 100 % SOC (linear between). */
  emptyVoltage?: number;
  fullVoltage?: number;
  /** Series resistance, ohms. */
  resistance?: number;
  maxChargeA?: number;
  maxDischargeA?: number;
}

/**
 * An ideal battery for tests: linear OCV over SOC, series resistance, fixed current limits that fall to 0 at
 * 100 % (charge) and 0 % (discharge), a contactor a test can open. Integrates charge in `step(dt)`.
 */
export class SimpleBatteryPort implements BatteryPort {
  private socPct: number;
  private current = 0;
  private closed = true;
  /** Every current the inverter set, for assertions. */
  readonly history: number[] = [];
  /** Heartbeats received. */
  beats = 0;
  private readonly o: Required<SimpleBatteryOptions>;
  chargeLimitA: number;
  dischargeLimitA: number;

  constructor(options: SimpleBatteryOptions = {}) {
    this.o = {
      capacityAh: 100,
      soc: 50,
      emptyVoltage: 44,
      fullVoltage: 54,
      resistance: 0.01,
      maxChargeA: 50,
      maxDischargeA: 50,
      ...options,
    };
    this.socPct = this.o.soc;
    this.chargeLimitA = this.o.maxChargeA;
    this.dischargeLimitA = this.o.maxDischargeA;
  }

  voltage(): number {
    if (!this.closed) return 0;
    const ocv = this.o.emptyVoltage + ((this.o.fullVoltage - this.o.emptyVoltage) * this.socPct) / 100;
    return ocv + this.current * this.o.resistance;
  }
  chargeCurrentLimit(): number {
    return this.socPct >= 100 ? 0 : this.chargeLimitA;
  }
  dischargeCurrentLimit(): number {
    return this.socPct <= 0 ? 0 : this.dischargeLimitA;
  }
  contactorClosed(): boolean {
    return this.closed;
  }
  setCurrent(amps: number): void {
    this.current = this.closed ? amps : 0;
    this.history.push(amps);
  }
  soc(): number {
    return this.socPct;
  }
  heartbeat(): void {
    this.beats++;
  }
  capacityAh(): number {
    return this.o.capacityAh;
  }
  /** The current last set, amps (+ charge). */
  get lastCurrent(): number {
    return this.current;
  }
  /** Open or close the contactor (opening drops the current to 0). */
  setContactor(closed: boolean): void {
    this.closed = closed;
    if (!closed) this.current = 0;
  }
  step(dtSeconds: number): void {
    this.socPct = Math.min(100, Math.max(0, this.socPct + (this.current * dtSeconds * 100) / 3600 / this.o.capacityAh));
  }
}
