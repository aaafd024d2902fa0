/**
 * Issue 3 "Bad input": at least 100,000 random and mutated frames against one server core shared by the TCP server
 * (over real loopback sockets) and the RTU server (over the in-memory null modem, in virtual time). Every answer is
 * checked against the independent expectation in modbus-fuzz-oracle.ts (exception code, or response content where
 * the layout fixes it), every silence too, and the servers must answer valid requests correctly afterwards.
 */
import * as net from 'node:net';
import { VirtualClock } from '../../core/clock';
import { RegisterMap } from '../../protocols/modbus/register-map';
import { createNullModem } from '../../protocols/modbus/rtu/rtu-null-modem';
import { ModbusRtuServer } from '../../protocols/modbus/rtu/rtu-server';
import { t35Ms } from '../../protocols/modbus/rtu/rtu-timing';
import { ModbusServerCore } from '../../protocols/modbus/server-core';
import { ModbusTcpServer } from '../../protocols/modbus/tcp/tcp-server';
import { Rng, UNITS, rtuFrame, tcpFrame, type Category } from './modbus-fuzz-gen';
import {
  LAYOUT,
  MbapStream,
  crc16,
  expectFor,
  hex,
  inputValue,
  judge,
  roValue,
  rtuCandidates,
  withCrc,
  type Expect,
} from './modbus-fuzz-oracle';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const TCP_FRAMES = Number(process.env.FUZZ_TCP ?? 50_000);
const RTU_FRAMES = Number(process.env.FUZZ_RTU ?? 50_000);
const TCP_CONNECTIONS = 4;
const BATCH = 24;
const BAUD = 115200;

interface Counts {
  sent: Record<string, number>;
  answered: number;
  exceptions: Record<string, number>;
  silent: number;
  /** Answers compared with the exact expectation. */
  checked: number;
  /** Answers that could only be checked as "one of the frames hidden in this burst". */
  ambiguous: number;
  tcpCloses: number;
  failures: string[];
}

function newCounts(): Counts {
  return { sent: {}, answered: 0, exceptions: {}, silent: 0, checked: 0, ambiguous: 0, tcpCloses: 0, failures: [] };
}

function fail(c: Counts, what: string): void {
  if (c.failures.length < 20) c.failures.push(what);
}

function record(c: Counts, category: Category | 'tcp-realign' | 'tcp-sentinel', transport: 'tcp' | 'rtu'): void {
  const k = `${transport}:${category}`;
  c.sent[k] = (c.sent[k] ?? 0) + 1;
}

function answered(c: Counts, pdu: Uint8Array): void {
  c.answered++;
  if (pdu[0]! & 0x80) {
    const k = `0x${pdu[1]!.toString(16).padStart(2, '0')}`;
    c.exceptions[k] = (c.exceptions[k] ?? 0) + 1;
  }
}

function fuzzUnit(): RegisterMap {
  const m = new RegisterMap();
  m.addRegisters({ table: 'holding', start: 0, length: LAYOUT.rw });
  m.addRegisters({ table: 'holding', start: LAYOUT.rw, values: Array.from({ length: LAYOUT.holding - LAYOUT.rw }, (_, i) => roValue(LAYOUT.rw + i)), access: 'ro' });
  m.addRegisters({ table: 'input', start: 0, values: Array.from({ length: LAYOUT.input }, (_, i) => inputValue(i)) });
  m.addBits({ table: 'coils', start: 0, length: LAYOUT.coils });
  m.addBits({ table: 'discrete', start: 0, values: Array.from({ length: LAYOUT.discrete }, (_, i) => i % 3 === 0) });
  return m;
}

/** What the reply to one TCP frame must be: exception 0x0B for units nobody serves, else the layout's answer. */
function tcpExpect(unit: number, pdu: Uint8Array): Expect {
  if (!UNITS.includes(unit)) return { kind: 'exception', fc: (pdu[0]! | 0x80) & 0xff, code: 0x0b };
  return expectFor(pdu);
}

/** A TCP client connection that splits replies with the same MBAP rules. */
class TcpPeer {
  readonly replies: Array<{ tid: number; unit: number; pdu: Uint8Array }> = [];
  private readonly stream = new MbapStream();
  closed = false;
  private waiter: (() => void) | undefined;
  private want = 0;

