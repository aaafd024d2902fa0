import { runInNewContext } from 'node:vm';
import { IdleGc, LazyIdleGc, v8Engine, type IdleGcEngine } from './idle-gc';

/** A young generation of `capacity` bytes that the test fills by hand, and a clock the test moves. */
class FakeEngine implements IdleGcEngine {
  used = 0;
  t = 0;
  collections = 0;
  /** What the next scavenge takes, ms. */
  scavengeMs = 0.2;
  constructor(readonly capacity = 1_000_000) {}
  usage(): { used: number; available: number } {
    return { used: this.used, available: this.capacity - this.used };
  }
  collectMinor(): void {
    this.collections++;
    this.t += this.scavengeMs;
    this.used = 10_000; // survivors
  }
  now(): number {
    return this.t;
  }
  /** A busy stretch: allocate, let time pass. */
  work(bytes: number, ms = 1): void {
    this.used += bytes;
    this.t += ms;
  }
}

describe('IdleGc', () => {
  it('scavenges at an idle point once less than freeFraction of the young generation is left, not before', () => {
    const e = new FakeEngine();
    const gc = new IdleGc(e, { freeFraction: 0.3, burstFactor: 0, probeEveryMs: 0 });
    e.work(600_000, 30);
    expect(gc.idle(50)).toBe(false); // 40 % left
    e.work(110_000, 30);
    expect(gc.idle(50)).toBe(true); // 29 % left
    expect(e.collections).toBe(1);
    expect(gc.stats()).toMatchObject({ collections: 1, checks: 2, idlePoints: 2 });
  });

  it('scavenges earlier when the busy stretches allocate more than what would be left', () => {
    const e = new FakeEngine();
    const gc = new IdleGc(e, { freeFraction: 0.1, burstFactor: 2, probeEveryMs: 0 });
    gc.idle(50); // first look: nothing learned yet
    e.work(200_000, 30);
    expect(gc.idle(50)).toBe(false); // 800 kB left, bursts of 200 kB: room for 4
    e.work(200_000, 30);
    expect(gc.idle(50)).toBe(false); // 600 kB left: room for 3
    e.work(250_000, 30);
    expect(gc.idle(50)).toBe(true); // 350 kB left < 2 x 250 kB
  });

  it('never scavenges when the time before the next work is shorter than minFreeMs plus the expected cost', () => {
    const e = new FakeEngine();
    const gc = new IdleGc(e, { minFreeMs: 4, probeEveryMs: 0 });
    e.work(900_000, 30);
    expect(gc.idle(3)).toBe(false);
    expect(gc.idle(4.2)).toBe(false); // first guess of the cost: 0.5 ms
    expect(gc.stats()).toMatchObject({ tooShort: 2, checks: 0, collections: 0 });
    expect(gc.idle(4.6)).toBe(true);
    expect(e.collections).toBe(1);
  });

  it('learns what a scavenge costs, and an outlier fades at the idle points it makes too short', () => {
    const e = new FakeEngine();
    const gc = new IdleGc(e, { minFreeMs: 1, probeEveryMs: 0 });
    for (let i = 0; i < 20; i++) {
      e.work(900_000, 30);
      expect(gc.idle(50)).toBe(true);
    }
    expect(gc.costMs).toBeCloseTo(0.2, 1);
    e.scavengeMs = 5; // one preempted scavenge
    e.work(900_000, 30);
    gc.idle(50);
    expect(gc.costMs).toBeGreaterThan(2);
    e.scavengeMs = 0.2;
    e.work(900_000, 30);
    expect(gc.idle(2.5)).toBe(false); // too short for the estimate now
    let tries = 0;
    while (!gc.idle(2.5) && tries < 100) tries++;
    expect(tries).toBeGreaterThan(5); // the deviation shrank back, a little at each idle point
    expect(tries).toBeLessThan(100);
    expect(e.collections).toBe(22);
  });

  it('recovers when the very first scavenge it measured was a long one', () => {
    const e = new FakeEngine();
    const gc = new IdleGc(e, { minFreeMs: 1, probeEveryMs: 0 });
    e.scavengeMs = 9; // preempted
    e.work(900_000, 30);
    expect(gc.idle(50)).toBe(true);
    expect(gc.costMs).toBeGreaterThan(9);
    e.scavengeMs = 0.3;
    e.work(900_000, 30);
    let tries = 0;
    while (!gc.idle(3.9) && tries < 200) tries++; // RTU at 115200 baud: a reply's wire time + t3.5
    expect(tries).toBeLessThan(200);
    expect(e.collections).toBe(2);
  });

  it('looks at the young generation at most every probeEveryMs', () => {
    const e = new FakeEngine();
    const gc = new IdleGc(e, { probeEveryMs: 20, minFreeMs: 0 });
    e.work(900_000, 1);
    const usage = jest.spyOn(e, 'usage');
    gc.idle(10); // t = 1: looks, scavenges
    e.work(900_000, 5);
    gc.idle(10); // t = 6.2: too soon
    expect(usage).toHaveBeenCalledTimes(2); // the look, and the reading after the scavenge
    expect(e.collections).toBe(1);
    e.work(0, 15);
    expect(gc.idle(10)).toBe(true); // t = 21.2: looks again
    expect(gc.stats()).toMatchObject({ checks: 2, collections: 2, idlePoints: 3 });
  });
});

describe('LazyIdleGc', () => {
  it('is made on first use; reports zeros before that, and nothing when off', () => {
    const on = new LazyIdleGc({ probeEveryMs: 0 });
    expect(on.stats()).toEqual({ idlePoints: 0, checks: 0, collections: 0, tooShort: 0, maxMs: 0 });
    const gc = on.get();
    expect(gc).toBeInstanceOf(IdleGc);
    expect(on.get()).toBe(gc);
    gc!.idle(1000);
    expect(on.stats()).toMatchObject({ idlePoints: 1 });
    const off = new LazyIdleGc(undefined);
    expect(off.get()).toBeNull();
    expect(off.stats()).toBeUndefined();
  });
});

describe('v8Engine', () => {
  it('reads the young generation and scavenges it (a scavenge leaves less in it than was allocated)', () => {
    const engine = v8Engine();
    expect(engine).not.toBeNull();
    const keep: object[] = [];
    for (let i = 0; i < 20_000; i++) keep.push({ i });
    const before = engine!.usage();
    expect(before.used).toBeGreaterThan(0);
    expect(before.available).toBeGreaterThan(0);
    keep.length = 0;
    engine!.collectMinor();
    expect(engine!.usage().used).toBeLessThan(before.used);
  });

  it('leaves no global gc in contexts made later (unless the process itself was started with --expose-gc)', () => {
    expect(v8Engine()).not.toBeNull();
    const startedWithIt = process.execArgv.some((a) => /^--expose[-_]gc$/.test(a)) || /--expose[-_]gc/.test(process.env.NODE_OPTIONS ?? '');
    expect(runInNewContext('typeof gc')).toBe(startedWithIt ? 'function' : 'undefined');
  });
});
