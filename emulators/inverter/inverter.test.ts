import { RealClock, VirtualClock } from '../../core/clock';
import { SimpleBatteryPort } from './battery-port';
import { driveWithClock } from './clock-driver';
import { EVT } from './grid-protection';
import { cloudyDay, constant } from './irradiance';
import { Inverter, OperatingState } from './inverter';
import type { InverterConfig } from './inverter';

/** Two strings of 8 x 400 W (6.4 kWp) on a 5 kW inverter at constant irradiance. */
function make(g = 1000, extra: InverterConfig = {}): Inverter {
  return new Inverter({ profile: constant(g), ambientC: 25, ...extra });
}
function run(inv: Inverter, seconds: number, dt = 0.1): void {
  const n = Math.round(seconds / dt);
  for (let i = 0; i < n; i++) inv.step(dt);
}

describe('Inverter: start-up, MPPT, efficiency, ramp', () => {
  it('starts after the start delay, then ramps at the configured rate', () => {
    const inv = make(400, { startDelayS: 5, rampPctPerS: 10 });
    run(inv, 4.9);
    expect(inv.state.state).toBe(OperatingState.Starting);
    expect(inv.state.acW).toBe(0);
    run(inv, 0.2);
    expect(inv.state.state).toBe(OperatingState.Mppt);
    run(inv, 2);
    // 10 %/s of 5 kW = 500 W/s: about 1 kW after ~2 s of running.
    expect(inv.state.acW).toBeGreaterThan(900);
    expect(inv.state.acW).toBeLessThanOrEqual(1100);
  });

  it('converts DC to AC by the efficiency curve once settled', () => {
    const inv = make(400);
    run(inv, 60);
    const s = inv.state;
    expect(s.state).toBe(OperatingState.Mppt);
    const mpp = s.strings.reduce((a, x) => a + x.mppW, 0);
    expect(s.dcW).toBeCloseTo(mpp, 0);
    expect(s.acW / s.dcW).toBeGreaterThan(0.95);
    expect(s.acW / s.dcW).toBeLessThan(0.975);
    expect(s.whExported).toBeGreaterThan(0);
  });

  it('clips at the rated power and reports THROTTLED when the PV could give more', () => {
    const inv = make(1000);
    run(inv, 120);
    expect(inv.state.acW).toBeCloseTo(5000, 0);
    expect(inv.state.pvAvailableW).toBeGreaterThan(5500);
    expect(inv.state.state).toBe(OperatingState.Throttled);
  });

  it('is OFF with DC_DISCONNECT while the DC switch is open, and restarts when closed', () => {
    const inv = make(600);
    run(inv, 30);
    inv.setDcSwitch(false);
    run(inv, 0.1);
    expect(inv.state.state).toBe(OperatingState.Off);
    expect(inv.state.acW).toBe(0);
    expect(inv.state.events & (1 << EVT.DC_DISCONNECT)).not.toBe(0);
    inv.setDcSwitch(true);
    run(inv, 5.1);
    expect(inv.state.state).toBe(OperatingState.Mppt);
  });

  it('sleeps in the dark', () => {
    const inv = make(0);
    run(inv, 10);
    expect(inv.state.state).toBe(OperatingState.Sleeping);
  });

  it('is deterministic for a seed on a cloudy day', () => {
    const trace = (seed: number) => {
      const inv = new Inverter({ seed, profile: cloudyDay({ seed }), startTimeOfDay: 10 * 3600 });
      const out: number[] = [];
      for (let i = 0; i < 3000; i++) {
        inv.step(0.5);
        out.push(inv.state.acW);
      }
      return out;
    };
    expect(trace(3)).toEqual(trace(3));
    expect(trace(3)).not.toEqual(trace(4));
  });
});

