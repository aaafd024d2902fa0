/**
 * The one contract suite every CAN medium passes (STYLE.md point 1; python-can's `back2back_test.py`).
 *
 * Usage, in a medium's test file:
 * ```ts
 * describeCanBusContract('virtual', async ({ channel }) => {
 *   const clock = new VirtualClock();
 *   return { a: new VirtualBus(channel, { clock }), b: new VirtualBus(channel, { clock }), clock };
 * });
 * ```
 * The suite waits on events only: `recv(timeoutMs)` resolves when a frame arrives, and its timeout is just the
 * failure bound. On a medium driven by a {@link VirtualClock} (return it as `clock`), the suite advances that clock
 * itself and checks exact timestamps; on a real-time medium (TCP, pty) it waits in real time and checks counts.
 *
 * This module uses jest's functions from `@jest/globals`: import it from test files only.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { VirtualClock } from '../../core/clock';
import { flushMicrotasks } from '../../core/clock';
import { ClosedError, FrameError } from '../../core/errors';
import type { CanBus } from '../../protocols/can/bus';
import { framesEqual, makeFrame, type CanFrame } from '../../protocols/can/frame';

/** Two buses on the same channel of one medium, as the factory opens them for one test. */
export interface CanBusPair {
  /** Sender in most cases. */
  a: CanBus;
  /** Receiver in most cases. */
  b: CanBus;
  /**
   * The virtual clock both buses run on, if any. The suite then drives time itself (`advanceToAsync`) and checks
   * exact periodic timestamps. Omit it for real-time media.
   */
  clock?: VirtualClock;
  /** Called after both buses are closed (stop a server, a child process, a pty). */
  cleanup?: () => Promise<void> | void;
}

/** What the factory is given for each test. */
export interface CanBusContractContext {
  /** A channel name unique to this test (`contract-<suite>-<n>`), for media keyed by channel. */
  channel: string;
}

/** Opens a fresh pair for one test. Called once per test; the suite closes both buses and calls `cleanup`. */
export type CanBusPairFactory = (ctx: CanBusContractContext) => Promise<CanBusPair> | CanBusPair;

/**
 * What a medium can and cannot do. A case the medium cannot do is registered as a skipped test whose name says
 * why (never counted as passed).
 */
export interface CanBusContractCapabilities {
  /** Remote frames (default true). */
  supportsRtr?: boolean;
  /** 29-bit identifiers (default true). */
  supportsExtended?: boolean;
  /** Error frames carried from one bus to another (default false). */
  supportsErrorFrames?: boolean;
  /** Shown in the name of each skipped case, e.g. "python-can 4.1 socketcand has no RTR". */
  skipReasons?: { rtr?: string; extended?: string; errorFrames?: string };
  /** Failure bound for each wait, ms on the bus clock (default 5000). Generous: it only matters when failing. */
  timeoutMs?: number;
  /** Frames in the ordering burst (default 200). */
  burst?: number;
  /** Period for the periodic cases, ms (default 10 on a virtual clock, 20 in real time). */
  periodMs?: number;
  /**
   * On a virtual clock, how far periodic receive timestamps may stray from `k * period` (default 0: exact). A
   * medium that models wire time sets the spread of its frame durations here (payload-dependent stuff bits).
   */
  timestampToleranceMs?: number;
}

let suiteCounter = 0;

