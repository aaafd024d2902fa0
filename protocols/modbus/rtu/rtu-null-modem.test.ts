import { VirtualClock } from '../../../core/clock';
import { ClosedError } from '../../../core/errors';
import { createNullModem } from './rtu-null-modem';

describe('createNullModem', () => {
  it('delivers in order on the next microtask when not paced', async () => {
    const [a, b] = createNullModem();
    const got: number[][] = [];
    b.onData((c) => got.push([...c]));
    const w1 = a.write(Uint8Array.of(1, 2));
    const w2 = a.write(Uint8Array.of(3));
    expect(got).toEqual([]); // not synchronous
    await Promise.all([w1, w2]);
    await Promise.resolve();
    expect(got).toEqual([[1, 2], [3]]);
    await a.close();
    await b.close();
  });

  it('paces chunks at the baud rate on the clock, one at a time, and resolves writes when delivered', async () => {
    const clock = new VirtualClock(0);
    const [a, b] = createNullModem({ clock, baudRate: 9600, bitsPerChar: 10, paced: true });
    const got: Array<[number, number]> = [];
    b.onData((c) => got.push([clock.now(), c.length]));
    let firstDone = -1;
    void a.write(new Uint8Array(96)).then(() => (firstDone = clock.now()));
    void a.write(new Uint8Array(48));
    await clock.advanceAsync(200);
    expect(got).toEqual([
      [100, 96],
      [150, 48],
    ]);
    expect(firstDone).toBe(100);
    await a.close();
    await b.close();
    expect(clock.pending).toBe(0);
  });

  it('applies the manipulator to what one end sends: split, corrupt, drop', async () => {
    const [a, b] = createNullModem();
    const got: number[][] = [];
    b.onData((c) => got.push([...c]));
    a.setManipulator((bytes) => (bytes[0] === 0 ? [] : [bytes.subarray(0, 1), bytes.subarray(1).map((x) => x ^ 0xff)]));
    await a.write(Uint8Array.of(0, 1));
    await a.write(Uint8Array.of(5, 0, 1));
    await Promise.resolve();
    expect(got).toEqual([[5], [0xff, 0xfe]]);
    await a.close();
    await b.close();
  });

  it('rejects writes after close and cancels paced writes in flight', async () => {
    const clock = new VirtualClock(0);
    const [a, b] = createNullModem({ clock, paced: true });
    const inFlight = a.write(new Uint8Array(100));
    await a.close();
    await expect(inFlight).rejects.toBeInstanceOf(ClosedError);
    await expect(a.write(Uint8Array.of(1))).rejects.toBeInstanceOf(ClosedError);
    await b.close();
    expect(clock.pending).toBe(0);
  });
});