  private constructor(private readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      for (const e of this.stream.feed(d)) if (e.kind === 'frame') this.replies.push({ tid: e.tid, unit: e.unit, pdu: e.pdu });
      this.wake();
    });
    socket.on('error', () => undefined); // resets after an oversize frame are expected
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(port: number): Promise<TcpPeer> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new TcpPeer(s)));
      s.once('error', reject);
    });
  }

  write(bytes: number[]): void {
    this.socket.write(Uint8Array.from(bytes));
  }

  /** Resolves once `n` replies arrived or the connection closed; rejects after `ms` (a stuck server is a failure). */
  until(n: number, ms: number): Promise<void> {
    this.want = n;
    if (this.replies.length >= n || this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`waited ${ms} ms for ${n} replies, have ${this.replies.length}`)), ms);
      this.waiter = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private wake(): void {
    if (this.waiter && (this.replies.length >= this.want || this.closed)) {
      const w = this.waiter;
      this.waiter = undefined;
      w();
    }
  }

  end(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.end();
    });
  }
}

/** Drive one TCP connection (reconnecting after the server closes it) through `frames` fuzz frames. */
async function tcpWorker(port: number, rng: Rng, frames: number, c: Counts, expectedDrops: Record<string, number>): Promise<void> {
  let peer = await TcpPeer.connect(port);
  let stream = new MbapStream();
  let tid = 0;
  let sent = 0;
  while (sent < frames) {
    const bytes: number[] = [];
    const expected: Array<{ tid: number; unit: number; e: Expect; ctx: string }> = [];
    let closing = false;
    const absorb = (chunk: number[], ctx: string): void => {
      bytes.push(...chunk);
      for (const ev of stream.feed(chunk)) {
        if (ev.kind === 'frame') expected.push({ tid: ev.tid, unit: ev.unit, e: tcpExpect(ev.unit, ev.pdu), ctx: `${ctx} -> frame ${hex(ev.pdu)}` });
        else if (ev.kind === 'drop') expectedDrops[ev.reason] = (expectedDrops[ev.reason] ?? 0) + 1;
        else closing = true;
      }
    };
    for (let k = 0; k < BATCH && sent < frames && !closing; k++) {
      tid = (tid + 1) & 0xffff;
      const f = tcpFrame(rng, tid);
      record(c, f.category, 'tcp');
      sent++;
      absorb(f.bytes, `${f.category} ${hex(f.bytes)}`);
    }
    // Bring the stream back to a frame boundary (the filler is part of the traffic), then a known request.
    while (!closing && stream.pending > 0) {
      record(c, 'tcp-realign', 'tcp');
      absorb([0], 'realign filler');
    }
    if (!closing) {
      tid = (tid + 1) & 0xffff;
      record(c, 'tcp-sentinel', 'tcp');
      absorb([tid >> 8, tid & 0xff, 0, 0, 0, 6, 1, 4, 0, 5, 0, 2], 'sentinel');
    }
    const base = peer.replies.length;
    peer.write(bytes);
    if (closing) {
      expectedDrops.oversize = (expectedDrops.oversize ?? 0) + 1;
      await peer.until(Infinity, 10_000); // resolves on close
      c.tcpCloses++;
    } else {
      await peer.until(base + expected.length, 10_000);
    }
    const got = peer.replies.slice(base);
    if (!closing && got.length !== expected.length) fail(c, `tcp: ${got.length} replies for ${expected.length} expected`);
    // After a close the replies that made it before the reset must still be right, in order.
    for (let i = 0; i < Math.min(got.length, expected.length); i++) {
      const g = got[i]!;
      const x = expected[i]!;
      answered(c, g.pdu);
      const why = g.tid !== x.tid || g.unit !== x.unit ? `tid/unit ${g.tid}/${g.unit} for ${x.tid}/${x.unit}` : judge(x.e, g.pdu);
      if (why) fail(c, `tcp: ${x.ctx}: got ${hex(g.pdu)}: ${why}`);
      else c.checked++;
    }
    if (closing) {
      peer = await TcpPeer.connect(port);
      stream = new MbapStream();
    }
  }
  await peer.end();
}

