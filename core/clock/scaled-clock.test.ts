import { ScaledClock } from './scaled-clock';
import { VirtualClock } from './virtual-clock';

describe('ScaledClock', () => {
  it('runs k times faster than its inner clock, from the start it is given', () => {
    const inner = new VirtualClock(1000);
    const c = new ScaledClock(inner, 10, 5000);
    expect(c.now()).toBe(5000);
    inner.advance(100);
    expect(c.now()).toBe(6000);
    expect(c.toInner(7000)).toBe(1200);
    expect(c.fromInner(1300)).toBe(8000);
  });

  it('fires timers at the mapped inner instant, same-instant timers in the order they were set', () => {
    const inner = new VirtualClock(0);
    const c = new ScaledClock(inner, 100);
    const fired: string[] = [];
    c.setTimer(1000, () => fired.push(`a@${inner.now()}`));
    c.setTimeout(() => fired.push(`b@${inner.now()}`), 1000);
    c.setTimer(500, () => fired.push(`c@${inner.now()}`));
    inner.advance(9);
    expect(fired).toEqual(['c@5']);
    inner.advance(1);
    expect(fired).toEqual(['c@5', 'a@10', 'b@10']);
    expect(c.pending).toBe(0);
  });

  it('clearTimer cancels; unknown and fired handles are no-ops', () => {
    const inner = new VirtualClock(0);
    const c = new ScaledClock(inner, 2);
    let n = 0;
    const h = c.setTimer(10, () => n++);
    c.clearTimer(h);
    c.clearTimer(h);
    c.clearTimer(999);
    inner.advance(100);
    expect(n).toBe(0);
  });

  it('align moves the mapping and re-arms pending timers on it', () => {
    const inner = new VirtualClock(0);
    const c = new ScaledClock(inner, 10, 0);
    const fired: number[] = [];
    c.setTimer(1000, () => fired.push(inner.now())); // inner 100 before aligning
    inner.advance(20); // scaled 200
    c.align(500, 20); // the controller was found 300 ms ahead: jump to it
    expect(c.now()).toBe(500);
    inner.advance(49);
    expect(fired).toEqual([]);
    inner.advance(1); // scaled 1000 at inner 70
    expect(fired).toEqual([70]);
  });

  it('sleep resolves after the scaled delay', async () => {
    const inner = new VirtualClock(0);
    const c = new ScaledClock(inner, 4);
    let done = false;
    const p = c.sleep(400).then(() => (done = true));
    await inner.advanceAsync(99);
    expect(done).toBe(false);
    await inner.advanceAsync(1);
    await p;
    expect(done).toBe(true);
  });

  it('refuses a speed that is not a positive number', () => {
    expect(() => new ScaledClock(new VirtualClock(0), 0)).toThrow(RangeError);
    expect(() => new ScaledClock(new VirtualClock(0), Number.NaN)).toThrow(RangeError);
  });
});
