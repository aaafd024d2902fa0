import { createSocket } from 'node:dgram';
import { VirtualClock } from '../../../core/clock';
import { ClosedError, ConfigError } from '../../../core/errors';
import type { CanBus } from '../bus';
import { makeFrame, type CanFrame } from '../frame';
import { until } from '../../../test/support/until';
import { RawTestClient } from './raw-test-client';
import { SocketcandServer, type SocketcandServerOptions } from './server';

const logs: string[] = [];
let server: SocketcandServer;
let port: number;
const clients: RawTestClient[] = [];

async function start(options: SocketcandServerOptions = {}): Promise<void> {
  server = new SocketcandServer({ port: 0, log: (l) => logs.push(l), ...options });
  ({ port } = await server.listen());
}

async function join(bus: string, raw = true): Promise<RawTestClient> {
  const c = await RawTestClient.joined(port, bus, raw);
  clients.push(c);
  return c;
}

async function rawClient(): Promise<RawTestClient> {
  const c = await RawTestClient.open(port);
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
  logs.length = 0;
});

function collect(bus: CanBus): CanFrame[] {
  const got: CanFrame[] = [];
  bus.onFrame((f) => got.push(f));
  return got;
}

describe('SocketcandServer handshake and modes', () => {
  beforeEach(() => start());

  it('greets, opens a bus, switches modes and echoes', async () => {
    const c = await rawClient();
    await c.expect('hi');
    c.write('< echo >');
    await c.expect('echo');
    c.write('< open vcan0 >');
    await c.expect('ok');
    c.write('< rawmode >< bcmmode >< controlmode >< rawmode >');
    for (let i = 0; i < 4; i++) await c.expect('ok');
    expect(server.stats().clients[0]).toMatchObject({ bus: 'vcan0', mode: 'raw' });
  });

  it('answers a command before open with an error and keeps the connection', async () => {
    const c = await rawClient();
    await c.expect('hi');
    c.write('< send 123 0 >');
    expect(await c.next()).toMatch(/^error no bus open/);
    c.write('< open b >');
    await c.expect('ok');
  });

  it('refuses a bus name longer than 16 characters, then closes', async () => {
    const c = await rawClient();
    await c.expect('hi');
    c.write('< open abcdefghijklmnopq >');
    expect(await c.next()).toMatch(/^error could not open bus: bus name longer than 16 characters/);
    expect(await c.next()).toBeNull();
    await c.closed;
    expect(logs.some((l) => l.includes('longer than 16'))).toBe(true);
  });

  it('accepts a name of exactly 16 characters', async () => {
    await join('abcdefghijklmnop');
    expect(server.stats().buses.map((b) => b.name)).toEqual(['abcdefghijklmnop']);
  });
});

