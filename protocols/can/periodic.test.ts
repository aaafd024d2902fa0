import { VirtualClock } from '../../core/clock';
import { FrameError } from '../../core/errors';
import { makeFrame, type CanFrame } from './frame';
import { PeriodicSender } from './periodic';
import { HandClock } from '../../test/support/hand-clock';

describe('PeriodicSender', () => {
  it('keeps due times on the period grid when transmissions run late (no drift)', () => {
    const clock = new HandClock();
    const sent: number[] = [];
    const task = new PeriodicSender(clock, makeFrame(1, [0]), 100, () => sent.push(clock.now()), () => undefined);
    expect(clock.fireAt(3)).toBe(0);
    expect(clock.fireAt(107)).toBe(100);
    expect(clock.fireAt(200.5)).toBe(200);
    expect([...clock.timers.values()][0]!.at).toBe(300);
    expect(task.stats).toMatchObject({ sent: 3, skipped: 0, lastLateMs: 0.5, maxLateMs: 7 });
  });

  it('skips missed slots after a stall instead of bursting', () => {
    const clock = new HandClock();
    let sent = 0;
    const task = new PeriodicSender(clock, makeFrame(1, [0]), 100, () => sent++, () => undefined);
    clock.fireAt(0);
    clock.fireAt(450); // due 100; slots 200, 300 and 400 are gone
    expect(task.skipped).toBe(3);
    expect([...clock.timers.values()][0]!.at).toBe(500);
    expect(sent).toBe(2);
  });

  it('with a duration, counts as skipped only the slots it would have sent: sent + skipped = slots in the duration', () => {
    const clock = new HandClock();
    let sent = 0;
    // Slots at 100, 200 and 300 (startDelay 100, duration 300).
    const late = new PeriodicSender(clock, makeFrame(1, [0]), 100, () => sent++, () => undefined, { startDelayMs: 100, durationMs: 300 });
    clock.fireAt(100);
    clock.fireAt(200);
    clock.fireAt(450); // the last slot runs late: slot 400 is past the duration, not a skipped one
    expect([late.running, sent, late.skipped]).toEqual([false, 3, 0]);
    sent = 0;
    clock.t = 0;
    const stalled = new PeriodicSender(clock, makeFrame(1, [0]), 100, () => sent++, () => undefined, { startDelayMs: 100, durationMs: 300 });
    clock.fireAt(260); // slot 200 is gone, 300 still ahead
    expect([stalled.running, stalled.skipped]).toEqual([true, 1]);
    clock.fireAt(750); // slot 300 runs very late: nothing of the duration is left to skip
    expect([stalled.running, sent, stalled.skipped]).toEqual([false, 2, 1]);
  });

  it('counts a throwing transmit and keeps its schedule', () => {
    const clock = new VirtualClock();
    let calls = 0;
    const task = new PeriodicSender(
      clock,
      makeFrame(1, [0]),
      10,
      () => {
        calls++;
        throw new Error('medium hiccup');
      },
      () => undefined,
    );
    clock.advance(35);
    expect(calls).toBe(4);
    expect(task.stats).toMatchObject({ sent: 0, errors: 4 });
    task.stop();
  });

  it('sends the updated payload from the next slot, validates updates, stops once and reports it', () => {
    const clock = new VirtualClock();
    const seen: CanFrame[] = [];
    const stopped: unknown[] = [];
    const task = new PeriodicSender(clock, makeFrame(0x351, [1]), 10, (f) => seen.push(f), (t) => stopped.push(t), { durationMs: 50 });
    clock.advance(5);
    task.update([2]);
    expect(() => task.update(new Array(9).fill(0))).toThrow(FrameError);
    clock.advance(100);
    expect(seen.map((f) => f.data[0])).toEqual([1, 2, 2, 2, 2, 2]);
    expect(task.running).toBe(false);
    task.stop();
    expect(stopped).toEqual([task]);
    expect(clock.pending).toBe(0);
  });

  it('refuses a non-positive period and an invalid frame', () => {
    const clock = new VirtualClock();
    expect(() => new PeriodicSender(clock, makeFrame(1, []), 0, () => undefined, () => undefined)).toThrow(RangeError);
    expect(() => new PeriodicSender(clock, { id: 0x800, extended: false, data: new Uint8Array(0) }, 10, () => undefined, () => undefined)).toThrow(FrameError);
  });
});
