/** What the BMS logic sees each step: readings through the (possibly faulty) sensors, not the true state. */
export class Measurements {
  cellVMin = 0;
  cellVMax = 0;
  cellVMinId = 0;
  cellVMaxId = 0;
  tempMin = 0;
  tempMax = 0;
  tempMinId = 0;
  tempMaxId = 0;
  /** String current, A, + = charge. */
  current = 0;
  packVoltage = 0;
  /** BMS state-of-charge estimate 0..1. */
  soc = 0;
  insulationKOhm = 10_000;
  /** A reading failed its plausibility check (open wire, out of range). */
  sensorFault = false;
}