describe('Inverter: controls', () => {
  it('limits AC power to WMaxLimPct when enabled, and releases it when disabled', () => {
    const inv = make(800);
    run(inv, 60);
    const free = inv.state.acW;
    expect(free).toBeGreaterThan(4000);
    inv.command({ kind: 'limit', enabled: true, pct: 40 });
    run(inv, 1);
    expect(inv.state.acW).toBeLessThanOrEqual(2000 + 1e-6);
    expect(inv.state.acW).toBeGreaterThan(1990);
    expect(inv.state.state).toBe(OperatingState.Throttled);
    inv.command({ kind: 'limit', enabled: false });
    run(inv, 30);
    expect(inv.state.acW).toBeCloseTo(free, -1);
  });

  it('ramps to a new limit over RmpTms and reverts after RvrtTms', () => {
    const inv = make(800);
    run(inv, 60);
    inv.command({ kind: 'limit', enabled: true, pct: 20, rampS: 10, revertS: 30 });
    run(inv, 5);
    expect(inv.state.limitPctNow).toBeCloseTo(60, 0);
    expect(inv.state.acW).toBeCloseTo(3000, -1);
    run(inv, 6);
    expect(inv.state.acW).toBeCloseTo(1000, -1);
    run(inv, 20);
    expect(inv.controls.limitEnabled).toBe(false);
    run(inv, 20);
    expect(inv.state.acW).toBeGreaterThan(4000);
  });

  it('disconnects and reconnects on command (Conn)', () => {
    const inv = make(600);
    run(inv, 30);
    inv.command({ kind: 'connect', connect: false });
    run(inv, 0.1);
    expect(inv.state.state).toBe(OperatingState.Standby);
    expect(inv.state.acW).toBe(0);
    inv.command({ kind: 'connect', connect: true });
    run(inv, 30);
    expect(inv.state.state).toBe(OperatingState.Mppt);
  });

  it('holds a power factor, within the VA rating', () => {
    const inv = make(500);
    run(inv, 60);
    inv.command({ kind: 'power-factor', enabled: true, pf: 0.9, excitation: 'under' });
    run(inv, 1);
    expect(inv.state.pf).toBeCloseTo(-0.9, 3);
    expect(inv.state.acVar).toBeLessThan(0);
    expect(inv.state.acVA).toBeLessThanOrEqual(5000 + 1e-6);
  });

  it('applies a command after its random window, deterministically', () => {
    const inv = make(600, { seed: 9 });
    run(inv, 30);
    expect(inv.command({ kind: 'limit', enabled: true, pct: 10 }, { windowS: 20 })).toBe('scheduled');
    let appliedAt = -1;
    for (let i = 0; i < 400 && appliedAt < 0; i++) {
      inv.step(0.1);
      if (inv.controls.limitEnabled) appliedAt = inv.time;
    }
    expect(appliedAt).toBeGreaterThan(30);
    expect(appliedAt).toBeLessThanOrEqual(50.0001);
  });
});

describe('Inverter: grid protection', () => {
  it('trips on over-frequency after the trip delay and reconnects only after the reconnect delay', () => {
    const inv = make(600, { grid: { tripDelayS: 0.2, reconnectDelayS: 60 } });
    run(inv, 30);
    inv.setGrid({ hz: 52 });
    run(inv, 0.1);
    expect(inv.state.state).not.toBe(OperatingState.Standby);
    run(inv, 0.2);
    expect(inv.state.state).toBe(OperatingState.Standby);
    expect(inv.state.events & (1 << EVT.OVER_FREQUENCY)).not.toBe(0);
    expect(inv.state.acW).toBe(0);
    inv.setGrid({ hz: 50 });
    run(inv, 59);
    expect(inv.state.state).toBe(OperatingState.Standby);
    run(inv, 2 + 5 + 1);
    expect([OperatingState.Mppt, OperatingState.Throttled]).toContain(inv.state.state);
    expect(inv.state.events).toBe(0);
  });

  it('trips on under-voltage and on grid loss (anti-islanding)', () => {
    const inv = make(600);
    run(inv, 30);
    const h = inv.injectFault({ kind: 'grid-voltage', volts: 180 });
    run(inv, 1);
    expect(inv.state.events & (1 << EVT.AC_UNDER_VOLT)).not.toBe(0);
    h.clear();
    expect(h.active).toBe(false);
    const inv2 = make(600);
    run(inv2, 30);
    inv2.injectFault({ kind: 'grid-loss' });
    run(inv2, 0.5);
    expect(inv2.state.state).toBe(OperatingState.Standby);
    expect(inv2.state.events & (1 << EVT.GRID_DISCONNECT)).not.toBe(0);
  });
});

