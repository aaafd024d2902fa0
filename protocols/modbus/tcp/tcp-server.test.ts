import net from 'node:net';
import { VirtualClock } from '../../../core/clock';
import { ExceptionCode } from '../device';
import { encodeAdu } from '../framer/mbap';
import { RegisterMap } from '../register-map';
import { until } from '../../../test/support/until';
import { ModbusTcpServer } from './tcp-server';

/** A raw TCP client that collects bytes and lets a test await a number of them. */
class RawClient {
  private buf = Buffer.alloc(0);
  private waiter: { n: number; resolve: (b: Buffer) => void } | undefined;
  readonly closed: Promise<void>;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.check();
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  get received(): number {
    return this.buf.length;
  }

  send(hexOrBytes: string | Buffer): void {
    this.socket.write(typeof hexOrBytes === 'string' ? Buffer.from(hexOrBytes, 'hex') : hexOrBytes);
  }

  /** Resolves with exactly the next `n` bytes once they have arrived. */
  read(n: number): Promise<Buffer> {
    return new Promise((resolve) => {
      this.waiter = { n, resolve };
      this.check();
    });
  }

  private check(): void {
    if (this.waiter && this.buf.length >= this.waiter.n) {
      const { n, resolve } = this.waiter;
      this.waiter = undefined;
      const out = this.buf.subarray(0, n);
      this.buf = this.buf.subarray(n);
      resolve(out);
    }
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }
}

const adu = (tid: number, unit: number, pduHex: string): Buffer => encodeAdu(tid, unit, Buffer.from(pduHex, 'hex'));

