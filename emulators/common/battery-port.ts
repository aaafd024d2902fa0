/**
 * The DC battery port of a hybrid inverter: what the inverter needs from a battery and its BMS. The BMS emulator
 * (emulators/bms/) offers one through its bench adapter (`BenchDevice.batteryPort`); the inverter emulator
 * (emulators/inverter/) uses it; `SimpleBatteryPort` (emulators/inverter/battery-port.ts) is a plain test double.
 * Declared here, between the two device kinds, so neither imports the other.
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