describe('Inverter: battery port', () => {
  it('charges the battery with clipped PV, within the BMS charge current limit', () => {
    const bat = new SimpleBatteryPort({ soc: 50, maxChargeA: 10 });
    const inv = make(1000, { battery: bat });
    run(inv, 60);
    const s = inv.state;
    expect(s.batteryA).toBeGreaterThan(0);
    expect(s.batteryA).toBeLessThanOrEqual(10 + 1e-9);
    expect(bat.lastCurrent).toBeCloseTo(s.batteryA, 9);
    bat.chargeLimitA = 2;
    run(inv, 1);
    expect(bat.lastCurrent).toBeLessThanOrEqual(2 + 1e-9);
  });

  it('under an external EMS (honourBmsLimits false) it does not clamp to the BMS limit: the controller must', () => {
    const bat = new SimpleBatteryPort({ soc: 50, maxChargeA: 10 });
    const inv = make(1000, { battery: bat, honourBmsLimits: false });
    run(inv, 60);
    expect(inv.state.batteryA).toBeGreaterThan(10.3); // the same case with the default clamps at 10 A (test above)
    bat.setContactor(false);
    run(inv, 1);
    expect(bat.lastCurrent).toBe(0);
  });

  it('force-discharges on a negative charge limit (124 InWRte < 0) within the BMS limit, and stops when the contactor opens', () => {
    const bat = new SimpleBatteryPort({ soc: 80, maxDischargeA: 40 });
    const inv = make(0, { battery: bat, batteryMaxW: 3000 });
    inv.command({ kind: 'storage', charge: true, chargePct: -100 });
    run(inv, 30);
    expect(inv.state.batteryA).toBeLessThan(0);
    expect(-inv.state.batteryA).toBeLessThanOrEqual(40 + 1e-9);
    expect(inv.state.acW).toBeGreaterThan(1500);
    bat.setContactor(false);
    run(inv, 1);
    expect(bat.lastCurrent).toBe(0);
    expect(inv.state.acW).toBe(0);
  });

  it('covers the house load from the battery in self-consumption, within the OutWRte limit, never below the reserve', () => {
    const bat = new SimpleBatteryPort({ soc: 30, maxDischargeA: 100, capacityAh: 10 });
    const inv = make(0, { battery: bat, siteLoadW: 800 });
    run(inv, 30);
    expect(inv.state.batteryW).toBeLessThan(-800); // the load plus conversion losses
    expect(inv.state.batteryW).toBeGreaterThan(-900);
    inv.command({ kind: 'storage', discharge: true, dischargePct: 10 }); // at most 500 W
    run(inv, 5);
    expect(inv.state.batteryW).toBeCloseTo(-500, 3);
    inv.command({ kind: 'storage', minReservePct: 29.9 });
    for (let i = 0; i < 600 && bat.soc() > 29.9; i++) {
      run(inv, 1);
      bat.step(1);
    }
    run(inv, 1);
    expect(bat.soc()).toBeLessThanOrEqual(29.9);
    expect(inv.state.batteryW).toBe(0);
  });

  it('force-charges on a negative OutWRte, from the grid only when ChaGriSet allows it', () => {
    const bat = new SimpleBatteryPort({ soc: 20, maxChargeA: 100 });
    const inv = make(0, { battery: bat });
    inv.command({ kind: 'storage', discharge: true, dischargePct: -50, gridCharging: false });
    run(inv, 20);
    expect(inv.state.batteryA).toBe(0);
    inv.command({ kind: 'storage', gridCharging: true });
    run(inv, 20);
    // 50 % of the 5 kW converter from the grid: the AC side imports it plus losses.
    expect(inv.state.batteryW).toBeCloseTo(2500, 0);
    expect(inv.state.acW).toBeLessThan(-2500);
    expect(inv.state.acW).toBeGreaterThan(-2700);
    expect(inv.state.whImported).toBeGreaterThan(0);
    // The BMS lowers its limit: the inverter follows.
    bat.chargeLimitA = 20;
    run(inv, 1);
    expect(bat.lastCurrent).toBeLessThanOrEqual(20 + 1e-9);
    expect(bat.lastCurrent).toBeGreaterThan(19);
  });
});

