/**
 * Plant speed in virtual time (issue 4 figures): 16 packs of 96 series elements (Nissan Leaf 24 kWh profile,
 * 96s2p), 1 s steps, 24 simulated hours on a VirtualClock; every simulated second each pack steps its model and
 * BMS logic and sends its six LV CAN frames (0x351, 0x355, 0x356, 0x359, 0x35C, 0x35E) onto `virtual:bench`.
 * Prints wall time, x-real-time, the split model / encode+send, and a reference measured in the same run: a
 * bare typed-array pass over the same number of elements (so a slow or busy machine shows as a ratio).
 *
 *   npm run build && node dist/scripts/bench-bms.js [--hours 24] [--packs 16] [--busy] [--receiver]
 *
 * The default duty is a storage day (PV charge 9-15 h, evening discharge 17-23 h, rest otherwise); --busy runs a
 * current through every pack every second (no rest fast path). --receiver adds a listening peer on the bus (it
 * counts and drains every frame), to show what delivery to a receiver costs.
 */
import { VirtualClock } from '../core/clock';
import { BmsDevice } from '../emulators/bms/device/bms-device';
import { loadPackFixture } from '../emulators/bms/pack/fixtures';
import { LvCanEncoder } from '../emulators/bms/profiles/lv-can';
import { openBus } from '../protocols/can/registry';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const ns = (): bigint => process.hrtime.bigint();
const ms = (d: bigint): number => Number(d) / 1e6;

/** Current every second: a slow sine between -1/2 and +1/2 of `amps` (never exactly 0). */
function busyCycle(phaseS: number, amps: number): (t: number) => number {
  return (t) => 0.5 * amps * Math.sin(((t + phaseS) / 3600) * Math.PI) + 1e-3;
}

/** A day of second-life storage duty: charge from PV around noon, discharge in the evening, rest at night. */
function dutyCycle(phaseS: number, amps: number): (t: number) => number {
  return (t) => {
    const h = (((t + phaseS) % 86400) + 86400) % 86400 / 3600;
    if (h >= 9 && h < 15) return amps * Math.sin(((h - 9) / 6) * Math.PI);
    if (h >= 17 && h < 23) return -amps * 0.6;
    return 0;
  };
}

function referencePass(elements: number, steps: number): number {
  const a = new Float64Array(elements);
  const b = new Float64Array(elements).fill(1e-6);
  const t0 = ns();
  for (let s = 0; s < steps; s++) for (let i = 0; i < elements; i++) a[i] = a[i]! * 0.999999 + b[i]!;
  const t = ms(ns() - t0);
  if (a[0] === 42) console.log(''); // keep the loop
  return t;
}

async function main(): Promise<void> {
  const hours = arg('hours', 24);
  const nPacks = arg('packs', 16);
  const withReceiver = process.argv.includes('--receiver');
  const busy = process.argv.includes('--busy');
  const profile = loadPackFixture('nissan-leaf-24kwh');
  const clock = new VirtualClock(0);
  const bus = await openBus('virtual:bench', { clock });
  const rx = withReceiver ? await openBus('virtual:bench', { clock }) : undefined;
  let received = 0;
  rx?.onFrame(() => received++);
  const packs: BmsDevice[] = [];
  const encoders: LvCanEncoder[] = [];
  for (let k = 0; k < nPacks; k++) {
    // 'clamp': the inverter keeps within the BMS limits, as a well-behaved one does
    const dev = new BmsDevice(profile, { seed: k + 1, initialSoc: 0.3, clock, currentPolicy: 'clamp' });
    dev.setCurrentSource(busy ? busyCycle(k * 600, 10) : dutyCycle(k * 600, 10));
    packs.push(dev);
    encoders.push(new LvCanEncoder());
  }
  const steps = Math.round(hours * 3600);
  let modelNs = 0n;
  let framesNs = 0n;
  let frames = 0;
  let skipped = 0;
  const wall0 = ns();
  const cpu0 = process.cpuUsage();
  let tick = 0;
  const onTick = (): void => {
    const t0 = ns();
    for (let k = 0; k < nPacks; k++) {
      const dev = packs[k]!;
      dev.heartbeat();
      dev.step(1);
    }
    const t1 = ns();
    for (let k = 0; k < nPacks; k++) {
      const snap = packs[k]!.snapshot();
      if (snap.commsLost) {
        skipped++;
        continue;
      }
      const fs = encoders[k]!.encode(snap);
      for (let j = 0; j < fs.length; j++) void bus.send(fs[j]!);
      frames += fs.length;
    }
    if (rx) for (let j = 0; j < 6 * nPacks; j++) void rx.recv(0); // the queue shifts synchronously
    framesNs += ns() - t1;
    modelNs += t1 - t0;
    tick++;
    if (tick < steps) clock.setTimer(tick * 1000, onTick);
  };
  clock.setTimer(0, onTick);
  await clock.advanceToAsync(steps * 1000);
  const wallMs = ms(ns() - wall0);
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (rx) {
    // drain what is left so the receive queue does not hold the run's frames
    for (let i = 0; i < 1e7 && (await rx.recv(0)) !== null; i++);
  }
  const refMs = referencePass(nPacks * profile.topology.series, steps);
  const simS = steps;
  const s0 = packs[0]!.snapshot();
  console.log(`bench:bms  ${nPacks} packs x ${profile.topology.series} series elements (${profile.id}), ${hours} h in 1 s steps = ${steps} steps/pack, duty ${busy ? 'busy (current every step)' : 'storage day'}${withReceiver ? ', with a receiving peer' : ''}`);
  console.log(`  wall time            ${(wallMs / 1000).toFixed(2)} s`);
  console.log(`  x real time          ${Math.round((simS * 1000) / wallMs)}x   (goal >= 10000x)`);
  console.log(`  CPU time             ${(cpuMs / 1000).toFixed(2)} s (user+sys, GC threads included): ${Math.round((simS * 1000) / cpuMs)}x per CPU-second; wall/CPU ${(wallMs / cpuMs).toFixed(2)} (> 1: waiting for a core on a busy machine)`);
  console.log(`  model + BMS logic    ${(ms(modelNs) / 1000).toFixed(2)} s  (${((100 * ms(modelNs)) / wallMs).toFixed(0)} %), ${((ms(modelNs) * 1e6) / (steps * nPacks)).toFixed(0)} ns per pack-step`);
  console.log(`  encode + bus.send    ${(ms(framesNs) / 1000).toFixed(2)} s  (${((100 * ms(framesNs)) / wallMs).toFixed(0)} %), ${((ms(framesNs) * 1e6) / Math.max(1, frames)).toFixed(0)} ns per frame, ${frames} frames, bus txFrames ${bus.stats.txFrames}${rx ? `, received ${received}` : ''}`);
  console.log(`  clock/timers/other   ${((wallMs - ms(modelNs) - ms(framesNs)) / 1000).toFixed(2)} s`);
  console.log(`  reference            bare Float64Array pass over the same elements: ${(refMs / 1000).toFixed(2)} s; model = ${(ms(modelNs) / refMs).toFixed(1)}x reference`);
  console.log(`  pack 0 after run     SOC ${(s0.soc * 100).toFixed(1)} %, SOH ${(s0.soh * 100).toFixed(1)} %, ${s0.packVoltage.toFixed(1)} V, Tmax ${s0.cellTMax.toFixed(1)} degC, in ${s0.energyInWh.toFixed(0)} Wh, out ${s0.energyOutWh.toFixed(0)} Wh, contactor ${s0.contactor}, skipped ${skipped}`);
  await bus.close();
  await rx?.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(3);
});