/** Register the shared contract tests for one medium. */
export function describeCanBusContract(
  name: string,
  factory: CanBusPairFactory,
  capabilities: CanBusContractCapabilities = {},
): void {
  const suiteId = ++suiteCounter;
  const caps = {
    supportsRtr: capabilities.supportsRtr ?? true,
    supportsExtended: capabilities.supportsExtended ?? true,
    supportsErrorFrames: capabilities.supportsErrorFrames ?? false,
    timeoutMs: capabilities.timeoutMs ?? 5000,
    burst: capabilities.burst ?? 200,
  };
  const reasons = capabilities.skipReasons ?? {};

  describe(`CanBus contract: ${name}`, () => {
    let env: Env | undefined;
    let n = 0;

    async function open(): Promise<Env> {
      const pair = await factory({ channel: `contract-${suiteId}-${++n}` });
      env = new Env(pair, caps.timeoutMs, capabilities.periodMs ?? (pair.clock ? 10 : 20));
      return env;
    }

    afterEach(async () => {
      const e = env;
      env = undefined;
      if (!e) return;
      await Promise.all([e.a.close(), e.b.close()]);
      await e.pair.cleanup?.();
    });

    /** A case that runs only when `enabled`; otherwise a skipped test naming why. */
    function itIf(enabled: boolean, title: string, why: string, fn: () => Promise<void>): void {
      if (enabled) it(title, fn);
      else it.skip(`${title} - skipped: ${why}`, () => undefined);
    }

    it('carries standard-id frames of 0..8 bytes both ways, timestamped and channel-stamped', async () => {
      const e = await open();
      const sent: CanFrame[] = [];
      for (let len = 0; len <= 8; len++) {
        sent.push(makeFrame(len === 0 ? 0 : 0x7ff - len, Array.from({ length: len }, (_, i) => (0xa0 + i * 17) & 0xff)));
      }
      for (const f of sent) await e.settle(e.a.send(f), 'send a->b');
      for (const f of sent) {
        const got = await e.expectFrame(e.b, 'frame on b');
        expectSame(got, f);
        expect(typeof got.timestamp).toBe('number');
        expect(got.channel).toBeDefined();
      }
      const back = makeFrame(0x42, [1, 2, 3, 4, 5, 6, 7, 8]);
      await e.settle(e.b.send(back), 'send b->a');
      expectSame(await e.expectFrame(e.a, 'frame on a'), back);
      expect(e.a.stats.txFrames).toBe(sent.length);
      expect(e.b.stats.rxFrames).toBe(sent.length);
    });

    itIf(caps.supportsExtended, 'carries 29-bit extended ids, and keeps small extended ids extended', reasons.extended ?? `${name} has no extended ids`, async () => {
      const e = await open();
      const sent = [
        makeFrame(0x1fffffff, [0xde, 0xad, 0xbe, 0xef]),
        makeFrame(0x123, [1], { extended: true }),
        makeFrame(0, [], { extended: true }),
        makeFrame(0x18ff50e5, [1, 2, 3, 4, 5, 6, 7, 8]),
        makeFrame(0x123, [2]),
      ];
      for (const f of sent) await e.settle(e.a.send(f), 'send');
      for (const f of sent) expectSame(await e.expectFrame(e.b, 'extended frame'), f);
    });

    itIf(caps.supportsRtr, 'carries remote (RTR) frames with their requested length', reasons.rtr ?? `${name} has no RTR frames`, async () => {
      const e = await open();
      const sent = [makeFrame(0x100, [], { rtr: true, dlc: 0 }), makeFrame(0x101, [], { rtr: true, dlc: 8 })];
      if (caps.supportsExtended) sent.push(makeFrame(0x1abcdef0, [], { rtr: true, dlc: 3 }));
      for (const f of sent) await e.settle(e.a.send(f), 'send rtr');
      for (const f of sent) {
        const got = await e.expectFrame(e.b, 'rtr frame');
        expect(got.rtr).toBe(true);
        expect(got.data.length).toBe(0);
        expectSame(got, f);
      }
    });

    itIf(caps.supportsErrorFrames, 'carries error frames', reasons.errorFrames ?? `${name} does not carry error frames`, async () => {
      const e = await open();
      const err: CanFrame = { id: 0x004, extended: false, error: true, data: Uint8Array.from([0, 0x04, 0, 0, 0, 0, 0, 0]) };
      await e.settle(e.a.send(err), 'send error frame');
      const got = await e.expectFrame(e.b, 'error frame');
      expect(got.error).toBe(true);
      expect(got.id).toBe(0x004);
      expect([...got.data]).toEqual([...err.data]);
    });

    it('copies the payload on send: changing the caller\'s buffer afterwards changes nothing received', async () => {
      const e = await open();
      const frame = makeFrame(0x321, [1, 2, 3]);
      const sending = e.a.send(frame);
      frame.data[0] = 99;
      frame.id = 0x7ff;
      await e.settle(sending, 'send');
      const got = await e.expectFrame(e.b, 'copied frame');
      expect(got.id).toBe(0x321);
      expect([...got.data]).toEqual([1, 2, 3]);
      got.data[1] = 77; // the receiver owns its copy
      await e.settle(e.a.send(makeFrame(0x322, frame.data)), 'send again');
      expect([...(await e.expectFrame(e.b, 'second frame')).data]).toEqual([99, 2, 3]);
    });

    it('leaves the caller\'s frame as it was: no receive stamps, same fields, and receivers that keep frames own them', async () => {
      const e = await open();
      const frame = makeFrame(0x3a1, [5, 6, 7, 8]);
      const kept: CanFrame[] = [];
      const stop = e.b.onFrame((f) => kept.push(f));
      await e.settle(e.a.send(frame), 'send');
      frame.data[0] = 50; // reused at once, as encoders reuse their frames
      await e.settle(e.a.send(frame), 'send the reused frame');
      expect([frame.id, frame.extended, frame.timestamp, frame.channel, [...frame.data]]).toEqual([0x3a1, false, undefined, undefined, [50, 6, 7, 8]]);
      await e.expectFrame(e.b, 'first frame');
      await e.expectFrame(e.b, 'second frame');
      expect(kept.map((f) => [...f.data])).toEqual([
        [5, 6, 7, 8],
        [50, 6, 7, 8],
      ]);
      expect(kept[0]!.data).not.toBe(frame.data);
      stop();
    });

    it(`preserves order in a burst of ${caps.burst} frames sent without waiting`, async () => {
      const e = await open();
      const sends: Promise<void>[] = [];
      for (let i = 0; i < caps.burst; i++) {
        sends.push(e.a.send(makeFrame((i * 7) % 0x800, [i & 0xff, i >> 8, 0x55])));
      }
      await e.settle(Promise.all(sends), 'burst sends');
      for (let i = 0; i < caps.burst; i++) {
        const got = await e.expectFrame(e.b, `burst frame ${i}`);
        expect([got.id, got.data[0]! | (got.data[1]! << 8)]).toEqual([(i * 7) % 0x800, i]);
      }
      expect(e.b.stats.rxOverflow).toBe(0);
    });

    it('does not echo its own frames by default', async () => {
      const e = await open();
      await e.settle(e.a.send(makeFrame(0x10, [1])), 'send x');
      expect((await e.expectFrame(e.b, 'x on b')).id).toBe(0x10);
      await e.settle(e.b.send(makeFrame(0x20, [2])), 'send y');
      // x reached the medium before y, so an echo of x would arrive at a before y does.
      expect((await e.expectFrame(e.a, 'y on a')).id).toBe(0x20);
      expect(await e.a.recv(0)).toBeNull();
    });

    it('recv(timeout) resolves null when nothing arrives; recv(0) polls', async () => {
      const e = await open();
      expect(await e.b.recv(0)).toBeNull();
      const t0 = e.b.clock.now();
      expect(await e.settle(e.b.recv(50), 'recv(50)')).toBeNull();
      expect(e.b.clock.now() - t0).toBeGreaterThanOrEqual(49);
      let heard = 0;
      const twoHeard = new Promise<void>((resolve) => {
        const off = e.b.onFrame(() => {
          if (++heard === 2) {
            off();
            resolve();
          }
        });
      });
      await e.settle(e.a.send(makeFrame(0x55, [5])), 'send');
      await e.settle(e.a.send(makeFrame(0x56, [6])), 'send');
      await e.settle(twoHeard, 'two frames heard');
      expect((await e.b.recv(0))?.id).toBe(0x55);
      expect((await e.b.recv(0))?.id).toBe(0x56);
      expect(await e.b.recv(0)).toBeNull();
    });

    it('calls onFrame listeners in arrival order until unsubscribed', async () => {
      const e = await open();
      const seen: number[] = [];
      const off = e.b.onFrame((f) => seen.push(f.id));
      for (const id of [1, 2, 3]) await e.settle(e.a.send(makeFrame(id, [])), 'send');
      for (let i = 0; i < 3; i++) await e.expectFrame(e.b, 'frame');
      expect(seen).toEqual([1, 2, 3]);
      off();
      await e.settle(e.a.send(makeFrame(4, [])), 'send');
      await e.expectFrame(e.b, 'frame 4');
      expect(seen).toEqual([1, 2, 3]);
    });

    it('ends async iteration on close, and iterating a closed bus ends at once', async () => {
      const e = await open();
      const got: number[] = [];
      const loop = (async () => {
        for await (const f of e.b) {
          got.push(f.id);
          if (got.length === 2) void e.b.close();
        }
      })();
      await e.settle(e.a.send(makeFrame(0x201, [])), 'send');
      await e.settle(e.a.send(makeFrame(0x202, [])), 'send');
      await e.settle(loop, 'iteration to end after close');
      expect(got).toEqual([0x201, 0x202]);
      expect(e.b.closed).toBe(true);
      const after: CanFrame[] = [];
      for await (const f of e.b) after.push(f);
      expect(after).toEqual([]);
      expect(await e.b.recv(10)).toBeNull();
    });

    it('close is idempotent, concurrent-safe and never throws', async () => {
      const e = await open();
      const pending = e.b.recv();
      await Promise.all([e.b.close(), e.b.close()]);
      await e.b.close();
      expect(e.b.closed).toBe(true);
      expect(await e.settle(pending, 'pending recv to end on close')).toBeNull();
    });

    it('rejects send and sendPeriodic after close with ClosedError', async () => {
      const e = await open();
      await e.a.close();
      await expect(e.a.send(makeFrame(1, []))).rejects.toBeInstanceOf(ClosedError);
      expect(() => e.a.sendPeriodic(makeFrame(1, []), 10)).toThrow(ClosedError);
    });

    it('rejects invalid frames with FrameError and keeps working', async () => {
      const e = await open();
      const bad: CanFrame[] = [
        { id: 0x800, extended: false, data: new Uint8Array(0) },
        { id: 0x20000000, extended: true, data: new Uint8Array(0) },
        { id: -1, extended: false, data: new Uint8Array(0) },
        { id: 1.5, extended: false, data: new Uint8Array(0) },
        { id: 1, extended: false, data: new Uint8Array(9) },
        { id: 1, extended: false, rtr: true, data: new Uint8Array(1) },
        { id: 1, extended: false, rtr: true, dlc: 9, data: new Uint8Array(0) },
        { id: 1, extended: false, data: [1, 2] as unknown as Uint8Array },
      ];
      for (const f of bad) await expect(e.a.send(f)).rejects.toBeInstanceOf(FrameError);
      expect(() => e.a.sendPeriodic(bad[0]!, 10)).toThrow(FrameError);
      expect(e.a.stats.txFrames).toBe(0);
      await e.settle(e.a.send(makeFrame(0x7ff, [1])), 'valid send');
      expect((await e.expectFrame(e.b, 'valid frame')).id).toBe(0x7ff);
      expect(await e.b.recv(0)).toBeNull();
    });

    it('applies receive filters (id/mask, extended flag), and clears them', async () => {
      const e = await open();
      e.b.setFilters([
        { id: 0x100, mask: 0x700 },
        { id: 0x18ff0000, mask: 0x1fff0000, extended: true },
      ]);
      const frames = [
        makeFrame(0x223, [1]), // dropped
        makeFrame(0x123, [2]), // passes (0x1xx)
        ...(caps.supportsExtended
          ? [makeFrame(0x18fe0001, [3]), makeFrame(0x18ff1234, [4])] // dropped, passes
          : []),
        makeFrame(0x1ff, [5]), // passes
      ];
      for (const f of frames) await e.settle(e.a.send(f), 'send');
      expect((await e.expectFrame(e.b, 'first passing')).id).toBe(0x123);
      if (caps.supportsExtended) expect((await e.expectFrame(e.b, 'extended passing')).id).toBe(0x18ff1234);
      expect((await e.expectFrame(e.b, 'last passing')).id).toBe(0x1ff);
      e.b.setFilters([{ id: 0x100, mask: 0x7ff, extended: false }]);
      if (caps.supportsExtended) await e.settle(e.a.send(makeFrame(0x100, [6], { extended: true })), 'send');
      await e.settle(e.a.send(makeFrame(0x100, [7])), 'send');
      const got = await e.expectFrame(e.b, 'standard 0x100');
      expect([got.extended, got.data[0]]).toEqual([false, 7]);
      e.b.setFilters(undefined);
      await e.settle(e.a.send(makeFrame(0x700, [8])), 'send');
      expect((await e.expectFrame(e.b, 'unfiltered')).id).toBe(0x700);
    });

    it('setRxQueueLimit: a lower bound keeps the newest queued frames and counts the rest; 0 feeds listeners only', async () => {
      const e = await open();
      const heard: number[] = [];
      let check: (() => void) | undefined;
      const heardCount = (n: number): Promise<void> =>
        new Promise<void>((resolve) => {
          check = () => {
            if (heard.length >= n) resolve();
          };
          check();
        });
      e.b.onFrame((f) => {
        heard.push(f.id);
        check?.();
      });
      for (const id of [0x101, 0x102, 0x103]) await e.settle(e.a.send(makeFrame(id, [1])), 'send');
      await e.settle(heardCount(3), 'three frames heard');
      e.b.setRxQueueLimit(2);
      expect(e.b.stats.rxOverflow).toBe(1);
      expect((await e.b.recv(0))?.id).toBe(0x102);
      expect((await e.b.recv(0))?.id).toBe(0x103);
      e.b.setRxQueueLimit(0);
      await e.settle(e.a.send(makeFrame(0x104, [2])), 'send');
      await e.settle(heardCount(4), 'fourth frame heard');
      expect(heard).toEqual([0x101, 0x102, 0x103, 0x104]);
      expect(await e.b.recv(0)).toBeNull(); // not queued, and not counted as dropped
      expect(e.b.stats.rxOverflow).toBe(1);
      expect(() => e.b.setRxQueueLimit(-1)).toThrow(RangeError);
    });

    it('onFrameBorrowed: borrowers hear the frames that pass the filters, with or without owning receivers', async () => {
      const e = await open();
      const borrowed: string[] = [];
      let check: (() => void) | undefined;
      const heard = (n: number): Promise<void> =>
        new Promise<void>((resolve) => {
          check = () => {
            if (borrowed.length >= n) resolve();
          };
          check();
        });
      e.b.setRxQueueLimit(0);
      e.b.setFilters([{ id: 0x123, mask: 0x7ff, extended: false }]);
      const stop = e.b.onFrameBorrowed((f) => {
        borrowed.push(`${f.id.toString(16)}:${[...f.data].join(',')}`); // read, never kept
        check?.();
      });
      await e.settle(e.a.send(makeFrame(0x124, [9])), 'send'); // filtered out
      await e.settle(e.a.send(makeFrame(0x123, [1, 2])), 'send');
      await e.settle(heard(1), 'borrowed frame');
      const owned: number[] = [];
      const unsubscribe = e.b.onFrame((f) => owned.push(f.data[0]!));
      await e.settle(e.a.send(makeFrame(0x123, [3])), 'send');
      await e.settle(heard(2), 'borrowed frame beside a listener');
      expect(borrowed).toEqual(['123:1,2', '123:3']);
      expect(owned).toEqual([3]);
      unsubscribe();
      stop();
      e.b.setFilters();
    });

    it('sends periodically without drift, applies update() from the next frame, and stops', async () => {
      const e = await open();
      const p = e.periodMs;
      const task = e.a.sendPeriodic(makeFrame(0x351, [1, 0]), p);
      expect(task.periodMs).toBe(p);
      expect(task.running).toBe(true);
      expect(() => task.update(new Uint8Array(9))).toThrow(FrameError);
      const first: CanFrame[] = [];
      for (let i = 0; i < 4; i++) first.push(await e.expectFrame(e.b, `periodic frame ${i}`));
      expect(first.every((f) => f.id === 0x351 && f.data[0] === 1)).toBe(true);
      task.update([2, 0]);
      let updated: CanFrame | undefined;
      for (let i = 0; i < 10 && !updated; i++) {
        const f = await e.expectFrame(e.b, 'updated periodic frame');
        if (f.data[0] === 2) updated = f;
        else expect(f.data[0]).toBe(1);
      }
      expect(updated).toBeDefined();
      if (e.clock) {
        // Exact on a virtual clock: k * period after the first one (wire time, if modelled, is constant).
        const t0 = first[0]!.timestamp!;
        const tol = capabilities.timestampToleranceMs ?? 0;
        const off = (t: number, k: number): number => Math.abs(t - t0 - k * p);
        first.forEach((f, k) => expect(off(f.timestamp!, k)).toBeLessThanOrEqual(tol + 1e-9));
        expect(off(updated!.timestamp!, 4)).toBeLessThanOrEqual(tol + 1e-9);
      }
      task.stop();
      task.stop();
      expect(task.running).toBe(false);
      // Anything already on its way arrives before this marker; nothing may follow it.
      await e.settle(e.a.send(makeFrame(0x7f0, [])), 'marker');
      for (;;) {
        const f = await e.expectFrame(e.b, 'marker after stop');
        if (f.id === 0x7f0) break;
        expect(f.id).toBe(0x351);
      }
      expect(await e.settle(e.b.recv(3 * p), 'silence after stop')).toBeNull();
    });

    it('honours durationMs and startDelayMs of periodic tasks', async () => {
      const e = await open();
      const p = e.periodMs;
      const t0 = e.a.clock.now();
      const task = e.a.sendPeriodic(makeFrame(0x360, [9]), p, { startDelayMs: p, durationMs: 3 * p });
      // Slots at p, 2p and 3p. In real time a stalled event loop may skip slots (counted in task.skipped), never add
      // any: take frames until the task has stopped itself, then everything still on its way (up to a marker).
      const stamps: number[] = [];
      do stamps.push((await e.expectFrame(e.b, `frame ${stamps.length}`)).timestamp!);
      while (task.running);
      await e.settle(e.a.send(makeFrame(0x7f0, [])), 'marker');
      for (;;) {
        const f = await e.expectFrame(e.b, 'marker after the last slot');
        if (f.id === 0x7f0) break;
        expect(f.id).toBe(0x360);
        stamps.push(f.timestamp!);
      }
      expect(stamps.length + task.skipped).toBe(3);
      expect(await e.settle(e.b.recv(3 * p), 'silence after duration')).toBeNull();
      expect(task.running).toBe(false);
      if (e.clock) {
        expect(stamps).toHaveLength(3);
        stamps.forEach((s, k) => expect(s - t0 - (k + 1) * p).toBeGreaterThanOrEqual(-1e-9));
        expect(stamps[0]! - t0).toBeLessThan(p + 1);
      }
    });

    it('stops its periodic tasks on close', async () => {
      const e = await open();
      const p = e.periodMs;
      const t1 = e.a.sendPeriodic(makeFrame(0x370, [1]), p);
      const t2 = e.a.sendPeriodic(makeFrame(0x371, [2]), p, { startDelayMs: 1000 * p });
      await e.expectFrame(e.b, 'a periodic frame');
      await e.a.close();
      expect(t1.running).toBe(false);
      expect(t2.running).toBe(false);
      const tx = e.a.stats.txFrames;
      while ((await e.settle(e.b.recv(3 * p), 'drain')) !== null) {
        /* frames already in flight when a closed */
      }
      expect(e.a.stats.txFrames).toBe(tx);
      if (e.clock) expect(e.clock.pending).toBe(0);
    });
  });
}

