import { ConfigError } from '../../../core/errors';
import { BmsFlag } from '../logic/flags';
import { loadPackFixture } from '../pack/fixtures';
import type { PackProfile } from '../pack/profile-types';
import { BmsDevice } from './bms-device';
import type { FaultSpec } from './fault-spec';

const leaf = loadPackFixture('nissan-leaf-24kwh');
const flat: PackProfile = {
  ...leaf,
  spread: { ...leaf.spread, capacitySigma: 0, resistanceSigma: 0, selfDischargeSigma: 0, weakCells: 0, socSigma: 0 },
};

function run(dev: BmsDevice, seconds: number): void {
  for (let t = 0; t < seconds; t++) dev.step(1);
}

function ready(profile: PackProfile = leaf, initialSoc = 0.5): BmsDevice {
  const dev = new BmsDevice(profile, { seed: 1, initialSoc });
  run(dev, 3);
  return dev;
}

describe('fault hooks: observable effects', () => {
  it('cell-drift down: one element loses charge against the others; clear stops it', () => {
    const dev = ready(flat);
    const h = dev.injectFault({ kind: 'cell-drift', cell: 12, direction: 'down', socPerHour: 0.02 });
    run(dev, 3600);
    const gap = dev.pack.soc[13]! - dev.pack.soc[12]!;
    expect(gap).toBeCloseTo(0.02, 3);
    expect(dev.snapshot().cellVMinId).toBe(12);
    h.clear();
    expect(h.active).toBe(false);
    run(dev, 3600);
    expect(dev.pack.soc[13]! - dev.pack.soc[12]!).toBeCloseTo(gap, 4);
  });

  it('cell-drift up: one element gains charge', () => {
    const dev = ready(flat, 0.3); // below the balancing threshold
    dev.injectFault({ kind: 'cell-drift', cell: 3, direction: 'up', socPerHour: 0.05 });
    run(dev, 3600);
    expect(dev.snapshot().cellVMaxId).toBe(3);
    // charge injected into the element is subject to its coulombic efficiency
    expect(dev.pack.soc[3]! - dev.pack.soc[4]!).toBeCloseTo(0.05 * leaf.cell.coulombicEfficiencyCharge, 4);
  });

  it('sensor-stuck: the reading holds while the true voltage moves', () => {
    const dev = ready(flat, 0.6);
    dev.injectFault({ kind: 'sensor-stuck', sensor: 'cell-voltage', index: 20 });
    const held = dev.sensors.cellVoltages()[20]!;
    dev.setCurrent(-60);
    run(dev, 600);
    expect(dev.sensors.cellVoltages()[20]).toBe(held);
    expect(dev.pack.vCell[20]).toBeLessThan(held - 0.05);
    expect(dev.snapshot().cellVMaxId).toBe(20);
    expect(dev.snapshot().cellVMax).toBe(held);
  });

  it('sensor-offset on a temperature sensor raises an over-temperature alarm and opens the contactor', () => {
    const dev = ready();
    dev.injectFault({ kind: 'sensor-offset', sensor: 'temperature', index: 4, offset: 30 });
    run(dev, 3);
    const s = dev.snapshot();
    expect(s.cellTMaxId).toBe(4);
    expect(s.cellTMax).toBeCloseTo(dev.pack.tempC[4]! + 30, 6);
    expect(s.alarms & BmsFlag.OverTemperature).toBeTruthy();
    expect(s.contactor).toBe('open');
  });

  it('sensor-noise on the current sensor: readings scatter around the true value', () => {
    const dev = ready();
    dev.setCurrent(-20);
    dev.injectFault({ kind: 'sensor-noise', sensor: 'current', sigma: 2 });
    const xs: number[] = [];
    for (let i = 0; i < 400; i++) {
      dev.step(1);
      xs.push(dev.snapshot().current);
    }
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(mean).toBeGreaterThan(-20.5);
    expect(mean).toBeLessThan(-19.5);
    expect(sd).toBeGreaterThan(1.6);
    expect(sd).toBeLessThan(2.4);
  });

  it('open-wire on a cell tap: one reads 0, the neighbour reads both; the plausibility check alarms', () => {
    const dev = ready(flat);
    dev.injectFault({ kind: 'open-wire', sensor: 'cell-voltage', index: 10 });
    run(dev, 1);
    const v = dev.sensors.cellVoltages();
    expect(v[10]).toBe(0);
    expect(v[11]).toBeCloseTo(dev.pack.vCell[10]! + dev.pack.vCell[11]!, 9);
    expect(dev.snapshot().alarms & BmsFlag.SensorFault).toBeTruthy();
    expect(dev.snapshot().contactor).toBe('open');
  });

  it('open-wire on a temperature sensor reads -55 degC and alarms', () => {
    const dev = ready();
    dev.injectFault({ kind: 'open-wire', sensor: 'temperature', index: 2 });
    run(dev, 1);
    expect(dev.snapshot().cellTMin).toBe(-55);
    expect(dev.snapshot().cellTMinId).toBe(2);
    expect(dev.snapshot().alarms & BmsFlag.SensorFault).toBeTruthy();
  });

  it('external-heat: the heated module runs hot, then over-temperature opens the contactor', () => {
    const dev = ready();
    dev.injectFault({ kind: 'external-heat', module: 7, watts: 100 });
    run(dev, 1800);
    const s = dev.snapshot();
    expect(s.cellTMaxId).toBe(7);
    expect(s.cellTMax).toBeGreaterThan(s.cellTMin + 10);
    run(dev, 6 * 3600);
    expect(dev.snapshot().alarms & BmsFlag.OverTemperature).toBeTruthy();
    expect(dev.snapshot().contactor).toBe('open');
  });

  it('self-heating (thermal-runaway precursor): heating accelerates and continues with the contactor open', () => {
    const dev = ready();
    dev.injectFault({ kind: 'self-heating', cell: 30, watts: 20, doublingK: 5 });
    const m = dev.pack.moduleOf[30]!;
    const temps: number[] = [];
    for (let k = 0; k < 6; k++) {
      run(dev, 600);
      temps.push(dev.pack.tempC[m]!);
    }
    const d1 = temps[1]! - temps[0]!;
    const d2 = temps[4]! - temps[3]!;
    expect(d2).toBeGreaterThan(d1);
    let t = 0;
    while (!(dev.snapshot().alarms & BmsFlag.OverTemperature) && t < 20000) {
      dev.step(1);
      t++;
    }
    expect(dev.snapshot().contactor).toBe('open');
    const at = dev.pack.tempC[m]!;
    run(dev, 300);
    expect(dev.pack.tempC[m]).toBeGreaterThan(at);
  });

  it('overcurrent: the load draws more than commanded, the BMS trips on discharge over-current', () => {
    const dev = ready();
    dev.setCurrent(-10);
    dev.injectFault({ kind: 'overcurrent', extraA: -110 });
    dev.step(1);
    expect(dev.snapshot().current).toBe(-120);
    expect(dev.snapshot().warnings & BmsFlag.DischargeOverCurrent).toBeTruthy();
    run(dev, 3);
    expect(dev.snapshot().latched & BmsFlag.DischargeOverCurrent).toBeTruthy();
    expect(dev.snapshot().contactor).toBe('open');
    expect(dev.snapshot().current).toBe(0);
  });

  it('insulation: low resistance warns, very low alarms', () => {
    const dev = ready();
    const w = dev.injectFault({ kind: 'insulation', kOhm: 100 });
    expect(dev.snapshot().insulationKOhm).toBe(100);
    expect(dev.snapshot().warnings & BmsFlag.Insulation).toBeTruthy();
    expect(dev.snapshot().alarms & BmsFlag.Insulation).toBe(0);
    w.clear();
    dev.injectFault({ kind: 'insulation', kOhm: 10 });
    dev.step(1);
    expect(dev.snapshot().alarms & BmsFlag.Insulation).toBeTruthy();
    expect(dev.snapshot().contactor).toBe('open');
  });

  it('contactor-welded: commanded open, it keeps conducting and the BMS reports the weld', () => {
    const dev = ready();
    dev.injectFault({ kind: 'contactor-welded' });
    dev.setCurrent(-15);
    dev.requestContactors(false);
    run(dev, 2);
    const s = dev.snapshot();
    expect(s.contactor).toBe('welded');
    expect(s.current).toBe(-15);
    expect(s.alarms & BmsFlag.ContactorFault).toBeTruthy();
    expect(s.dischargeCurrentLimit).toBe(0);
  });

  it('contactor-fails-to-close: precharge ends open with a latched contactor fault', () => {
    const dev = new BmsDevice(leaf, { seed: 1 });
    const h = dev.injectFault({ kind: 'contactor-fails-to-close' });
    run(dev, 5);
    expect(dev.snapshot().contactor).toBe('open');
    expect(dev.snapshot().alarms & BmsFlag.ContactorFault).toBeTruthy();
    h.clear();
    run(dev, 5);
    expect(dev.snapshot().contactor).toBe('open'); // latched
    dev.resetFaults();
    run(dev, 3);
    expect(dev.snapshot().contactor).toBe('closed');
  });

  it('internal-fault opens the contactor until cleared and reset; internal-comms only warns', () => {
    const dev = ready();
    const f = dev.injectFault({ kind: 'internal-fault' });
    dev.step(1);
    expect(dev.snapshot().alarms & BmsFlag.InternalFault).toBeTruthy();
    expect(dev.snapshot().contactor).toBe('open');
    f.clear();
    dev.resetFaults();
    run(dev, 3);
    expect(dev.snapshot().contactor).toBe('closed');
    dev.injectFault({ kind: 'internal-comms' });
    dev.step(1);
    expect(dev.snapshot().warnings & BmsFlag.InternalComms).toBeTruthy();
    expect(dev.snapshot().contactor).toBe('closed');
  });

  it('comms-loss sets the flag profiles read to stop sending', () => {
    const dev = ready();
    const h = dev.injectFault({ kind: 'comms-loss' });
    expect(dev.snapshot().commsLost).toBe(true);
    h.clear();
    expect(dev.snapshot().commsLost).toBe(false);
  });

  it('stale-data freezes the whole snapshot; frozen-counters only the counters', () => {
    const dev = ready();
    dev.setCurrent(-30);
    const h = dev.injectFault({ kind: 'stale-data' });
    const frozen = dev.snapshot();
    const t = frozen.timeMs;
    run(dev, 60);
    expect(dev.snapshot().timeMs).toBe(t);
    expect(dev.snapshot()).toBe(frozen);
    h.clear();
    expect(dev.snapshot().timeMs).toBe(t + 60000);
    const c = dev.injectFault({ kind: 'frozen-counters' });
    const steps = dev.snapshot().counters.steps;
    run(dev, 10);
    expect(dev.snapshot().counters.steps).toBe(steps);
    expect(dev.snapshot().timeMs).toBe(t + 70000);
    c.clear();
    dev.step(1);
    expect(dev.snapshot().counters.steps).toBe(steps + 11);
  });

  it('wrong-value scales a published field (scale error)', () => {
    const dev = ready();
    dev.injectFault({ kind: 'wrong-value', field: 'packVoltage', factor: 0.1 });
    run(dev, 5);
    expect(dev.snapshot().packVoltage).toBeCloseTo(dev.pack.packVoltage * 0.1, 9);
    dev.injectFault({ kind: 'wrong-value', field: 'nominalAh', offset: 5 });
    run(dev, 5);
    expect(dev.snapshot().nominalAh).toBeCloseTo(dev.pack.nominalGroupAh + 5, 9);
  });

  it('soh-step and resistance-step change capacity and IR drop; clear restores', () => {
    const dev = ready(flat);
    const soh0 = dev.snapshot().soh;
    const h = dev.injectFault({ kind: 'soh-step', factor: 0.5, cell: 7 });
    expect(dev.pack.capAs[7]! / dev.pack.capAs[8]!).toBeCloseTo(0.5, 9);
    expect(dev.snapshot().soh).toBeLessThan(soh0);
    expect(dev.snapshot().fullChargeAh).toBeLessThan(dev.pack.capAs[8]! / 3600 * 0.6);
    h.clear();
    expect(dev.snapshot().soh).toBeCloseTo(soh0, 12);
    dev.injectFault({ kind: 'resistance-step', factor: 2 });
    dev.setCurrent(-40);
    dev.step(1);
    const ir = dev.pack.ocvNow[0]! - dev.pack.vCell[0]!;
    const ref = ready(flat);
    ref.setCurrent(-40);
    ref.step(1);
    const irRef = ref.pack.ocvNow[0]! - ref.pack.vCell[0]!;
    expect(ir / irRef).toBeCloseTo(2, 2);
  });

  it.each<[unknown, RegExp]>([
    [{ kind: 'meltdown' }, /unknown fault kind/],
    [{ kind: 'cell-drift', cell: 96, direction: 'down', socPerHour: 0.1 }, /cell 96 is not 0..95/],
    [{ kind: 'sensor-offset', sensor: 'humidity', offset: 1 }, /unknown sensor 'humidity'/],
    [{ kind: 'external-heat', module: 48, watts: 1 }, /module 48 is not 0..47/],
    [{ kind: 'wrong-value', field: 'contactor', factor: 2 }, /not a numeric snapshot field/],
    [{ kind: 'soh-step', factor: -1 }, /factor must be > 0/],
    [{ kind: 'insulation', kOhm: 'low' }, /kOhm must be a finite number/],
  ])('rejects %j with a clear ConfigError', (spec, re) => {
    const dev = ready();
    expect(() => dev.injectFault(spec as FaultSpec)).toThrow(ConfigError);
    expect(() => dev.injectFault(spec as FaultSpec)).toThrow(re);
    expect(dev.activeFaults()).toHaveLength(0);
  });
});
