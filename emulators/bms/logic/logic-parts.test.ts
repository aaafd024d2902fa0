import { Contactor } from './contactor';
import { DeratingCurve } from './derating';
import { HeartbeatWatchdog } from './heartbeat-watchdog';
import { LevelMonitor } from './level-monitor';

describe('LevelMonitor', () => {
  const t = { warn: 4.15, warnClear: 4.13, alarm: 4.224, alarmClear: 4.204 };
  it('sets and clears with hysteresis; the alarm waits for its delay', () => {
    const m = new LevelMonitor(t, true, 2);
    m.update(4.14, 1);
    expect([m.warning, m.alarm]).toEqual([false, false]);
    m.update(4.16, 1);
    expect(m.warning).toBe(true);
    m.update(4.14, 1); // inside the hysteresis band: stays
    expect(m.warning).toBe(true);
    m.update(4.12, 1);
    expect(m.warning).toBe(false);
    m.update(4.23, 1);
    expect(m.alarm).toBe(false); // 1 s of 2
    m.update(4.23, 1);
    expect(m.alarm).toBe(true);
    m.update(4.21, 1);
    expect(m.alarm).toBe(true);
    m.update(4.2, 1);
    expect(m.alarm).toBe(false);
  });
  it('mirrors for a low monitor', () => {
    const m = new LevelMonitor({ warn: 3.0, warnClear: 3.02, alarm: 2.5, alarmClear: 2.52 }, false);
    m.update(2.99, 1);
    expect(m.warning).toBe(true);
    m.update(3.01, 1);
    expect(m.warning).toBe(true);
    m.update(3.03, 1);
    expect(m.warning).toBe(false);
    m.update(2.4, 1);
    expect(m.alarm).toBe(true);
  });
});

describe('DeratingCurve (dbus-serialbattery charge vs temperature, PACKS.md 6.3)', () => {
  const c = new DeratingCurve([[0, 0], [2, 0.1], [5, 0.2], [10, 0.4], [15, 0.8], [20, 1], [35, 1], [40, 0.4], [55, 0]]);
  it('interpolates linearly and holds the ends', () => {
    expect(c.at(-10)).toBe(0);
    expect(c.at(1)).toBeCloseTo(0.05, 12);
    expect(c.at(12.5)).toBeCloseTo(0.6, 12);
    expect(c.at(25)).toBe(1);
    expect(c.at(37.5)).toBeCloseTo(0.7, 12);
    expect(c.at(60)).toBe(0);
    expect(c.at(NaN)).toBe(0);
  });
});

describe('Contactor', () => {
  it('precharges, closes, opens; welded stays conducting; fails-to-close latches until reset', () => {
    const k = new Contactor(2);
    k.step(1, true);
    expect(k.state).toBe('precharge');
    expect(k.conducting).toBe(false);
    k.step(1, true);
    expect(k.state).toBe('closed');
    expect(k.cycles).toBe(1);
    k.weldedPhysical = true;
    k.step(1, false);
    expect(k.state).toBe('welded');
    expect(k.conducting).toBe(true);
    expect(k.weldDetected).toBe(true);
    k.weldedPhysical = false;
    k.step(1, false);
    expect(k.state).toBe('open');
    k.reset();
    expect(k.faulted).toBe(false);
    k.failsToClosePhysical = true;
    k.step(1, true);
    k.step(1, true);
    expect(k.state).toBe('open');
    expect(k.failedToClose).toBe(true);
    k.failsToClosePhysical = false;
    k.step(5, true);
    expect(k.state).toBe('open'); // latched
    k.reset();
    k.step(1, true);
    k.step(1, true);
    expect(k.state).toBe('closed');
  });
});

describe('HeartbeatWatchdog', () => {
  it('is armed by the first beat and declares loss after the timeout', () => {
    const w = new HeartbeatWatchdog(3000);
    expect(w.check(100_000)).toBe(false);
    w.beat(1000);
    expect(w.check(4000)).toBe(false);
    expect(w.check(4001)).toBe(true);
    expect(w.losses).toBe(1);
    w.check(5000);
    expect(w.losses).toBe(1);
    w.beat(5000);
    expect(w.lost).toBe(false);
  });
  it('can be armed at start', () => {
    expect(new HeartbeatWatchdog(3000, true, 0).check(3001)).toBe(true);
  });
  it("restarts its grace at a scenario's t=0 while armed at start and unfed; not once beats came, nor when unarmed", () => {
    const armed = new HeartbeatWatchdog(3000, true, 0);
    armed.restartGrace(5000);
    expect(armed.check(8000)).toBe(false);
    expect(armed.check(8001)).toBe(true);
    const fed = new HeartbeatWatchdog(3000, true, 0);
    fed.beat(1000);
    fed.restartGrace(5000);
    expect(fed.check(4001)).toBe(true);
    const unarmed = new HeartbeatWatchdog(3000);
    unarmed.restartGrace(5000);
    expect(unarmed.check(100_000)).toBe(false);
  });
});