/** Drive the RTU server over the null modem, one burst per frame with silences between, in virtual time. */
async function rtuRun(core: ModbusServerCore, rng: Rng, frames: number, c: Counts): Promise<ModbusRtuServer> {
  const clock = new VirtualClock(0);
  const [serverEnd, master] = createNullModem({ clock, baudRate: BAUD });
  const server = new ModbusRtuServer({ core, link: serverEnd, clock });
  let rx: number[] = [];
  master.onData((d) => rx.push(...d));
  const quiet = 3 * t35Ms(BAUD) + 1;
  let previous = '';
  for (let i = 0; i < frames; i++) {
    const f = rtuFrame(rng);
    const before = previous;
    previous = `${f.category} ${hex(f.bytes)}`;
    record(c, f.category, 'rtu');
    rx = [];
    void master.write(Uint8Array.from(f.bytes));
    await clock.advanceAsync(quiet);
    const { whole, inner } = rtuCandidates(f.bytes);
    const ctx = `rtu ${f.category} ${hex(f.bytes)} (after ${before})`;
    if (rx.length === 0) {
      c.silent++;
      const mustAnswer = whole && UNITS.includes(whole.unit);
      if (mustAnswer) fail(c, `${ctx}: no reply to a valid frame for unit ${whole.unit}`);
      continue;
    }
    // A reply: one frame with a valid CRC, from a unit the burst addressed.
    const reply = Uint8Array.from(rx);
    const crc = crc16(reply, 0, reply.length - 2);
    if (reply.length < 5 || reply[reply.length - 2] !== (crc & 0xff) || reply[reply.length - 1] !== crc >> 8) {
      fail(c, `${ctx}: reply with a bad CRC: ${hex(reply)}`);
      continue;
    }
    const pdu = reply.subarray(1, reply.length - 2);
    answered(c, pdu);
    const sources = whole ? [whole] : inner;
    const ok = sources.filter((s) => UNITS.includes(s.unit) && s.unit === reply[0] && judge(expectFor(s.pdu), pdu) === null);
    if (ok.length === 0) {
      const why = whole ? judge(expectFor(whole.pdu), pdu) ?? `unit ${reply[0]} for ${whole.unit}` : 'no frame in this burst explains it';
      fail(c, `${ctx}: got ${hex(reply)}: ${why}`);
    } else if (whole) c.checked++;
    else c.ambiguous++;
  }
  await master.close();
  return server;
}

/** After the storm: write then read back on both transports, exact values. */
async function sanity(port: number, core: ModbusServerCore): Promise<string[]> {
  const problems: string[] = [];
  const peer = await TcpPeer.connect(port);
  const regs = [0x1111, 0x2222, 0x3333, 0xfffe];
  const write = [0, 1, 0, 0, 0, 15, 2, 0x10, 0, 10, 0, 4, 8, ...regs.flatMap((v) => [v >> 8, v & 0xff])];
  peer.write(write);
  peer.write([0, 2, 0, 0, 0, 6, 2, 3, 0, 10, 0, 4]);
  peer.write([0, 3, 0, 0, 0, 6, 2, 4, 0, 60, 0, 4]);
  await peer.until(3, 10_000);
  const [w, r, i] = peer.replies;
  if (hex(w!.pdu) !== '10 00 0a 00 04') problems.push(`tcp write reply ${hex(w!.pdu)}`);
  if (hex(r!.pdu) !== hex([3, 8, ...regs.flatMap((v) => [v >> 8, v & 0xff])])) problems.push(`tcp read-back ${hex(r!.pdu)}`);
  if (hex(i!.pdu) !== hex([4, 8, ...[60, 61, 62, 63].flatMap((a) => [inputValue(a) >> 8, inputValue(a) & 0xff])])) problems.push(`tcp input ${hex(i!.pdu)}`);
  await peer.end();

  const clock = new VirtualClock(0);
  const [serverEnd, master] = createNullModem({ clock, baudRate: BAUD, paced: true });
  const server = new ModbusRtuServer({ core, link: serverEnd, clock });
  let rx: number[] = [];
  master.onData((d) => rx.push(...d));
  const ask = async (body: number[]): Promise<string> => {
    rx = [];
    void master.write(Uint8Array.from(withCrc(body)));
    await clock.advanceAsync(20);
    return hex(rx);
  };
  if ((await ask([3, 15, 0, 0, 0, 10, 2, 0xa5, 0x02])) !== hex(withCrc([3, 15, 0, 0, 0, 10]))) problems.push('rtu coil write');
  if ((await ask([3, 1, 0, 0, 0, 10])) !== hex(withCrc([3, 1, 2, 0xa5, 0x02]))) problems.push('rtu coil read-back');
  if ((await ask([3, 3, 0, 64, 0, 2])) !== hex(withCrc([3, 3, 4, 0xa0, 64, 0xa0, 65]))) problems.push('rtu holding read');
  await server.close();
  await master.close();
  return problems;
}

