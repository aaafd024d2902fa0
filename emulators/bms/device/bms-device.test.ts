import { VirtualClock } from '../../../core/clock';
import type { BatteryPort } from '../../inverter/battery-port';
import { BmsFlag, flagNames } from '../logic/flags';
import { loadPackFixture } from '../pack/fixtures';
import type { PackProfile } from '../pack/profile-types';
import { BmsDevice, type BmsDeviceOptions } from './bms-device';

const leaf = loadPackFixture('nissan-leaf-24kwh');
const lfp = loadPackFixture('lfp-lishen-16s-202ah');
const flat = (p: PackProfile): PackProfile => ({
  ...p,
  spread: { ...p.spread, capacitySigma: 0, resistanceSigma: 0, selfDischargeSigma: 0, weakCells: 0, socSigma: 0 },
});

function run(dev: BmsDevice, seconds: number, each?: (t: number) => void): void {
  for (let t = 0; t < seconds; t++) {
    each?.(t);
    dev.step(1);
  }
}

function ready(profile: PackProfile = leaf, options: BmsDeviceOptions = {}): BmsDevice {
  const dev = new BmsDevice(profile, { seed: 1, ...options });
  run(dev, 3);
  expect(dev.snapshot().contactor).toBe('closed');
  return dev;
}