describe('SocketcandServer relaying', () => {
  beforeEach(() => start());

  it('relays a frame to every other raw client on the bus, not to the sender nor other buses', async () => {
    const a = await join('bus0');
    const b = await join('bus0');
    const c = await join('bus0');
    const other = await join('bus1');
    a.write('< send 123 2 11 22 >< send 1ABCDEF0 4 DEADBEEF >< send 00000005 0 >');
    for (const r of [b, c]) {
      expect(await r.next()).toMatch(/^frame 123 \d+\.\d{6} 1122$/);
      expect(await r.next()).toMatch(/^frame 1ABCDEF0 \d+\.\d{6} DEADBEEF$/);
      expect(await r.next()).toMatch(/^frame 00000005 \d+\.\d{6}$/);
    }
    expect(await a.sync()).toEqual([]);
    expect(await other.sync()).toEqual([]);
    const bus0 = server.stats().buses.find((x) => x.name === 'bus0')!;
    expect(bus0).toMatchObject({ members: 3, frames: 3, deliveries: 6, dropped: 0 });
  });

  it('relays RTR frames as < rtr >', async () => {
    const a = await join('bus0');
    const b = await join('bus0');
    a.write('< sendrtr 7FF 3 >');
    expect(await b.next()).toMatch(/^rtr 7FF \d+\.\d{6} 3$/);
  });

  it('delivers nothing to a client in BCM mode that did not subscribe', async () => {
    const a = await join('bus0');
    const bcm = await join('bus0', false);
    a.write('< send 123 0 >');
    await a.sync();
    expect(await bcm.sync()).toEqual([]);
  });

  it('an attached sender that hears its own frames and an attached receiver each own their frame and payload', async () => {
    const sender = server.attach('own', { receiveOwnMessages: true, rxQueueLimit: 0 });
    const other = server.attach('own', { rxQueueLimit: 0 });
    const own = collect(sender);
    const got = collect(other);
    const a = await join('own');
    await sender.send(makeFrame(0x123, [1, 2, 3]));
    expect(await a.next()).toMatch(/^frame 123 \d+\.\d{6} 010203$/); // the TCP member got the right frame too
    expect(own).toHaveLength(1);
    expect(got).toHaveLength(1);
    expect(own[0]).not.toBe(got[0]);
    got[0]!.data[0] = 99; // a receiver may change what it got: the sender's own copy does not move
    expect([...own[0]!.data]).toEqual([1, 2, 3]);
    own[0]!.data[1] = 77;
    expect([...got[0]!.data]).toEqual([99, 2, 3]);
    // Filters apply before the copy: a filtered-out frame reaches no listener.
    other.setFilters([{ id: 0x200, mask: 0x7ff }]);
    await sender.send(makeFrame(0x124, [4]));
    await sender.send(makeFrame(0x200, [5]));
    expect(got.map((f) => f.id)).toEqual([0x123, 0x200]);
    expect(own.map((f) => f.id)).toEqual([0x123, 0x124, 0x200]);
  });

  it('lets in-process code attach: frames cross between TCP and attached buses both ways', async () => {
    const a = await join('bench');
    const em1 = server.attach('bench');
    const em2 = server.attach('bench');
    const got1 = collect(em1);
    const got2 = collect(em2);
    a.write('< send 18FF50E5 8 01 02 03 04 05 06 07 08 >');
    await a.sync();
    expect(got1).toHaveLength(1);
    expect(got1[0]).toMatchObject({ id: 0x18ff50e5, extended: true, channel: 'bench' });
    expect([...got1[0]!.data]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(got2).toHaveLength(1);
    expect(got2[0]).not.toBe(got1[0]); // each receiver has its own copy

    await em1.send(makeFrame(0x351, [0x10, 0x27]));
    expect(await a.next()).toMatch(/^frame 351 \d+\.\d{6} 1027$/);
    expect(got2.map((f) => f.id)).toEqual([0x18ff50e5, 0x351]);
    expect(got1).toHaveLength(1); // not its own
    await em1.close();
    expect(server.stats().buses[0]!.members).toBe(2);
  });

  it('rejects attach with a bad name or after close', async () => {
    expect(() => server.attach('x'.repeat(17))).toThrow(ConfigError);
    await server.close();
    expect(() => server.attach('ok')).toThrow(ClosedError);
  });

  it('closes attached buses and disconnects clients on close()', async () => {
    const a = await join('bus0');
    const em = server.attach('bus0');
    const pending = em.recv();
    await server.close();
    await expect(pending).resolves.toBeNull();
    expect(em.closed).toBe(true);
    expect(await a.next()).toBeNull();
    await server.close(); // idempotent
  });
});

describe('SocketcandServer rawmode hold (python-can 4.1 reads < ok > alone)', () => {
  it('sends < ok > alone and holds frames until the client speaks, losing none', async () => {
    await start({ rawModeHoldMs: 60_000 });
    const em = server.attach('bus0');
    const witness = await join('bus0');
    await witness.sync(); // its own hold ends
    const c = await join('bus0', false);
    const chunks: string[] = [];
    c.socket.on('data', (d: Buffer) => chunks.push(d.toString()));
    c.write('< rawmode >');
    await c.expect('ok');
    for (let i = 0; i < 5; i++) await em.send(makeFrame(0x100 + i, [i]));
    // The witness got the frames, so the hub has written them wherever it was going to.
    expect(await witness.sync()).toHaveLength(5);
    expect(chunks).toEqual(['< ok >']);
    const before = await c.sync(); // the client speaks: the hold ends
    expect(before.map((m) => m.split(' ')[1])).toEqual(['100', '101', '102', '103', '104']);
  });

  it('ends the hold after rawModeHoldMs when the client stays silent', async () => {
    await start({ rawModeHoldMs: 20 });
    const em = server.attach('bus0');
    const c = await join('bus0');
    await em.send(makeFrame(0x321, [1]));
    expect(await c.next()).toMatch(/^frame 321 /);
  });
});

describe('SocketcandServer bad input', () => {
  beforeEach(() => start({ maxMessageLength: 256 }));

  it('keeps serving other clients while one sends garbage, counting its drops by reason', async () => {
    const a = await join('bus0');
    const b = await join('bus0');
    const g = await join('bus0');
    const em = server.attach('bus0');
    const got = collect(em);

    g.write(Buffer.from([0x00, 0xff, 0x41, 0x0a])); // binary between messages
    g.write('< send 123 1 zz >'); // bad data
    g.write('< send 99999999 0 >'); // id too large
    g.write('< send 123 2 11 '); // cut off by the next message's '<'
    g.write(`< send ${'A'.repeat(100_000)} >`); // over-long
    g.write('< frobnicate >'); // unknown
    g.write('< add 0 0 123 0 >'); // BCM command in raw mode
    a.write('< send 100 1 01 >');
    g.write('< send 200 1 02 >'); // a good one from the garbage client still works
    a.write('< send 101 1 03 >');

    await a.sync(); // a's frames are relayed (queued to g) before g's echo below is even sent
    const replies = await g.sync();
    const seenByB = await b.sync();
    // Two connections: the hub keeps each one's order, not an order between them.
    expect(seenByB.map((m) => m.split(' ')[1]).sort()).toEqual(['100', '101', '200']);
    expect(seenByB.indexOf(seenByB.find((m) => m.startsWith('frame 100'))!)).toBeLessThan(
      seenByB.indexOf(seenByB.find((m) => m.startsWith('frame 101'))!),
    );
    expect(got.map((f) => f.id).sort()).toEqual([0x100, 0x101, 0x200]);
    // Parsed but bad messages are answered with < error ... >; garbage, cut-off and over-long input is not.
    expect(replies.filter((r) => r.startsWith('error'))).toHaveLength(4);
    expect(replies.filter((r) => r.startsWith('frame'))).toHaveLength(2);

    const stats = server.stats().clients;
    const gs = stats.find((s) => s.drops['bad-message'] !== undefined)!;
    expect(gs.drops).toEqual({
      'text-outside-message': 1,
      'bad-message': 3,
      'unterminated-message': 1,
      'message-too-long': 1,
      'bad-state': 1,
    });
    expect(gs.framesIn).toBe(1);
    for (const s of stats.filter((x) => x !== gs)) expect(s.drops).toEqual({});
    expect(logs.some((l) => l.includes('message-too-long'))).toBe(true);
  });

  it('rate-limits the log of a flooding client but counts every drop', async () => {
    const g = await join('bus0');
    g.write('junk< ok >'.repeat(500));
    await g.sync();
    const gs = server.stats().clients[0]!;
    expect(gs.drops['text-outside-message']).toBe(500);
    expect(gs.drops['bad-state']).toBe(500);
    // 1000 events: the first 20 logged, one notice, and when the client goes away one line counting the rest.
    expect(logs.filter((l) => l.includes('dropped input')).length).toBe(20);
    expect(logs.filter((l) => l.includes('more than 20 events in 10 s; counting, not logging them')).length).toBe(1);
    await g.close();
    await until(() => server.stats().clients.length === 0, 'the hub saw the client go');
    expect(logs.filter((l) => /980 more events not logged \(over 20 per 10 s\)$/.test(l)).length).toBe(1);
    expect(logs.length).toBe(22);
  });

  it('bounds the log of many flooding clients together (100 lines per 10 s); the summary counts the rest', async () => {
    await server.close();
    await start({ clock: new VirtualClock(), limits: { maxConnections: 100 } });
    const gs = await Promise.all(Array.from({ length: 100 }, () => join('bus0')));
    for (const g of gs) g.write('< ok >'.repeat(30)); // 30 refused messages each
    await Promise.all(gs.map((g) => g.sync()));
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await until(() => server.clientCount === 0, 'the hub saw every client go');
    await server.close();
    // Each client hands the hub-wide log 22 lines (20, its notice, its summary when it goes): 2200 in all.
    expect(logs).toHaveLength(102);
    expect(logs[100]).toBe('more than 100 events in 10 s; counting, not logging them');
    expect(logs[101]).toBe('2100 more events not logged (over 100 per 10 s)');
  });
});

describe('SocketcandServer slow clients', () => {
  const FRAMES = 60_000;
  const frameMsg = '< send 123 8 11 22 33 44 55 66 77 88 >';

  async function flood(sender: RawTestClient): Promise<void> {
    // In chunks, so the hub relays while we write.
    for (let i = 0; i < FRAMES; i += 1000) sender.write(frameMsg.repeat(1000));
    await sender.sync();
  }

  it('drops and counts frames for a client that does not read; readers get every frame', async () => {
    await start({ maxBufferedBytes: 16 * 1024 });
    const sender = await join('bus0');
    const slow = await join('bus0');
    slow.socket.pause();
    const em = server.attach('bus0');
    let received = 0;
    em.onFrame(() => received++);
    await flood(sender);
    expect(received).toBe(FRAMES);
    const slowStats = server.stats().clients.find((s) => s.framesDropped > 0);
    expect(slowStats).toBeDefined();
    expect(slowStats!.framesOut + slowStats!.framesDropped).toBe(FRAMES);
    expect(server.stats().buses[0]!.dropped).toBe(slowStats!.framesDropped);
    expect(logs.some((l) => l.includes('not reading fast enough'))).toBe(true);
  });

  it('drops replies to a client that floods commands without reading them', async () => {
    let sawDrop: () => void = () => undefined;
    const dropped = new Promise<void>((resolve) => (sawDrop = resolve));
    await start({
      maxBufferedBytes: 16 * 1024,
      log: (l) => {
        logs.push(l);
        if (l.includes('not reading its replies')) sawDrop();
      },
    });
    const c = await join('bus0');
    // One chunk of 12,000 bad commands owes ~450 kB of error replies, written in one go: far over the bound.
    c.write('< nonsense >'.repeat(12_000));
    await dropped;
    const probe = await join('bus0'); // others are still served
    await probe.sync();
    const s = server.stats().clients.find((x) => x.repliesDropped > 0);
    expect(s).toBeDefined();
    expect(s!.drops['bad-message']).toBeGreaterThan(0);
  });

  it("disconnects a client that does not read under slowClient: 'disconnect'", async () => {
    await start({ maxBufferedBytes: 16 * 1024, slowClient: 'disconnect' });
    const sender = await join('bus0');
    const slow = await join('bus0');
    slow.socket.pause();
    await flood(sender);
    slow.socket.resume();
    await slow.closed;
    expect(server.stats().clients).toHaveLength(1);
    expect(logs.some((l) => l.includes('disconnecting'))).toBe(true);
  });
});

describe('SocketcandServer BCM and control modes (virtual clock)', () => {
  let clock: VirtualClock;
  beforeEach(async () => {
    clock = new VirtualClock(1_000_000);
    await start({ clock });
  });

  it('runs add/update/delete cyclic jobs on the hub clock', async () => {
    const c = await join('bus0', false);
    const em = server.attach('bus0');
    const got = collect(em);
    c.write('< add 0 100000 123 2 AA BB >');
    await c.sync();
    clock.advance(1000);
    expect(got).toHaveLength(11); // t = 0, 100, ..., 1000 ms
    expect(got.every((f) => f.data[0] === 0xaa)).toBe(true);
    expect(got[10]!.timestamp! - got[0]!.timestamp!).toBe(1000);
    c.write('< update 123 1 CC >');
    await c.sync();
    clock.advance(200);
    expect(got.slice(11).map((f) => [...f.data])).toEqual([[0xcc], [0xcc]]);
    c.write('< delete 123 >< delete 123 >< update 456 0 >');
    expect((await c.sync()).map((m) => m.split(' ')[0])).toEqual(['error', 'error']);
    clock.advance(1000);
    expect(got).toHaveLength(13);
  });

  it('sends an interval-0 add once, and stops jobs when the client leaves BCM mode', async () => {
    const c = await join('bus0', false);
    const em = server.attach('bus0');
    const got = collect(em);
    c.write('< add 0 0 321 0 >< add 1 0 123 0 >');
    await c.sync();
    expect(got.map((f) => f.id)).toEqual([0x321]); // once, at once
    clock.advance(0); // the cyclic job's first slot is now on the hub clock
    expect(got.map((f) => f.id)).toEqual([0x321, 0x123]);
    c.write('< rawmode >');
    await c.sync();
    clock.advance(10_000);
    expect(got).toHaveLength(2);
  });

  it('delivers subscribed ids in BCM mode, throttled by the interval', async () => {
    const c = await join('bus0', false);
    const em = server.attach('bus0');
    c.write('< subscribe 0 0 123 >< subscribe 0 500000 12345678 >');
    await c.sync();
    for (let i = 0; i < 3; i++) {
      await em.send(makeFrame(0x123, [i]));
      await em.send(makeFrame(0x124, [i]));
      await em.send(makeFrame(0x12345678, [i]));
      clock.advance(300);
    }
    const msgs = await c.sync();
    expect(msgs.map((m) => m.replace(/ \d+\.\d+ /, ' '))).toEqual([
      'frame 123 00',
      'frame 12345678 00',
      'frame 123 01',
      'frame 123 02',
      'frame 12345678 02',
    ]);
    c.write('< unsubscribe 123 >');
    await c.sync();
    await em.send(makeFrame(0x123, [9]));
    expect(await c.sync()).toEqual([]);
  });

  it('reports cumulative statistics in control mode on the hub clock', async () => {
    const c = await join('bus0', false);
    const em = server.attach('bus0');
    c.write('< statistics 1000 >');
    expect(await c.next()).toMatch(/^error statistics needs control mode/);
    c.write('< add 0 0 123 3 01 02 03 >< rawmode >'); // sends one frame of 3 bytes
    await c.sync();
    await em.send(makeFrame(0x124, [1, 2])); // receives one of 2 bytes
    expect(await c.next()).toMatch(/^frame 124/);
    c.write('< controlmode >< statistics 1000 >');
    await c.expect('ok');
    await c.sync();
    await em.send(makeFrame(0x125, [1])); // not delivered in control mode
    clock.advance(1000);
    expect(await c.next()).toBe('stat 2 1 3 1');
    clock.advance(1000);
    expect(await c.next()).toBe('stat 2 1 3 1');
    c.write('< statistics 0 >');
    await c.sync();
    clock.advance(5000);
    expect(await c.sync()).toEqual([]);
  });
});

describe('SocketcandServer beacon', () => {
  it('sends a CANBeacon over UDP naming its URL and buses', async () => {
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));
    const udpPort = udp.address().port;
    const first = new Promise<string>((resolve) => udp.once('message', (m) => resolve(m.toString())));
    const clock = new VirtualClock();
    try {
      server = new SocketcandServer({ port: 0, clock, beacon: { address: '127.0.0.1', port: udpPort, intervalMs: 2000, name: 'rig1' } });
      server.attach('vcan7');
      ({ port } = await server.listen());
      const xml = await first;
      expect(xml).toContain('<CANBeacon name="rig1" type="SocketCAN"');
      expect(xml).toContain(`<URL>can://127.0.0.1:${port}</URL>`);
      expect(xml).toContain('<Bus name="vcan7"/>');
    } finally {
      udp.close();
    }
  });
});
