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
});