describe('BmsDevice', () => {
  it('precharges then closes; refuses current while open and counts it', () => {
    const dev = new BmsDevice(leaf, { seed: 1 });
    expect(dev.snapshot().contactor).toBe('precharge');
    dev.setCurrent(-10);
    dev.step(1);
    expect(dev.snapshot().current).toBe(0);
    expect(dev.snapshot().chargeCurrentLimit).toBe(0);
    expect(dev.snapshot().counters.refusedCurrentSteps).toBe(1);
    run(dev, 2);
    expect(dev.snapshot().contactor).toBe('closed');
    dev.step(1);
    expect(dev.snapshot().current).toBe(-10);
    dev.requestContactors(false);
    run(dev, 2);
    expect(dev.snapshot().contactor).toBe('open');
    expect(dev.snapshot().current).toBe(0);
  });

  it('derates charge and discharge limits by temperature (dbus-serialbattery curves, PACKS.md 6.3)', () => {
    const cold = ready(flat(leaf), { ambientC: 5 });
    expect(cold.snapshot().chargeCurrentLimit).toBeCloseTo(66.2 * 0.2, 2);
    expect(cold.snapshot().dischargeCurrentLimit).toBeCloseTo(66.2 * 0.3, 2);
    const mild = ready(flat(leaf), { ambientC: 25 });
    expect(mild.snapshot().chargeCurrentLimit).toBeCloseTo(66.2, 6);
    const hot = ready(flat(leaf), { ambientC: 37.5 });
    expect(hot.snapshot().chargeCurrentLimit).toBeCloseTo(66.2 * 0.7, 2);
  });

  it.each(['nissan-leaf-24kwh', 'bmw-i3-60ah', 'tesla-model-s-module', 'lfp-lishen-16s-202ah'])(
    '%s: reports 100 %% when it stops charging and 0 %% when it stops discharging (SOC across its voltage window)',
    (id) => {
      const profile = loadPackFixture(id);
      const dev = ready(profile, { initialSoc: 0.5 });
      const maxA = profile.bms.maxChargeA * 0.3;
      // Charge as an inverter does: at the BMS's limit (0.3 C at most), until the BMS allows nothing more.
      let t = 0;
      for (; t < 12 * 3600; t += 10) {
        const s = dev.snapshot();
        if (s.chargeCurrentLimit < 0.01 * profile.bms.maxChargeA && s.current <= s.chargeCurrentLimit + 0.01 && s.soc > 0.9) break;
        dev.setCurrent(Math.min(maxA, s.chargeCurrentLimit));
        run(dev, 10);
      }
      expect(dev.snapshot().chargeCurrentLimit).toBeLessThan(0.01 * profile.bms.maxChargeA);
      expect(dev.snapshot().soc).toBeCloseTo(1, 3);
      for (t = 0; t < 12 * 3600; t += 10) {
        const s = dev.snapshot();
        if (s.dischargeCurrentLimit < 0.01 * profile.bms.maxDischargeA && -s.current <= s.dischargeCurrentLimit + 0.01 && s.soc < 0.1) break;
        dev.setCurrent(-Math.min(profile.bms.maxDischargeA * 0.3, s.dischargeCurrentLimit));
        run(dev, 10);
      }
      expect(dev.snapshot().dischargeCurrentLimit).toBeLessThan(0.01 * profile.bms.maxDischargeA);
      expect(dev.snapshot().soc).toBeLessThan(0.02);
    },
  );

  it('derates charge by reported SOC near full (MG Gen1 taper above 95 %)', () => {
    const dev = ready(flat(leaf), { initialSoc: 0.89 });
    const s = dev.snapshot();
    // The BMS reports SOC across its voltage window (3.3-4.1 V per cell: cell SOC 0.0565-0.9146 on the Leaf table).
    expect(s.soc).toBeCloseTo((0.89 - dev.socWindow.lo) / (dev.socWindow.hi - dev.socWindow.lo), 3);
    expect(s.soc).toBeGreaterThan(0.95);
    const expected = 1 + ((0.05 - 1) * (s.soc - 0.95)) / 0.05;
    // cell voltage at rest (4.15 V) is also above the 4.05-4.10 V taper: the smaller fraction wins
    const vFrac = Math.max(0, Math.min(1, (4.1 - s.cellVMax) / 0.05));
    expect(s.chargeCurrentLimit).toBeCloseTo(66.2 * Math.min(expected, vFrac), 6);
    expect(s.dischargeCurrentLimit).toBeCloseTo(66.2, 6);
  });

  it('over-voltage: alarm opens the contactor, the fault stays latched until reset', () => {
    const dev = ready(leaf, { initialSoc: 0.985 });
    dev.setCurrent(66);
    let t = 0;
    while (dev.snapshot().contactor === 'closed' && t < 600) {
      dev.step(1);
      t++;
    }
    const s = dev.snapshot();
    expect(s.contactor).toBe('open');
    expect(s.alarms & BmsFlag.CellOverVoltage).toBeTruthy();
    expect(s.latched & BmsFlag.CellOverVoltage).toBeTruthy();
    run(dev, 600); // relaxes below the clear point
    expect(dev.snapshot().alarms & BmsFlag.CellOverVoltage).toBe(0);
    expect(dev.snapshot().contactor).toBe('open');
    expect(dev.snapshot().chargeCurrentLimit).toBe(0);
    dev.setCurrent(0);
    dev.resetFaults();
    run(dev, 3);
    expect(dev.snapshot().latched).toBe(0);
    expect(dev.snapshot().contactor).toBe('closed');
  });

  it('heartbeat lost: opens the contactors (Leaf profile), recloses when the heartbeat returns', () => {
    const dev = ready();
    dev.heartbeat();
    dev.setCurrent(-20);
    run(dev, 3);
    expect(dev.snapshot().heartbeatLost).toBe(false);
    run(dev, 2);
    const s = dev.snapshot();
    expect(s.heartbeatLost).toBe(true);
    expect(flagNames(s.alarms)).toContain('HeartbeatLost');
    expect(s.contactor).toBe('open');
    expect(s.current).toBe(0);
    run(dev, 5, () => dev.heartbeat());
    expect(dev.snapshot().contactor).toBe('closed');
    expect(dev.snapshot().current).toBe(-20);
    expect(dev.snapshot().counters.heartbeatLosses).toBe(1);
  });

  it("heartbeat lost with the 'zero-limits' reaction (LFP profile): contactor stays closed, limits go to 0", () => {
    const dev = ready(lfp);
    dev.heartbeat();
    run(dev, 5);
    const s = dev.snapshot();
    expect(s.heartbeatLost).toBe(true);
    expect(s.warnings & BmsFlag.HeartbeatLost).toBeTruthy();
    expect(s.alarms & BmsFlag.HeartbeatLost).toBe(0);
    expect(s.contactor).toBe('closed');
    expect([s.chargeCurrentLimit, s.dischargeCurrentLimit, s.chargeEnable, s.dischargeEnable]).toEqual([0, 0, false, false]);
  });

  it("heartbeat reaction 'none' only flags the loss", () => {
    const dev = ready(leaf, { heartbeatReaction: 'none' });
    dev.heartbeat();
    run(dev, 5);
    const s = dev.snapshot();
    expect(s.heartbeatLost).toBe(true);
    expect(s.contactor).toBe('closed');
    expect(s.chargeCurrentLimit).toBeGreaterThan(0);
  });

  it("'clamp' policy holds the current within the limits and counts it", () => {
    const dev = ready(leaf, { currentPolicy: 'clamp' });
    dev.setCurrent(500);
    dev.step(1);
    expect(dev.snapshot().current).toBeCloseTo(66.2, 6);
    expect(dev.snapshot().counters.clampedCurrentSteps).toBe(1);
  });

  it('passive balancing bleeds the high element (at rest, above minCellV) and not while discharging', () => {
    const dev = ready(flat(leaf), { initialSoc: 0.95 });
    dev.pack.soc[5]! += 0.05;
    dev.pack.settle();
    run(dev, 10);
    expect(dev.pack.bleedA[5]).toBeGreaterThan(0.1);
    expect(dev.snapshot().balancingCells).toBe(1);
    const gap0 = dev.pack.soc[5]! - dev.pack.soc[6]!;
    run(dev, 3600);
    expect(dev.pack.soc[5]! - dev.pack.soc[6]!).toBeLessThan(gap0 - 0.002);
    dev.setCurrent(-20);
    run(dev, 10);
    expect(dev.snapshot().balancingCells).toBe(0);
    expect(dev.pack.bleedA[5]).toBe(0);
  });

  it('implements the inverter BatteryPort shape', () => {
    const dev = new BmsDevice(leaf, { seed: 1 });
    const port: BatteryPort = dev;
    expect(port.contactorClosed()).toBe(false);
    expect(port.voltage()).toBe(0);
    run(dev, 3);
    expect(port.contactorClosed()).toBe(true);
    expect(port.voltage()).toBeGreaterThan(350);
    expect(port.soc!()).toBeGreaterThan(40);
    expect(port.capacityAh!()).toBeGreaterThan(30);
    port.setCurrent(-10);
    dev.step(1);
    expect(dev.snapshot().current).toBe(-10);
  });

  it('takes time from an injected clock and follows a load profile', () => {
    const clock = new VirtualClock(5000);
    const dev = new BmsDevice(leaf, { seed: 1, clock });
    dev.setCurrentSource((t) => (t < 10 ? 0 : -15));
    for (let i = 0; i < 12; i++) {
      clock.advance(1000);
      dev.step(1);
    }
    expect(dev.snapshot().timeMs).toBe(17000);
    expect(dev.snapshot().current).toBe(-15);
    dev.heartbeat();
    clock.advance(3500);
    dev.step(1);
    expect(dev.snapshot().heartbeatLost).toBe(true);
  });

  it('ages by a usage history', () => {
    const dev = new BmsDevice(leaf, { seed: 1, soh: 0.7 });
    const r = dev.age([{ days: 365, efc: 200, tempC: 25, soc: 0.5 }]);
    expect(r.soh).toBeLessThan(0.7 * 0.95);
    expect(dev.snapshot().soh).toBeCloseTo(r.soh, 9);
  });

  it('estimates SOC by coulomb counting: a current-sensor offset drifts it until a long rest re-anchors it', () => {
    const dev = ready(flat(leaf), { initialSoc: 0.6 });
    dev.setCurrent(-10);
    run(dev, 1800);
    const w = dev.socWindow;
    const reported = (cellSoc: number): number => (cellSoc - w.lo) / (w.hi - w.lo);
    const honest = dev.snapshot().soc;
    expect(honest).toBeCloseTo(reported(dev.pack.stringSoc()), 2);
    dev.injectFault({ kind: 'sensor-offset', sensor: 'current', offset: 2 });
    run(dev, 3600);
    const s = dev.snapshot();
    expect(s.contactor).toBe('closed');
    // the BMS sees -8 A instead of -10 A: it under-counts the discharge by 2 Ah
    const capAh = (dev.pack.dischargeableAs + dev.pack.chargeableAs) / 3600;
    expect(s.soc - reported(dev.pack.stringSoc())).toBeCloseTo(2 / capAh / (w.hi - w.lo), 2);
    dev.setCurrent(-2); // reads as 0 A: a rest for the BMS
    run(dev, 1800);
    expect(dev.snapshot().soc).toBeCloseTo(reported(dev.pack.stringSoc()), 3);
  });

  it('can start from an aged state: a Leaf pack retired at 70 % plus three months on a shelf is at about 68 %', () => {
    const dev = new BmsDevice(leaf, { seed: 1, soh: 0.7, agingHistory: [{ days: 91, tempC: 25, soc: 0.5 }] });
    expect(dev.snapshot().soh).toBeGreaterThan(0.66);
    expect(dev.snapshot().soh).toBeLessThan(0.69);
  });

  it('exposes measured cell voltages and module temperatures for detail profiles', () => {
    const dev = ready();
    dev.injectFault({ kind: 'sensor-offset', sensor: 'temperature', index: 1, offset: 2 });
    dev.step(1);
    expect(dev.measuredCellVoltages()).toHaveLength(96);
    expect(dev.measuredCellVoltages()[dev.snapshot().cellVMaxId]).toBe(dev.snapshot().cellVMax);
    expect(dev.measuredTemperatures()).toHaveLength(48);
    expect(dev.measuredTemperatures()[1]).toBeCloseTo(dev.pack.tempC[1]! + 2, 9);
  });

  it('is deterministic for a seed, faults and noise included', () => {
    const mk = (): BmsDevice => {
      const d = ready(leaf, { seed: 7 });
      d.injectFault({ kind: 'sensor-noise', sensor: 'cell-voltage', sigma: 0.002 });
      d.setCurrentSource((t) => 30 * Math.sin(t / 100));
      return d;
    };
    const a = mk();
    const b = mk();
    const trace = (d: BmsDevice): number[] => {
      const out: number[] = [];
      run(d, 300, () => out.push(d.snapshot().cellVMax, d.snapshot().cellTMax));
      return out;
    };
    expect(trace(a)).toEqual(trace(b));
  });
});