function expectSame(got: CanFrame, want: CanFrame): void {
  if (!framesEqual(got, want)) {
    const show = (f: CanFrame): string =>
      `${f.extended ? 'ext' : 'std'} 0x${f.id.toString(16)}${f.rtr ? ` rtr dlc=${f.dlc ?? 0}` : ''} [${[...f.data].join(',')}]`;
    throw new Error(`received ${show(got)}, expected ${show(want)}`);
  }
}

/** One test's pair, with waits that drive a virtual clock or wait in real time. */
class Env {
  readonly a: CanBus;
  readonly b: CanBus;
  readonly clock: VirtualClock | undefined;

  constructor(
    readonly pair: CanBusPair,
    private readonly timeoutMs: number,
    readonly periodMs: number,
  ) {
    this.a = pair.a;
    this.b = pair.b;
    this.clock = pair.clock;
  }

  /**
   * Await `p`. On a virtual clock, advance it timer by timer (letting promise chains settle) until `p` settles,
   * failing after `timeoutMs` of virtual time. In real time, just await (the medium's own events settle it).
   */
  async settle<T>(p: Promise<T>, what: string): Promise<T> {
    const clock = this.clock;
    if (!clock) return this.bounded(p, what);
    let done = false;
    p.then(
      () => (done = true),
      () => (done = true),
    );
    await flushMicrotasks();
    const end = clock.now() + this.timeoutMs;
    while (!done) {
      const next = clock.nextDue();
      if (next === undefined || next > end) {
        await clock.advanceToAsync(end);
        await flushMicrotasks();
        if (!done) throw new Error(`${what}: did not happen within ${this.timeoutMs} ms of virtual time`);
        break;
      }
      await clock.advanceToAsync(next);
    }
    return p;
  }

  /** Real time: `p`, or a failure once the bound has passed (a failure bound, not a wait). */
  private bounded<T>(p: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: did not happen within ${this.timeoutMs} ms`)), this.timeoutMs + 1000);
    });
    return Promise.race([p, bound]).finally(() => clearTimeout(timer));
  }

  /** The next frame on `bus`, or fail after the bound. */
  async expectFrame(bus: CanBus, what: string): Promise<CanFrame> {
    const f = await this.settle(bus.recv(this.timeoutMs), what);
    if (f === null) throw new Error(`${what}: nothing received within ${this.timeoutMs} ms`);
    return f;
  }
}