describe('ModbusTcpServer', () => {
  let server: ModbusTcpServer;
  let clients: RawClient[];
  let clock: VirtualClock;
  let map: RegisterMap;

  async function client(): Promise<RawClient> {
    const c = await RawClient.connect(server.address.port);
    clients.push(c);
    return c;
  }

  beforeEach(async () => {
    clock = new VirtualClock();
    server = new ModbusTcpServer({ clock });
    map = new RegisterMap().addRegisters({ table: 'holding', start: 0, values: Array.from({ length: 20 }, (_, i) => 100 + i) });
    server.core.addUnit(1, map);
    server.core.addUnit(2, new RegisterMap().addRegisters({ table: 'input', start: 5, values: [7] }));
    const a = await server.listen();
    expect(a.host).toBe('127.0.0.1');
    expect(a.port).toBeGreaterThan(0);
    clients = [];
  });

  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  });

  it('answers a request split across packets and several requests in one packet, in order', async () => {
    const c = await client();
    const req = adu(0x1234, 1, '0300000002');
    for (const b of req) {
      c.send(Buffer.of(b));
      await new Promise<void>((r) => c.socket.write(Buffer.alloc(0), () => r()));
    }
    expect((await c.read(13)).toString('hex')).toBe('1234000000070103040064' + '0065');
    c.send(Buffer.concat([adu(1, 1, '0300050001'), adu(2, 2, '0400050001'), adu(3, 1, '060000abcd')]));
    expect((await c.read(11 + 11 + 12)).toString('hex')).toBe(
      '0001000000050103020069' + '0002000000050204020007' + '000300000006010600' + '00abcd',
    );
    expect(map.get('holding', 0)).toEqual([0xabcd]);
    expect(server.stats).toMatchObject({ requests: 4, responses: 4, accepted: 1, active: 1 });
  });

  it('quietAfterConnectMs: a request sooner than that after connecting is neither answered nor executed', async () => {
    server.quietAfterConnectMs = 1000;
    const c = await client();
    c.send(adu(1, 1, '060000abcd')); // 0 ms after connecting: not heard
    for (let i = 0; i < 10_000 && server.stats.requests < 1; i++) await new Promise<void>((r) => setImmediate(r)); // until it arrived
    expect(server.stats.unansweredEarly).toBe(1);
    clock.advance(1000);
    c.send(adu(2, 1, '0300000001'));
    expect((await c.read(11)).toString('hex')).toBe('0002000000050103020064'); // only the second, and the write did not happen
    expect(server.stats).toMatchObject({ requests: 2, responses: 1, unansweredEarly: 1 });
    expect(server.recentLog.some((l) => /not answered \(quiet for 1000 ms\)/.test(l))).toBe(true);
  });

  it('serves many connections and unit ids; unknown unit gets 0x0B', async () => {
    const cs = await Promise.all([client(), client(), client(), client()]);
    cs.forEach((c, i) => c.send(adu(i, i % 2 === 0 ? 1 : 2, i % 2 === 0 ? '0300010001' : '0400050001')));
    const got = await Promise.all(cs.map((c) => c.read(11)));
    got.forEach((b, i) => expect(b.subarray(9).readUInt16BE(0)).toBe(i % 2 === 0 ? 101 : 7));
    cs[0]!.send(adu(9, 3, '0300000001'));
    expect((await cs[0]!.read(9)).toString('hex')).toBe('000900000003' + '03830b');
    expect(server.connectionStats()).toHaveLength(4);
  });

  it('drops frames with a bad protocol id or length, counts them, and keeps serving', async () => {
    const c = await client();
    const bad = adu(1, 1, '0300000001');
    bad.writeUInt16BE(7, 2);
    c.send(Buffer.concat([bad, Buffer.from('0002000000010103', 'hex').subarray(0, 7), adu(3, 1, '0300000001')]));
    // The 7-byte frame with length 1 has no PDU: dropped. Only tid 3 is answered.
    expect((await c.read(11)).toString('hex')).toBe('0003000000050103020064');
    expect(server.stats).toMatchObject({ badProtocolId: 1, badLength: 1, requests: 1 });
    expect(server.recentLog.join('\n')).toContain('protocol id 7');
  });

  it('closes a connection whose frame claims more than 260 bytes, with a logged reason', async () => {
    const c = await client();
    c.send('00010000' + '00ff' + '01');
    await c.closed;
    expect(server.stats.closedOversize).toBe(1);
    expect(server.recentLog.at(-1)).toMatch(/MBAP length 255 .*over 260 bytes/);
    const d = await client();
    d.send(adu(1, 1, '0300000001'));
    expect((await d.read(11)).readUInt16BE(9)).toBe(100);
  });

  it('applies ADU faults: wrong transaction id, wrong unit id, truncate', async () => {
    const c = await client();
    server.core.faults.add({ fault: { kind: 'wrong-transaction-id' }, remaining: 1 });
    c.send(adu(0x0010, 1, '0300000001'));
    expect((await c.read(11)).readUInt16BE(0)).toBe(0x0011);
    server.core.faults.add({ fault: { kind: 'wrong-unit-id' }, remaining: 1 });
    c.send(adu(0x0020, 1, '0300000001'));
    expect((await c.read(11))[6]).toBe(2);
    server.core.faults.add({ fault: { kind: 'truncate', bytes: 5 }, remaining: 1 });
    c.send(Buffer.concat([adu(0x0030, 1, '0300000001'), adu(0x0031, 1, '0300000001')]));
    expect((await c.read(5 + 11)).toString('hex')).toBe('0030000000' + '0031000000050103020064');
    server.core.faults.add({ fault: { kind: 'exception', code: ExceptionCode.ServerDeviceBusy }, remaining: 1 });
    c.send(adu(0x0040, 1, '0300000001'));
    expect((await c.read(9)).toString('hex')).toBe('004000000003018306');
  });

  it('delays a response on the clock without holding up later ones', async () => {
    const c = await client();
    server.core.faults.add({ fault: { kind: 'delay', ms: 500 }, remaining: 1 });
    c.send(adu(1, 1, '0300000001'));
    c.send(adu(2, 1, '0300010001'));
    expect((await c.read(11)).readUInt16BE(0)).toBe(2);
    expect(c.received).toBe(0);
    clock.advance(499);
    clock.advance(1);
    expect((await c.read(11)).readUInt16BE(0)).toBe(1);
  });

  it('splits a response into pieces with gaps and does not interleave the next one', async () => {
    const c = await client();
    server.core.faults.add({ fault: { kind: 'split', chunks: 3, gapMs: 10 }, remaining: 1 });
    c.send(adu(1, 1, '0300000001'));
    expect((await c.read(4)).toString('hex')).toBe('00010000');
    c.send(adu(2, 1, '0300000001'));
    // The second response waits behind the split: the wire has only the first piece.
    await new Promise<void>((r) => c.socket.write(Buffer.alloc(0), () => r()));
    expect(server.stats.bytesOut).toBe(4);
    clock.advance(10);
    expect((await c.read(4)).toString('hex')).toBe('00050103');
    clock.advance(10);
    expect((await c.read(3 + 11)).toString('hex')).toBe('020064' + '0002000000050103020064');
  });

  it('close() destroys connections and cancels pending delayed responses; listen after close rejects', async () => {
    const c = await client();
    server.core.faults.add({ fault: { kind: 'delay', ms: 1000 } });
    c.send(adu(1, 1, '0300000001'));
    await new Promise<void>((resolve) => {
      const poll = (): void => (server.stats.requests === 1 ? resolve() : void setImmediate(poll));
      poll();
    });
    expect(clock.pending).toBe(2); // the delayed response and the idle-timeout timer
    await server.close();
    await c.closed;
    expect(clock.pending).toBe(0);
    await expect(server.listen()).rejects.toThrow('closed');
    await server.close();
  });
});

