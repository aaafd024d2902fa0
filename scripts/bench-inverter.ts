/**
 * Inverter emulator figures (issue 5), each as a ratio against a reference measured in the same run:
 * - model speed: simulated seconds per wall-clock second for one inverter stepped at 100 ms on a cloudy day
 *   (reference: real time, ratio 1), alone and with a hybrid battery port;
 * - SunSpec reads: 125-register reads across the inverter's SunSpec chain (each refreshing the models it touches
 *   from the model state), beside the same reads from a static RegisterMap holding the same number of registers;
 *   then the reference controller's one-second read (122 WAval .. 124 InWRte, 55 registers: the models' live points
 *   only, no onRead hook), beside the same read from the RegisterMap. Issue 19: live points refreshed through an
 *   encoding resolved once took that read from 0.27 to 0.49 x the static map, 1.0 to 0.57 us (2026-12-07, the
 *   commit before and after, alternated three times).
 *
 *   npm run build && node dist/scripts/bench-inverter.js [--seconds 2]
 */
import { SimpleBatteryPort } from '../emulators/inverter/battery-port';
import { Inverter } from '../emulators/inverter/inverter';
import { cloudyDay } from '../emulators/inverter/irradiance';
import { createInverterSunSpec } from '../emulators/inverter/sunspec-map';
import { RegisterMap } from '../protocols/modbus/register-map';
import { oneSecondRead } from './bench-floor-controller';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

function timeFor(seconds: number, fn: () => void): { n: number; perS: number } {
  const end = performance.now() + seconds * 1000;
  const t0 = performance.now();
  let n = 0;
  while (performance.now() < end) {
    for (let k = 0; k < 100; k++) fn();
    n += 100;
  }
  return { n, perS: n / ((performance.now() - t0) / 1000) };
}

const seconds = arg('--seconds', 2);

const pv = new Inverter({ seed: 1, profile: cloudyDay({ seed: 1 }), startTimeOfDay: 8 * 3600 });
const steps = timeFor(seconds, () => pv.step(0.1));
const bat = new SimpleBatteryPort();
const hy = new Inverter({ seed: 1, profile: cloudyDay({ seed: 1 }), startTimeOfDay: 8 * 3600, battery: bat });
const hySteps = timeFor(seconds, () => {
  hy.step(0.1);
  bat.step(0.1);
});
console.log(`model speed, PV inverter at dt 0.1 s : ${(steps.perS * 0.1).toFixed(0)} simulated s per wall s (x real time)`);
console.log(`model speed, hybrid + battery double: ${(hySteps.perS * 0.1).toFixed(0)} simulated s per wall s (x real time)`);

const inv = new Inverter({ seed: 2, battery: new SimpleBatteryPort() });
for (let i = 0; i < 600; i++) inv.step(0.1);
const { device } = createInverterSunSpec(inv);
const total = device.endAddress + 2 - device.base;
const starts: number[] = [];
for (let a = device.base; a < device.base + total; a += 125) starts.push(a);
const last = device.base + total;
let i = 0;
const sunspec = timeFor(seconds, () => {
  const a = starts[i++ % starts.length]!;
  device.readHoldingRegisters(a, Math.min(125, last - a));
});
const ref = new RegisterMap();
ref.addRegisters({ table: 'holding', start: 40000, values: new Array<number>(total).fill(1) });
let j = 0;
const plain = timeFor(seconds, () => {
  const a = starts[j++ % starts.length]!;
  ref.readHoldingRegisters(a, Math.min(125, last - a));
});
console.log(`SunSpec chain: ${total} registers, ${device.models.length} models`);
console.log(`125-register reads/s: SunSpec device ${sunspec.perS.toFixed(0)}, static RegisterMap ${plain.perS.toFixed(0)}, ratio ${(sunspec.perS / plain.perS).toFixed(2)}`);

// The reference controller's one-second read (examples/controllers/reference/sunspec-link.ts): 122 WAval to 124
// InWRte, one request. Those models refresh only the live points a read covers (no onRead hook).
const { address: from, quantity } = oneSecondRead(device.addressOf(122), device.addressOf(124))!;
const live = timeFor(seconds, () => device.readHoldingRegisters(from, quantity));
const livePlain = timeFor(seconds, () => ref.readHoldingRegisters(from, quantity));
console.log(
  `${quantity}-register reads/s of 122 WAval..124 InWRte (the reference controller's one-second read): SunSpec device ${live.perS.toFixed(0)} ` +
    `(${(1e9 / live.perS).toFixed(0)} ns each), static RegisterMap ${livePlain.perS.toFixed(0)}, ratio ${(live.perS / livePlain.perS).toFixed(2)}`,
);
