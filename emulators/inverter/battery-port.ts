/**
 * The DC battery port of a hybrid inverter: what the inverter needs from a battery and its BMS. The BMS emulator
 * (emulators/bms/) implements it; `SimpleBatteryPort` below is a plain test double.
 *
 * Sign convention: current is positive when CHARGING (flowing into the battery), negative when discharging,
 * as in the Pylontech CAN 0x356 frame. Limits are magnitudes (>= 0).
 */
export interface BatteryPort {
  /** Terminal voltage in volts (behind the contactor; 0 or near 0 is allowed while open). */
  voltage(): number;
  /** Largest charge current the BMS allows now, amps >= 0 (0: charging forbidden). */
  chargeCurrentLimit(): number;
  /** Largest discharge current the BMS allows now, amps >= 0 (0: discharging forbidden). */
  dischargeCurrentLimit(): number;
  /** Whether the main contactor is closed; while open the inverter commands 0 A. */
  contactorClosed(): boolean;
  /**
   * The current the inverter drives from now on, amps (+ charge, - discharge). The inverter keeps it within the
   * limits read just before; an implementation receiving more than its limit may clamp, count or trip, as a
   * real BMS would. Called once per inverter step, with 0 while the contactor is open.
   */
  setCurrent(amps: number): void;
  /**
   * The inverter's periodic "I am here" to the BMS (what the LV CAN 0x305 frame carries on a real bus). Called once
   * per inverter step while the inverter talks to the battery; a BMS may open its contactor or zero its limits when
   * the beats stop (inverter fault `battery-comms-loss`). Optional: in-process couplings only.
   */
  heartbeat?(): void;
  /** State of charge, percent 0-100, if the BMS reports it (used for SunSpec 124 ChaState). */
  soc?(): number;
  /** Usable capacity in Ah, if known (SunSpec 124 StorAval, 120 AhrRtg). */
  capacityAh?(): number;
}

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