describe('Modbus fuzz: TCP and RTU servers under random and mutated frames', () => {
  it(`survives ${TCP_FRAMES + RTU_FRAMES} frames, answers as the standard says, and still works`, async () => {
    const core = new ModbusServerCore();
    for (const u of UNITS) core.addUnit(u, fuzzUnit());
    const tcp = new ModbusTcpServer({ core, log: () => undefined });
    const { port } = await tcp.listen();
    const started = performance.now();
    const counts = newCounts();
    const expectedDrops: Record<string, number> = {};
    let rtu: ModbusRtuServer | undefined;
    try {
      const per = Math.ceil(TCP_FRAMES / TCP_CONNECTIONS);
      const [, rtuServer] = await Promise.all([
        Promise.all(Array.from({ length: TCP_CONNECTIONS }, (_, i) => tcpWorker(port, new Rng(SEED + i), per, counts, expectedDrops))),
        rtuRun(core, new Rng(SEED + 100), RTU_FRAMES, counts),
      ]);
      rtu = rtuServer;
      const problems = await sanity(port, core);
      const elapsed = (performance.now() - started) / 1000;

      const fuzzSent = Object.entries(counts.sent)
        .filter(([k]) => !k.endsWith('tcp-realign') && !k.endsWith('tcp-sentinel'))
        .reduce((n, [, v]) => n + v, 0);
      const t = tcp.stats;
      const f = rtu.framerStats;
      process.stdout.write(
        [
          `modbus fuzz (seed ${SEED}, ${elapsed.toFixed(1)} s): ${fuzzSent} fuzz frames sent (TCP ${TCP_FRAMES}, RTU ${RTU_FRAMES})`,
          `  sent by category: ${JSON.stringify(counts.sent)}`,
          `  answered ${counts.answered} (checked exactly ${counts.checked}, RTU replies to a frame hidden in garbage ${counts.ambiguous}), RTU silent ${counts.silent}`,
          `  exceptions by code: ${JSON.stringify(counts.exceptions)}`,
          `  TCP dropped: bad protocol id ${t.badProtocolId}, bad length ${t.badLength}, connections closed for oversize ${t.closedOversize}`,
          `  RTU dropped: ${JSON.stringify(f.drops)} (${f.droppedBytes} bytes), other units ${rtu.stats.otherUnits}, broadcast/no-reply ${rtu.stats.silent}`,
          `  core: ${JSON.stringify(core.stats)}`,
          '',
        ].join('\n'),
      );

      expect(counts.failures).toEqual([]);
      expect(problems).toEqual([]);
      expect(fuzzSent).toBeGreaterThanOrEqual(TCP_FRAMES + RTU_FRAMES);
      // The server's own drop counters agree with the MBAP rules applied independently.
      expect({ badProtocolId: t.badProtocolId, badLength: t.badLength, closedOversize: t.closedOversize }).toEqual({
        badProtocolId: expectedDrops['bad-protocol-id'] ?? 0,
        badLength: expectedDrops['bad-length'] ?? 0,
        closedOversize: expectedDrops.oversize ?? 0,
      });
      expect(core.stats.deviceErrors).toBe(0);
      // Enough of everything happened for the run to mean something.
      expect(counts.checked).toBeGreaterThan((TCP_FRAMES + RTU_FRAMES) / 4);
      for (const code of ['0x01', '0x02', '0x03', '0x0b']) expect(counts.exceptions[code] ?? 0).toBeGreaterThan(100);
      expect(f.drops['bad-crc'] + f.drops.garbage).toBeGreaterThan(1000);
      expect(tcp.address.port).toBe(port); // still listening
    } finally {
      await rtu?.close();
      await tcp.close();
    }
  }, 120_000);
});