describe('Inverter: faults', () => {
  it('fault codes put it in FAULT with the Evt bits and vendor code', () => {
    const inv = make(600);
    run(inv, 30);
    const h = inv.injectFault({ kind: 'fault-code', events: ['GROUND_FAULT'], vendorCode: 0x40 });
    run(inv, 0.1);
    expect(inv.state.state).toBe(OperatingState.Fault);
    expect(inv.state.events & 1).toBe(1);
    expect(inv.state.vendorEvents).toBe(0x40);
    h.clear();
    run(inv, 10);
    expect(inv.state.state).not.toBe(OperatingState.Fault);
    expect(() => inv.injectFault({ kind: 'fault-code', events: ['NOPE' as never] })).toThrow(/unknown event/);
  });

  it('derates on heat-sink temperature and trips above the trip point', () => {
    const inv = make(1000);
    run(inv, 60);
    const h = inv.injectFault({ kind: 'over-temperature', heatsinkC: 80 });
    run(inv, 1);
    expect(inv.state.acW).toBeCloseTo(5000 * (85 - 80) / 15, -1);
    expect(inv.state.state).toBe(OperatingState.Throttled);
    h.clear();
    inv.injectFault({ kind: 'over-temperature', heatsinkC: 95 });
    run(inv, 0.1);
    expect(inv.state.state).toBe(OperatingState.Fault);
    expect(inv.state.events & (1 << EVT.OVER_TEMP)).not.toBe(0);
  });

  it('ignores commands or applies them late', () => {
    const inv = make(800);
    run(inv, 60);
    const ign = inv.injectFault({ kind: 'ignore-commands' });
    expect(inv.command({ kind: 'limit', enabled: true, pct: 10 })).toBe('ignored');
    run(inv, 1);
    expect(inv.state.acW).toBeGreaterThan(4000);
    ign.clear();
    inv.injectFault({ kind: 'slow-commands', delayS: 5 });
    inv.command({ kind: 'limit', enabled: true, pct: 10 });
    run(inv, 4.9);
    expect(inv.state.acW).toBeGreaterThan(4000);
    run(inv, 0.2);
    expect(inv.state.acW).toBeLessThanOrEqual(500 + 1e-6);
  });
});

describe('driveWithClock', () => {
  it('runs in real time too: steps arrive from a real clock (waited on as events, not sleeps)', async () => {
    const clock = new RealClock({ spinMs: 0 });
    const inv = make(600);
    const steps: number[] = [];
    const done = new Promise<void>((resolve) => {
      const d = driveWithClock(clock, { step: (dt) => { inv.step(dt); steps.push(dt); if (steps.length === 5) { d.stop(); resolve(); } } }, 10);
    });
    await done;
    expect(steps).toHaveLength(5);
    expect(steps.every((dt) => dt > 0)).toBe(true);
    expect(inv.time).toBeCloseTo(steps.reduce((a, b) => a + b, 0), 9);
  });

  it('steps the model on the clock without drift and stops cleanly', () => {
    const clock = new VirtualClock();
    const inv = make(600);
    const d = driveWithClock(clock, inv, 100);
    clock.advance(10_000);
    expect(inv.time).toBeCloseTo(10, 9);
    d.stop();
    clock.advance(1000);
    expect(inv.time).toBeCloseTo(10, 9);
    expect(clock.pending).toBe(0);
  });
});
