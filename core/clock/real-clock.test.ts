import { RealClock, type RealClockOptions } from './real-clock';

const variants: Array<[string, RealClockOptions]> = [
  ['default (sleep)', {}],
  ['spin', { fine: 'spin' }],
  ['plain setTimeout', { spinMs: 0 }],
];

describe.each(variants)('RealClock %s', (_name, options) => {
  it('never fires early, and fires in due order, then creation order', async () => {
    const clock = new RealClock(options);
    const base = clock.now();
    const seen: string[] = [];
    const early: number[] = [];
    const at = (label: string, t: number): void => {
      clock.setTimer(t, () => {
        if (clock.now() < t) early.push(t);
        seen.push(label);
      });
    };
    at('c', base + 12);
    at('a', base + 4);
    at('b1', base + 8);
    at('b2', base + 8);
    await new Promise<void>((resolve) => clock.setTimer(base + 13, resolve));
    expect(seen).toEqual(['a', 'b1', 'b2', 'c']);
    expect(early).toEqual([]);
    expect(clock.pending).toBe(0);
  });

  it('never calls back synchronously inside setTimer, even for a time in the past', async () => {
    const clock = new RealClock(options);
    let inside = true;
    let calledInside = false;
    const fired = new Promise<void>((resolve) =>
      clock.setTimer(clock.now() - 5, () => {
        calledInside = inside;
        resolve();
      }),
    );
    inside = false;
    await fired;
    expect(calledInside).toBe(false);
  });

  it('runs a past-due timer set by a callback after the timers already due', async () => {
    const clock = new RealClock(options);
    const base = clock.now();
    const seen: string[] = [];
    let lateSetFired: () => void = () => undefined;
    const done = new Promise<void>((resolve) => (lateSetFired = resolve));
    clock.setTimer(base + 3, () => {
      seen.push('first');
      clock.setTimer(base, () => {
        seen.push('late-set');
        lateSetFired();
      });
    });
    clock.setTimer(base + 3, () => seen.push('second'));
    await done;
    expect(seen).toEqual(['first', 'second', 'late-set']);
  });

  it('honours clearTimer (also from a callback), and a cleared handle is a no-op', async () => {
    const clock = new RealClock(options);
    const seen: string[] = [];
    const h1 = clock.setTimeout(() => seen.push('cleared'), 2);
    let h3 = 0;
    clock.setTimeout(() => {
      seen.push('clears h3');
      clock.clearTimer(h3);
    }, 3);
    h3 = clock.setTimeout(() => seen.push('h3'), 3);
    clock.clearTimer(h1);
    clock.clearTimer(h1);
    clock.clearTimer(12345);
    await clock.sleep(8);
    expect(seen).toEqual(['clears h3']);
    expect(clock.pending).toBe(0);
  });

  it('a chain of sub-millisecond timers does not starve the rest of the event loop', async () => {
    const clock = new RealClock(options);
    let running = true;
    let ticks = 0;
    const tick = (): void => {
      ticks++;
      if (running) clock.setTimeout(tick, 0.3);
    };
    clock.setTimeout(tick, 0.3);
    // A plain Node timer must still get its turn while the chain runs (it was once held for seconds).
    await new Promise<void>((resolve) => setTimeout(resolve, 5));
    running = false;
    expect(ticks).toBeGreaterThan(0);
  });

  it('keeps working after every timer was cleared', async () => {
    const clock = new RealClock(options);
    clock.clearTimer(clock.setTimeout(() => undefined, 1));
    expect(clock.pending).toBe(0);
    const t0 = clock.now();
    await clock.sleep(3);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(3);
  });
});

describe('RealClock wake-ups', () => {
  it('serves many timers due at about the same instant with one setTimeout wake-up', async () => {
    const clock = new RealClock();
    const due = clock.now() + 30;
    let fired = 0;
    for (let i = 0; i < 100; i++) clock.setTimer(due + i * 0.001, () => fired++);
    await new Promise<void>((resolve) => clock.setTimer(due + 0.2, resolve));
    expect(fired).toBe(100);
    const st = clock.stats();
    expect(st.fired).toBe(101);
    expect(st.wakeups).toBe(1);
  });

  it('reads epoch milliseconds', () => {
    const clock = new RealClock();
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(1000);
  });
});
