import { RealClock, VirtualClock } from '../../../core/clock';
import { ClosedError, ConfigError } from '../../../core/errors';
import { makeFrame, type CanFrame } from '../frame';
import { parseMediumUrl } from '../medium-url';
import { openBus } from '../registry';
import { VirtualBus, openVirtualBus, openVirtualChannels } from './virtual';

const eight = [1, 2, 3, 4, 5, 6, 7, 8];
/** A send whose outcome the test reads elsewhere (stats, receivers); a rejection on close is expected. */
const fire = (p: Promise<void>): void => void p.catch(() => undefined);

describe('virtual medium with bit timing', () => {
  const open: VirtualBus[] = [];
  const bus = (channel: string, clock: VirtualClock, bitrate?: number, stuffing?: 'none' | 'exact' | 'worst'): VirtualBus => {
    const b = new VirtualBus(channel, { clock, ...(bitrate ? { bitrate } : {}), ...(stuffing ? { stuffing } : {}) });
    open.push(b);
    return b;
  };
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
    expect(openVirtualChannels()).toEqual([]);
  });

  it('carries about 4,500 8-byte standard frames per second when saturated at 500 kbit/s', async () => {
    const clock = new VirtualClock();
    const tx1 = bus('sat', clock, 500_000, 'none');
    const tx2 = bus('sat', clock);
    const rx = bus('sat', clock);
    let received = 0;
    rx.onFrame(() => received++);
    for (let i = 0; i < 2500; i++) {
      fire(tx1.send(makeFrame(0x100 + (i % 16), eight)));
      fire(tx2.send(makeFrame(0x200 + (i % 16), eight)));
    }
    expect(tx1.txQueueLength).toBe(2500);
    await clock.advanceAsync(1000);
    // 111 bits at 2 us each: 1000 / 0.222 = 4504.5, so 4504 whole frames in one second, one more on the wire.
    expect(received).toBe(4504);
    const w = rx.wireStats()!;
    expect(w.frames).toBe(4504);
    expect(w.load).toBeCloseTo(1, 6);
    expect(w.maxQueued).toBe(5000);
    expect(w.queued).toBe(5000 - 4504 - 1);
    // Every 0x1xx frame outranks every 0x2xx frame: tx1's queue drains first.
    expect(tx1.txQueueLength).toBe(0);
    expect(tx1.stats.txFrames).toBe(2500);
    expect(tx2.txQueueLength).toBe(2500 - (4504 - 2500) - 1);
  });

  it('exact stuffing costs wire time: all-zero payloads carry fewer frames than alternating ones', async () => {
    const clock = new VirtualClock();
    const count = async (channel: string, byte: number): Promise<number> => {
      const tx = bus(channel, clock, 500_000, 'exact');
      const rx = bus(channel, clock);
      let n = 0;
      rx.onFrame(() => n++);
      const start = clock.now();
      for (let i = 0; i < 5000; i++) fire(tx.send(makeFrame(0x555, new Array(8).fill(byte))));
      await clock.advanceToAsync(start + 1000);
      return n;
    };
    const zeros = await count('stuff0', 0x00);
    const alternating = await count('stuff55', 0x55);
    expect(alternating).toBeGreaterThan(zeros);
    expect(alternating).toBeLessThanOrEqual(4505);
    expect(zeros).toBeGreaterThanOrEqual(Math.floor(1000 / 0.27)); // never worse than worst-case stuffing
  });

  it('arbitrates pending frames of all members by id, standard before extended for equal base ids', async () => {
    const clock = new VirtualClock();
    const members = [0, 1, 2, 3, 4].map(() => bus('prio', clock, 500_000, 'none'));
    const rx = bus('prio', clock);
    const seen: string[] = [];
    rx.onFrame((f) => seen.push(`${f.extended ? 'x' : 's'}${f.rtr ? 'r' : ''}${f.id.toString(16)}`));
    // All queued at the same instant on an idle bus: they arbitrate together.
    fire(members[0]!.send(makeFrame(0x300, eight)));
    fire(members[1]!.send(makeFrame(0x100 << 18, eight, { extended: true })));
    fire(members[2]!.send(makeFrame(0x100, [], { rtr: true, dlc: 2 })));
    fire(members[3]!.send(makeFrame(0x100, eight)));
    fire(members[4]!.send(makeFrame(0x0ff << 18, [], { extended: true })));
    await clock.advanceAsync(10);
    expect(seen).toEqual(['x3fc0000', 's100', 'sr100', 'x4000000', 's300']);
  });

  it('lets a later, lower id overtake frames waiting behind the one on the wire; each member queue stays FIFO', async () => {
    const clock = new VirtualClock();
    const a = bus('overtake', clock, 500_000, 'none');
    const b = bus('overtake', clock);
    const c = bus('overtake', clock);
    const rx = bus('overtake', clock);
    const seen: number[] = [];
    rx.onFrame((f) => seen.push(f.id));
    fire(a.send(makeFrame(0x500, eight)));
    await clock.advanceAsync(0.1); // 0x500 is on the wire
    fire(b.send(makeFrame(0x400, eight)));
    fire(c.send(makeFrame(0x700, eight)));
    fire(c.send(makeFrame(0x001, eight))); // behind 0x700 in c's own queue
    await clock.advanceAsync(0.05);
    fire(a.send(makeFrame(0x050, eight)));
    await clock.advanceAsync(10);
    expect(seen).toEqual([0x500, 0x050, 0x400, 0x700, 0x001]);
  });

  it('resolves send when the frame has left the wire, and stamps receivers at that time', async () => {
    const clock = new VirtualClock(1000);
    const a = bus('resolve', clock, 250_000, 'none');
    const b = bus('resolve', clock);
    let resolvedAt: number | undefined;
    const sent = a.send(makeFrame(0x123, eight)).then(() => (resolvedAt = clock.now()));
    await clock.advanceAsync(0.4);
    expect(resolvedAt).toBeUndefined();
    expect(a.stats.txFrames).toBe(0);
    await clock.advanceAsync(1);
    await sent;
    expect(resolvedAt).toBeCloseTo(1000 + 0.444, 9);
    expect((await b.recv(0))?.timestamp).toBeCloseTo(1000.444, 9);
    expect(a.stats.txFrames).toBe(1);
  });

  it('reports bus load over its window for a periodic load', async () => {
    const clock = new VirtualClock();
    const a = bus('load', clock, 500_000, 'none');
    const rx = bus('load', clock);
    a.sendPeriodic(makeFrame(0x351, eight), 1);
    await clock.advanceAsync(2000);
    const w = rx.wireStats()!;
    expect(w.loadWindowMs).toBe(1000);
    expect(w.load).toBeCloseTo(0.222, 3);
    expect(w.frames).toBeGreaterThanOrEqual(2000);
    expect(w.busyMs).toBeCloseTo(w.frames * 0.222, 6);
    expect(w.maxQueued).toBe(1);
    expect(rx.stats.rxFrames).toBe(w.frames);
  });

  it('rejects frames still queued when their bus closes, aborts one on the wire, and leaves no timers', async () => {
    const clock = new VirtualClock();
    const a = bus('closing', clock, 500_000, 'none');
    const b = bus('closing', clock);
    const got: CanFrame[] = [];
    b.onFrame((f) => got.push(f));
    const first = a.send(makeFrame(0x10, eight));
    const second = a.send(makeFrame(0x11, eight));
    await clock.advanceAsync(0.1);
    await a.close();
    await expect(first).rejects.toBeInstanceOf(ClosedError);
    await expect(second).rejects.toBeInstanceOf(ClosedError);
    await clock.advanceAsync(10);
    expect(got).toEqual([]);
    expect(clock.pending).toBe(0);
    expect(b.wireStats()!.queued).toBe(0);
  });

  it('stays instantaneous and synchronous without a bitrate', async () => {
    const clock = new VirtualClock();
    const a = bus('instant', clock);
    const b = bus('instant', clock);
    fire(a.send(makeFrame(1, eight)));
    expect(b.stats.rxFrames).toBe(1);
    expect(a.wireStats()).toBeUndefined();
    expect(a.timed).toBe(false);
    expect(clock.pending).toBe(0);
  });

  it('refuses inconsistent timing settings on one channel with ConfigError', () => {
    const clock = new VirtualClock();
    bus('cfg', clock, 500_000);
    expect(() => bus('cfg', clock, 250_000)).toThrow(/runs at 500000 bit\/s/);
    expect(() => new VirtualBus('cfg', { clock: new VirtualClock() })).toThrow(ConfigError);
    bus('cfg-instant', clock);
    expect(() => bus('cfg-instant', clock, 500_000)).toThrow(/without a bit-timing model/);
    expect(() => bus('cfg-bad', clock, -1)).toThrow(ConfigError);
    expect(openVirtualChannels().sort()).toEqual(['cfg', 'cfg-instant']);
  });

  it('reads bitrate and stuffing from the medium string', async () => {
    const clock = new VirtualClock();
    const a = (await openBus('virtual:url0?bitrate=125000&stuffing=none', { clock })) as VirtualBus;
    open.push(a);
    expect(a.wireStats()).toMatchObject({ bitrate: 125_000, stuffing: 'none' });
    expect(() => openVirtualBus(parseMediumUrl('virtual:url1?bitrate=fast'), { clock })).toThrow(/bitrate=fast is not a positive number/);
    expect(() => openVirtualBus(parseMediumUrl('virtual:url1?bitrat=5'), { clock })).toThrow(/unknown parameter\(s\) bitrat/);
    expect(() => openVirtualBus(parseMediumUrl('virtual:url1?stuffing=some'), { clock })).toThrow(ConfigError);
  });

  it('works on a real clock too (send resolves after the wire time)', async () => {
    const clock = new RealClock();
    const a = new VirtualBus('realwire', { clock, bitrate: 1_000_000 });
    const b = new VirtualBus('realwire', { clock });
    open.push(a, b);
    await a.send(makeFrame(0x1, eight));
    expect((await b.recv(1000))?.id).toBe(1);
    expect(clock.pending).toBe(0);
  });
});
