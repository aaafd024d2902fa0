/**
 * Bit-exact traces of the two plant models (`Inverter.step`, `PackModel.step`) through runs that visit every
 * branch of their step (commands with windows and ramps, reverts, grid trips, derating, faults, battery limits;
 * rest and current, bleed, leakage, external heat, SOC clamping, changing dt), compared with the copy saved before
 * the steps were split into named phases (plant-traces.*.json). Each chunk of steps is one hash of every value the
 * model exposes, so the first differing chunk says where a change in arithmetic order shows.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { loadPackFixture } from '../../emulators/bms/pack/fixtures';
import { PackModel } from '../../emulators/bms/pack/pack-model';
import { SimpleBatteryPort } from '../../emulators/inverter/battery-port';
import { cloudyDay } from '../../emulators/inverter/irradiance';
import type { FaultHandle, InverterFaultSpec } from '../../emulators/inverter/faults';
import { Inverter } from '../../emulators/inverter/inverter';
import { expectGolden } from '../support/golden';

const hash = (x: unknown): string => createHash('sha256').update(JSON.stringify(x)).digest('hex').slice(0, 16);

/** Hashes of consecutive chunks, each over the values recorded at every step of the chunk. */
function chunks(steps: number, size: number, step: (i: number) => unknown): string[] {
  const out: string[] = [];
  let chunk: unknown[] = [];
  for (let i = 0; i < steps; i++) {
    chunk.push(step(i));
    if (chunk.length === size || i === steps - 1) {
      out.push(hash(chunk));
      chunk = [];
    }
  }
  return out;
}

describe('plant traces match the copy saved before the steps were split into phases', () => {
  it.each<[string, boolean]>([
    ['hybrid', true],
    ['pv-only', false],
  ])('Inverter (%s) on a cloudy day with commands and faults', (name, hybrid) => {
    const bat = hybrid ? new SimpleBatteryPort({ soc: 40, maxChargeA: 60 }) : undefined;
    const inv = new Inverter({ seed: 3, profile: cloudyDay({ seed: 3 }), startTimeOfDay: 9 * 3600, siteLoadW: 800, ...(bat ? { battery: bat } : {}) });
    const handles: FaultHandle[] = [];
    const fault = (spec: InverterFaultSpec): void => void handles.push(inv.injectFault(spec));
    const script: Record<number, () => void> = {
      300: () => inv.command({ kind: 'limit', enabled: true, pct: 40, rampS: 20, revertS: 90 }, { windowS: 10 }),
      700: () => inv.command({ kind: 'power-factor', enabled: true, pf: 0.9, excitation: 'under' }),
      900: () => inv.command({ kind: 'storage', charge: true, discharge: true, chargePct: 30, dischargePct: -20, rampS: 15, revertS: 60 }),
      1200: () => inv.command({ kind: 'connect', connect: false, revertS: 30 }),
      1500: () => fault({ kind: 'grid-frequency', hz: 51.8 }),
      1560: () => inv.setGrid({ volts: 246 }),
      1700: () => fault({ kind: 'over-temperature', heatsinkC: 78 }),
      1900: () => fault({ kind: 'slow-commands', delayS: 4 }),
      1950: () => inv.command({ kind: 'max-power', watts: 3000 }),
      2100: () => fault({ kind: 'battery-comms-loss' }),
      2300: () => inv.setEnvironment({ siteLoadW: 4000, ambientC: 38 }),
      2500: () => inv.command({ kind: 'limit-reversion', pct: 60, enabled: true }),
      2550: () => inv.command({ kind: 'limit', enabled: true, pct: 20, revertS: 25, revertTo: 'reversion-points' }),
      2800: () => inv.setDcSwitch(false),
      2900: () => inv.setDcSwitch(true),
      3000: () => fault({ kind: 'fault-code', events: ['GROUND_FAULT'], vendorCode: 77 }),
    };
    /** Step -> which fault (in injection order) ends there. */
    const clears: Record<number, number> = { 1650: 0, 1850: 1, 2250: 2, 2260: 3 };
    const trace = chunks(3200, 200, (i) => {
      script[i]?.();
      if (clears[i] !== undefined) handles[clears[i]!]!.clear();
      const dt = i % 7 === 0 ? 0.35 : 0.5;
      inv.step(dt);
      bat?.step(dt);
      return [inv.state, inv.controls];
    });
    expectGolden(join(__dirname, `plant-traces.inverter-${name}.json`), { trace, final: inv.state });
  });

  it.each(['nissan-leaf-24kwh', 'lfp-lishen-16s-202ah', 'tesla-model-s-module'])('PackModel (%s) through rest, current, bleed, leak, heat and clamping', (id) => {
    const pack = new PackModel(loadPackFixture(id), { seed: 21, initialSoc: 0.9 });
    const amps = (i: number): number => (i < 300 ? 0 : i < 1500 ? 0.8 * pack.nominalGroupAh : i < 2500 ? -1.2 * pack.nominalGroupAh : i < 2700 ? 0 : 3 * pack.nominalGroupAh);
    const trace = chunks(3600, 300, (i) => {
      if (i === 400) pack.bleedA[1] = 0.3;
      if (i === 600) pack.leakA[2] = 0.05;
      if (i === 800) pack.extHeatW[0] = 150;
      if (i === 1000) pack.ambientC = 35;
      if (i === 1400) pack.bleedA[1] = 0;
      if (i === 2000) pack.leakA[2] = -0.02;
      const dt = i < 1800 ? 1 : i < 3000 ? 0.25 : 2;
      pack.step(dt, amps(i));
      return [
        Array.from(pack.soc),
        Array.from(pack.vCell),
        Array.from(pack.tempC),
        Array.from(pack.heatW),
        Array.from(pack.resFactor),
        pack.packVoltage,
        pack.minCellV,
        pack.maxCellV,
        pack.minCellIdx,
        pack.maxCellIdx,
        pack.minTempC,
        pack.maxTempC,
        pack.minTempIdx,
        pack.maxTempIdx,
        pack.dischargeableAs,
        pack.chargeableAs,
        pack.timeS,
        pack.ahCharged,
        pack.ahDischarged,
        pack.energyInJ,
        pack.energyOutJ,
        pack.ohmicLossJ,
        pack.coulombicLossJ,
        pack.selfDischargeLossJ,
        pack.bleedLossJ,
        pack.leakLossJ,
      ];
    });
    expectGolden(join(__dirname, `plant-traces.pack-${id}.json`), { trace, finalSoc: Array.from(pack.soc), finalTemp: Array.from(pack.tempC) });
  });
});