describe('ModbusTcpServer malformed-frame log and connection limits', () => {
  let server: ModbusTcpServer;
  let lines: string[];
  const open: RawClient[] = [];
  const badFrame = adu(1, 1, '0300000001');
  badFrame.writeUInt16BE(7, 2); // protocol id 7: dropped

  async function start(options: ConstructorParameters<typeof ModbusTcpServer>[0] = {}): Promise<number> {
    lines = [];
    server = new ModbusTcpServer({ clock: new VirtualClock(), log: (l) => lines.push(l), ...options });
    server.core.addUnit(1, new RegisterMap().addRegisters({ table: 'holding', start: 0, values: [7] }));
    return (await server.listen()).port;
  }

  async function connect(port: number): Promise<RawClient> {
    const c = await RawClient.connect(port);
    open.push(c);
    return c;
  }

  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
    await server.close();
  });

  it('logs 20 garbage frames of a connection, then counts; its summary counts what was held back', async () => {
    const port = await start();
    const c = await connect(port);
    c.send(Buffer.concat(Array.from({ length: 5000 }, () => badFrame)));
    await until(() => server.stats.badProtocolId === 5000, 'the server saw the 5000 frames');
    expect(lines.filter((l) => l.includes('protocol id 7'))).toHaveLength(20);
    expect(lines[20]).toMatch(/^connection 1 127\.0\.0\.1:\d+: more than 20 events in 10 s; counting, not logging them$/);
    expect(lines).toHaveLength(21);
    await c.close();
    await until(() => server.stats.active === 0, 'the server saw the close');
    expect(lines.slice(21)).toEqual([expect.stringMatching(/^connection 1 \S+: 4980 more events not logged \(over 20 per 10 s\)$/)]);
  });

  it('bounds the log of many garbage connections together (100 lines per 10 s) and the summary counts the rest', async () => {
    const port = await start({ limits: { maxConnections: 300 } });
    const clients = await Promise.all(Array.from({ length: 300 }, () => connect(port)));
    for (const c of clients) c.send(Buffer.concat(Array.from({ length: 30 }, () => badFrame)));
    await until(() => server.stats.badProtocolId === 300 * 30, 'the server saw every frame');
    await Promise.all(open.splice(0).map((c) => c.close()));
    await until(() => server.stats.active === 0, 'the server saw every close');
    await server.close();
    // Each connection hands the server-wide log 22 lines (20, its notice, its summary at close): 6600 in all.
    expect(lines).toHaveLength(100 + 2);
    expect(lines[100]).toBe('more than 100 events in 10 s; counting, not logging them');
    expect(lines[101]).toBe('6500 more events not logged (over 100 per 10 s)');
  });

  it("with whenFull 'refuse' keeps the connections it has and refuses the newcomer", async () => {
    const port = await start({ limits: { maxConnections: 2, whenFull: 'refuse' } });
    const a = await connect(port);
    const b = await connect(port);
    const c = await connect(port);
    await c.closed;
    a.send(adu(1, 1, '0300000001'));
    b.send(adu(2, 1, '0300000001'));
    expect((await a.read(11)).toString('hex')).toBe('000100000005010302' + '0007');
    expect((await b.read(11)).toString('hex')).toBe('000200000005010302' + '0007');
    expect(server.stats).toMatchObject({ refused: 1, evicted: 0, active: 2 });
    expect(lines.some((l) => /^refused 127\.0\.0\.1:\d+: already 2 connections$/.test(l))).toBe(true);
  });

  it('at the cap evicts the idle connection that never sent a valid frame, not the polling one, and says so', async () => {
    const port = await start({ limits: { maxConnections: 2 } });
    const ctl = await connect(port);
    ctl.send(adu(1, 1, '0300000001'));
    await ctl.read(11);
    const idle = await connect(port);
    await until(() => server.stats.active === 2, 'the server holds both');
    const late = await connect(port);
    await idle.closed;
    late.send(adu(3, 1, '0300000001'));
    expect((await late.read(11)).readUInt16BE(0)).toBe(3);
    ctl.send(adu(4, 1, '0300000001'));
    expect((await ctl.read(11)).readUInt16BE(0)).toBe(4);
    expect(lines).toContainEqual(expect.stringMatching(/^connection 2 \S+: closed to make room \(limit 2\): idle longest \(0\.0 s\), never sent a valid frame$/));
  });

  it('rejects limits that make no sense', () => {
    expect(() => new ModbusTcpServer({ limits: { maxConnections: 0 } })).toThrow('maxConnections must be a whole number >= 1');
  });
});

