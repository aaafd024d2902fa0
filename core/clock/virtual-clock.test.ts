import { VirtualClock } from './virtual-clock';

describe('VirtualClock', () => {
  it('fires timers in due order, then creation order, reading the due time as now()', () => {
    const clock = new VirtualClock(1000);
    const seen: string[] = [];
    clock.setTimer(1020, () => seen.push(`b@${clock.now()}`));
    clock.setTimer(1010, () => seen.push(`a@${clock.now()}`));
    clock.setTimer(1020, () => seen.push(`c@${clock.now()}`));
    clock.advance(15);
    expect(seen).toEqual(['a@1010']);
    expect(clock.now()).toBe(1015);
    clock.advance(100);
    expect(seen).toEqual(['a@1010', 'b@1020', 'c@1020']);
    expect(clock.now()).toBe(1115);
  });

  it('runs timers that callbacks set inside the advanced window, and honours clearTimer', () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    const h = clock.setTimeout(() => seen.push(-1), 5);
    clock.setTimeout(() => {
      seen.push(clock.now());
      clock.setTimeout(() => seen.push(clock.now()), 10);
    }, 10);
    clock.clearTimer(h);
    clock.clearTimer(h);
    clock.advance(30);
    expect(seen).toEqual([10, 20]);
    expect(clock.pending).toBe(0);
  });

  it('collects a throwing callback without stopping the others, and rethrows from advance', () => {
    const clock = new VirtualClock();
    const seen: number[] = [];
    clock.setTimeout(() => {
      throw new Error('boom');
    }, 1);
    clock.setTimeout(() => seen.push(2), 2);
    expect(() => clock.advance(5)).toThrow('boom');
    expect(seen).toEqual([2]);
  });

  it('sleep resolves on advanceAsync and lets promise chains settle between timers', async () => {
    const clock = new VirtualClock();
    const order: string[] = [];
    void (async () => {
      await clock.sleep(10);
      order.push(`woke@${clock.now()}`);
      await clock.sleep(10);
      order.push(`woke@${clock.now()}`);
    })();
    await clock.advanceAsync(25);
    expect(order).toEqual(['woke@10', 'woke@20']);
  });

  /** Many timers on one instant, clears among them, timers set during the pass: the order every variant must give. */
  function crowd(clock: VirtualClock, seen: string[]): void {
    const handles: number[] = [];
    for (let i = 0; i < 50; i++) {
      handles.push(
        clock.setTimer(100, () => {
          seen.push(`t${i}@${clock.now()}`);
          if (i === 3) clock.clearTimer(handles[7]!); // a later timer of the same instant, cleared from inside
          if (i === 11) clock.setTimer(50, () => seen.push(`late@${clock.now()}`)); // in the past: after those already due
          if (i === 21) clock.setTimer(100, () => seen.push(`same@${clock.now()}`));
          if (i === 31) clock.setTimer(150, () => seen.push(`next@${clock.now()}`));
        }),
      );
    }
    clock.setTimer(90, () => seen.push(`early@${clock.now()}`));
    for (let i = 0; i < 50; i += 5) clock.clearTimer(handles[i]!);
    const gone = clock.setTimer(120, () => seen.push('cleared instant'));
    clock.clearTimer(gone);
  }
  const expected = [
    'early@90',
    ...Array.from({ length: 50 }, (_v, i) => i)
      .filter((i) => i % 5 !== 0 && i !== 7)
      .map((i) => `t${i}@100`),
    'late@100',
    'same@100',
    'next@150',
  ];

  it('runs many timers due at one instant in creation order, with clears and timers set during the pass', () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    crowd(clock, seen);
    expect(clock.nextDue()).toBe(90);
    clock.advanceTo(100);
    expect(clock.nextDue()).toBe(150); // the cleared instant (120) is skipped
    expect(clock.pending).toBe(1);
    clock.advanceTo(200);
    expect(seen).toEqual(expected);
    expect(clock.pending).toBe(0);
    expect(clock.nextDue()).toBeUndefined();
  });

  it('gives the same order one timer at a time (advanceToAsync, runAll)', async () => {
    const a = new VirtualClock();
    const seenA: string[] = [];
    crowd(a, seenA);
    await a.advanceToAsync(200);
    expect(seenA).toEqual(expected);
    const b = new VirtualClock();
    const seenB: string[] = [];
    crowd(b, seenB);
    b.runAll();
    expect(seenB).toEqual(expected);
    expect(b.now()).toBe(150);
  });
});

