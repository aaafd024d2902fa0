import net from 'node:net';
import { VirtualClock } from '../../core/clock';
import { ExceptionCode } from './device';
import { encodeAdu } from './mbap';
import { RegisterMap } from './register-map';
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
    expect(clock.pending).toBe(1);
    await server.close();
    await c.closed;
    expect(clock.pending).toBe(0);
    await expect(server.listen()).rejects.toThrow('closed');
    await server.close();
  });
});
