import { HandClock } from '../../test/support/hand-clock';
import { PeriodicSchedule, type ScheduleSlot } from './periodic-schedule';
import { VirtualClock } from './virtual-clock';

describe('PeriodicSchedule', () => {
  it('runs every period on a virtual clock, exactly on the grid, first slot one period from now by default', () => {
    const clock = new VirtualClock(1000);
    const at: number[] = [];
    const s = new PeriodicSchedule(clock, 100, ({ now, due }) => at.push(now - due === 0 ? now : -1));
    clock.advance(450);
    expect(at).toEqual([1100, 1200, 1300, 1400]);
    expect(s.stats).toEqual({ runs: 4, skipped: 0, lastLateMs: 0, maxLateMs: 0 });
    s.stop();
    clock.advance(1000);
    expect(at).toHaveLength(4);
  });

  it('keeps due times on the grid when slots run late (no drift)', () => {
    const clock = new HandClock();
    const s = new PeriodicSchedule(clock, 100, () => undefined, { firstAt: 0 });
    expect(clock.fireAt(3)).toBe(0);
    expect(clock.fireAt(107)).toBe(100);
    expect(clock.fireAt(200.5)).toBe(200);
    expect(s.nextDue).toBe(300);
    expect(s.stats).toEqual({ runs: 3, skipped: 0, lastLateMs: 0.5, maxLateMs: 7 });
  });

  it('after a stall skips the passed slots, counts them, tells the next run, and resumes on the grid strictly after now', () => {
    const clock = new HandClock();
    const slots: ScheduleSlot[] = [];
    const s = new PeriodicSchedule(clock, 100, (slot) => slots.push(slot), { firstAt: 0 });
    clock.fireAt(0);
    clock.fireAt(450); // due 100; slots 200, 300 and 400 are gone
    expect(s.nextDue).toBe(500);
    clock.fireAt(500);
    clock.fireAt(700); // exactly on slot 700: 600 is gone, 700 is not ahead either (it is now)
    expect(s.nextDue).toBe(800);
    clock.fireAt(800);
    expect(slots.map((x) => [x.due, x.run, x.skipped])).toEqual([
      [0, 0, 0],
      [100, 1, 0],
      [500, 2, 3],
      [600, 3, 0],
      [800, 4, 1],
    ]);
    expect(s.stats.skipped).toBe(4);
  });

  it('with until: ends by itself after the last slot (onEnd once) and never counts slots past it as skipped', () => {
    const clock = new HandClock();
    let ended = 0;
    const s = new PeriodicSchedule(clock, 100, () => undefined, { firstAt: 100, until: 300, onEnd: () => ended++ });
    clock.fireAt(100);
    clock.fireAt(260); // slot 200 late, nothing skipped yet
    clock.fireAt(750); // slot 300 (the last) very late: 400.. are past until
    expect([s.running, s.stats.runs, s.stats.skipped, ended, clock.timers.size]).toEqual([false, 3, 0, 1, 0]);
    const none = new PeriodicSchedule(clock, 100, () => undefined, { firstAt: 900, until: 800, onEnd: () => ended++ });
    expect([none.running, ended, clock.timers.size]).toEqual([false, 2, 0]);
  });

  it('arms the next slot before running, so a throwing slot keeps the schedule and a slot may stop it', () => {
    const clock = new VirtualClock();
    let calls = 0;
    const s = new PeriodicSchedule(clock, 10, () => {
      calls++;
      if (calls === 5) s.stop();
      throw new Error('slot failed');
    });
    for (let i = 0; i < 5; i++) expect(() => clock.advance(10)).toThrow('slot failed');
    expect(() => clock.advance(100)).not.toThrow();
    expect([calls, s.running]).toEqual([5, false]);
  });

  it('refuses a period that is not positive', () => {
    expect(() => new PeriodicSchedule(new VirtualClock(), 0, () => undefined)).toThrow(RangeError);
  });
});
