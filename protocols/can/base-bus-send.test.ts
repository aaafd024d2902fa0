import { VirtualClock } from '../../core/clock';
import { ClosedError, FrameError } from '../../core/errors';
import { makeFrame, type CanFrame } from './frame';
import { SocketcandServer } from './socketcand';

// BaseCanBus.send on a medium whose transmit is synchronous (a socketcand hub's attached bus, no TCP).
describe('BaseCanBus.send on a synchronous medium', () => {
  let hub: SocketcandServer;
  beforeEach(() => {
    hub = new SocketcandServer({ host: '127.0.0.1', port: 0, clock: new VirtualClock(1000) });
  });
  afterEach(() => hub.close());

  it('delivers the own frame (receiveOwnMessages) before send returns, as a copy, and counts it', async () => {
    const bus = hub.attach('b', { receiveOwnMessages: true, rxQueueLimit: 0 });
    const seen: CanFrame[] = [];
    bus.onFrame((f) => seen.push(f));
    const frame = makeFrame(0x351, [1, 2, 3]);
    const p = bus.send(frame);
    expect(seen.map((f) => [f.id, [...f.data], f.timestamp])).toEqual([[0x351, [1, 2, 3], 1000]]);
    expect(seen[0]).not.toBe(frame);
    expect(seen[0]!.data).not.toBe(frame.data);
    frame.data[0] = 9; // the sender may reuse its frame
    expect(seen[0]!.data[0]).toBe(1);
    await expect(p).resolves.toBeUndefined();
    expect(bus.stats.txFrames).toBe(1);
  });

  it('never throws: a bad frame or a closed bus gives a rejected promise', async () => {
    const bus = hub.attach('b');
    let p: Promise<void> | undefined;
    expect(() => (p = bus.send({ id: 0x800, extended: false, data: new Uint8Array(0) }))).not.toThrow();
    await expect(p).rejects.toBeInstanceOf(FrameError);
    await bus.close();
    expect(() => (p = bus.send(makeFrame(1, [])))).not.toThrow();
    await expect(p).rejects.toBeInstanceOf(ClosedError);
    expect(bus.stats.txFrames).toBe(0);
  });

  it('filters: standard-only filters (the id table) accept exactly what the same filters accept with extended frames allowed, on standard frames', () => {
    const filters = [
      { id: 0x351, mask: 0x7ff },
      { id: 0x120, mask: 0x7f0 },
      { id: 0x005, mask: 0x00f },
    ];
    const table = hub.attach('f', { rxQueueLimit: 0, filters: filters.map((f) => ({ ...f, extended: false })) });
    const loop = hub.attach('f', { rxQueueLimit: 0, filters: [...filters.map((f) => ({ ...f, extended: false })), { id: 0x1fffffff, mask: 0x1fffffff, extended: true }] });
    const sender = hub.attach('f');
    const got = { table: [] as number[], loop: [] as number[] };
    table.onFrame((f) => got.table.push(f.extended ? -f.id : f.id));
    loop.onFrame((f) => got.loop.push(f.extended ? -f.id : f.id));
    for (let id = 0; id <= 0x7ff; id++) void sender.send(makeFrame(id, [1]));
    void sender.send(makeFrame(0x351, [1], { extended: true })); // an extended frame with an accepted number: refused
    const expected = [...Array(0x800).keys()].filter((id) => (id & 0x7f0) === 0x120 || id === 0x351 || (id & 0xf) === 5);
    expect(got.table).toEqual(expected);
    expect(got.loop).toEqual(got.table);
    table.setFilters([{ id: 0x351, mask: 0x7ff }]); // no longer standard-only: the loop decides, extended frames pass
    void sender.send(makeFrame(0x351, [1], { extended: true }));
    expect(got.table.at(-1)).toBe(-0x351);
  });

  it('borrowed frames: a bus read only by borrowers gets the frame without a copy; an owning receiver brings the copy back', () => {
    const sender = hub.attach('z', { receiveOwnMessages: true, rxQueueLimit: 0 });
    const own: CanFrame[] = [];
    sender.onFrame((f) => own.push(f));
    const reader = hub.attach('z', { rxQueueLimit: 0, filters: [{ id: 0x351, mask: 0x7ff, extended: false }] });
    const borrowed: Array<Readonly<CanFrame>> = [];
    const seen: string[] = [];
    const stop = reader.onFrameBorrowed((f) => {
      borrowed.push(f);
      seen.push(`${f.id.toString(16)}:${[...f.data].join(',')}`);
    });
    void sender.send(makeFrame(0x351, [1, 2]));
    void sender.send(makeFrame(0x356, [3])); // filtered out
    expect(seen).toEqual(['351:1,2']);
    expect(borrowed[0]).toBe(own[0]); // the sender's own delivery and the borrower share one object: no copy
    expect(reader.stats.rxFrames).toBe(1);
    // With a listener that owns its frames, the reader copies again; borrowers get that copy.
    const owned: CanFrame[] = [];
    const unsubscribe = reader.onFrame((f) => owned.push(f));
    void sender.send(makeFrame(0x351, [4]));
    expect(owned).toHaveLength(1);
    expect(borrowed[1]).toBe(owned[0]);
    expect(owned[0]).not.toBe(own[1]);
    expect(owned[0]!.data).not.toBe(own[1]!.data);
    unsubscribe();
    stop();
    void sender.send(makeFrame(0x351, [5]));
    expect(seen).toEqual(['351:1,2', '351:4']);
  });

  it('receivers that keep frames keep what was sent, though the caller reuses its frame and buffer at once', async () => {
    const sender = hub.attach('reuse');
    const a = hub.attach('reuse', { rxQueueLimit: 0 });
    const b = hub.attach('reuse'); // with a queue, and the last member: it keeps the transmit copy's payload
    const kept: CanFrame[] = [];
    a.onFrame((f) => kept.push(f));
    const frame = makeFrame(0x359, [1]);
    for (let i = 1; i <= 3; i++) {
      frame.data[0] = i; // as the LV encoder does: one frame object, its buffer rewritten each cycle
      void sender.send(frame);
    }
    frame.data[0] = 99;
    expect(kept.map((f) => f.data[0])).toEqual([1, 2, 3]);
    const queued = [await b.recv(0), await b.recv(0), await b.recv(0)];
    expect(queued.map((f) => f?.data[0])).toEqual([1, 2, 3]);
    expect(new Set(queued.map((f) => f?.data)).size).toBe(3);
  });

  it('a receiver that answers on the same bus while it reads (nested send) leaves the outer frame intact for the receivers after it', () => {
    // The bench's shape: an inverter's request and a BMS's answer on one bench handle that hears its own frames.
    const bus = hub.attach('nest', { receiveOwnMessages: true, rxQueueLimit: 0 });
    const other = hub.attach('nest', { rxQueueLimit: 0 });
    bus.onFrameBorrowed((f) => {
      if (f.id === 0x100) void bus.send(makeFrame(0x101, [f.data[0]! + 1]));
    });
    const order: string[] = [];
    bus.onFrameBorrowed((f) => order.push(`own ${f.id.toString(16)}:${f.data[0]!}@${String(f.channel)}`));
    other.onFrameBorrowed((f) => {
      order.push(`other ${f.id.toString(16)}:${f.data[0]!}@${String(f.channel)}`);
      if (f.id === 0x101) void other.send(makeFrame(0x102, [f.data[0]! + 1])); // nested relay through the hub
    });
    void bus.send(makeFrame(0x100, [7]));
    expect(order).toEqual(['other 100:7@nest', 'other 101:8@nest', 'own 102:9@nest', 'own 101:8@nest', 'own 100:7@nest']);
  });
});
