import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VirtualClock } from '../../../core/clock';
import { ClosedError } from '../../../core/errors';
import { makeFrame, type CanFrame } from '../frame';
import { openVirtualChannels, VirtualBus } from '../media/virtual';
import { loadTrace, openTraceWriter, readTrace, recordBus, replayTrace } from './index';

let dir: string;
let clock: VirtualClock;
let buses: VirtualBus[];
let n = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-replay-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => {
  clock = new VirtualClock(5000);
  buses = [];
});
afterEach(async () => {
  await Promise.all(buses.map((b) => b.close()));
  expect(openVirtualChannels().filter((c) => c.startsWith('trace-test'))).toEqual([]);
});

function pair(): [VirtualBus, VirtualBus] {
  const channel = `trace-test-${n++}`;
  const a = new VirtualBus(channel, { clock });
  const b = new VirtualBus(channel, { clock });
  buses.push(a, b);
  return [a, b];
}

function received(bus: VirtualBus): CanFrame[] {
  const got: CanFrame[] = [];
  bus.onFrame((f) => got.push(f));
  return got;
}

const trace: CanFrame[] = [
  { ...makeFrame(0x351, [1]), timestamp: 1700000000000 },
  { ...makeFrame(0x355, [2]), timestamp: 1700000000010 },
  { ...makeFrame(0x1, [0, 0, 0, 0, 0, 0, 0, 0], { error: true }), timestamp: 1700000000100 },
  { ...makeFrame(0x4210, [3], { extended: true }), timestamp: 1700000000250 },
  { ...makeFrame(0x356, [4]), timestamp: 1700000001000 },
];

describe('recordBus', () => {
  it('records what a bus receives, with the bus clock time and channel, to either format', async () => {
    for (const name of ['rec.log', 'rec.pcap']) {
      const [tx, rx] = pair();
      const writer = await openTraceWriter(join(dir, name));
      const t0 = clock.now();
      const rec = recordBus(rx, writer);
      await tx.send(makeFrame(0x100, [1]));
      clock.advance(12.5);
      await tx.send(makeFrame(0x1abcdef, [2, 3], { extended: true }));
      rec.stop();
      await tx.send(makeFrame(0x200, [9])); // after stop: not recorded
      expect(rec.count).toBe(2);
      await writer.close();
      const { frames } = await loadTrace(join(dir, name));
      expect(frames.map((f) => [f.id, f.extended, f.timestamp])).toEqual([[0x100, false, t0], [0x1abcdef, true, t0 + 12.5]]);
      if (name.endsWith('.log')) expect(frames[0]!.channel).toBe(rx.channel);
      clock.advance(1000);
    }
  });

  it('stops and reports when the writer fails', async () => {
    const [tx, rx] = pair();
    const writer = await openTraceWriter(join(dir, 'early.log'));
    await writer.close();
    const errors: Error[] = [];
    const rec = recordBus(rx, writer, (e) => errors.push(e));
    await tx.send(makeFrame(0x1, [1]));
    await tx.send(makeFrame(0x2, [1]));
    expect(rec.count).toBe(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ClosedError);
  });
});

describe('replayTrace', () => {
  it('keeps the original spacing on the clock and skips error frames', async () => {
    const [tx, rx] = pair();
    const got = received(rx);
    const replay = replayTrace(trace, tx);
    expect(got.map((f) => f.timestamp)).toEqual([]);
    clock.advance(9.999);
    expect(got.map((f) => f.timestamp)).toEqual([5000]);
    clock.advance(1000);
    const result = await replay.done;
    expect(result).toEqual({ sent: 4, skipped: 1, stopped: false });
    expect(got.map((f) => [f.id, f.timestamp])).toEqual([[0x351, 5000], [0x355, 5010], [0x4210, 5250], [0x356, 6000]]);
    expect(got[2]!.extended).toBe(true);
  });

  it('scales time by the speed factor', async () => {
    const [tx, rx] = pair();
    const got = received(rx);
    const replay = replayTrace(trace, tx, { speed: 4 });
    clock.advance(250);
    await replay.done;
    expect(got.map((f) => f.timestamp)).toEqual([5000, 5002.5, 5062.5, 5250]);
  });

  it('sends back to back at speed Infinity', async () => {
    const [tx, rx] = pair();
    const got = received(rx);
    const result = await replayTrace(trace, tx, { speed: Infinity }).done;
    expect(result.sent).toBe(4);
    expect(got.map((f) => f.timestamp)).toEqual([5000, 5000, 5000, 5000]);
  });

  it('stops on request', async () => {
    const [tx, rx] = pair();
    const got = received(rx);
    const replay = replayTrace(trace, tx);
    clock.advance(100);
    replay.stop();
    clock.advance(10_000);
    expect(await replay.done).toEqual({ sent: 2, skipped: 1, stopped: true });
    expect(got).toHaveLength(2);
    expect(clock.pending).toBe(0);
  });

  it('fails when the bus is closed under it', async () => {
    const [tx] = pair();
    const replay = replayTrace(trace, tx);
    clock.advance(10);
    await tx.close();
    clock.advance(1000);
    await expect(replay.done).rejects.toBeInstanceOf(ClosedError);
    expect(clock.pending).toBe(0);
  });

  it('replays a file loaded into memory with a filter, on the virtual clock', async () => {
    const path = join(dir, 'loaded.log');
    const w = await openTraceWriter(path);
    trace.forEach((f) => w.write(f));
    await w.close();
    const [tx, rx] = pair();
    const got = received(rx);
    const { frames } = await loadTrace(path);
    const replay = replayTrace(frames, tx, { filter: (f) => f.id !== 0x355 });
    clock.advance(1000);
    expect(await replay.done).toEqual({ sent: 3, skipped: 2, stopped: false });
    expect(got.map((f) => [f.id, f.timestamp])).toEqual([[0x351, 5000], [0x4210, 5250], [0x356, 6000]]);
  });

  it('replays straight from a file stream (async source) back to back', async () => {
    const path = join(dir, 'stream.pcap');
    const w = await openTraceWriter(path);
    trace.forEach((f) => w.write(f));
    await w.close();
    const [tx, rx] = pair();
    const got = received(rx);
    const result = await replayTrace(await readTrace(path), tx, { speed: Infinity }).done;
    expect(result).toEqual({ sent: 4, skipped: 1, stopped: false });
    expect(got.map((f) => f.id)).toEqual([0x351, 0x355, 0x4210, 0x356]);
  });
});
