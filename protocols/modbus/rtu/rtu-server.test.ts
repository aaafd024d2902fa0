import { VirtualClock, v8Engine } from '../../../core/clock';
import { appendCrc } from '../framer/crc';
import { ExceptionCode, type ModbusDevice } from '../device';
import { RtuFramer, type RtuFrame } from '../framer/rtu-framer';
import type { RtuLink } from './rtu-link';
import { createNullModem, type NullModemEnd } from './rtu-null-modem';
import { ModbusRtuServer, applyAduFaults, type RtuServerOptions } from './rtu-server';
import { t35Ms, wireTimeMs } from './rtu-timing';
import { ModbusServerCore } from '../server-core';

const BAUD = 19200;
const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((x) => parseInt(x, 16)));
const adu = (s: string): Uint8Array => appendCrc(hex(s));
const bytes = (u: Uint8Array): number[] => [...u];

/** 100 holding registers (value = 1000 * unit + address), 100 coils; anything beyond is IllegalDataAddress. */
class SmallDevice implements ModbusDevice {
  readonly holding: number[];
  readonly coils = new Array<boolean>(100).fill(false);
  constructor(unit: number) {
    this.holding = Array.from({ length: 100 }, (_, a) => 1000 * unit + a);
  }
  readHoldingRegisters(address: number, quantity: number): number[] | ExceptionCode {
    if (address + quantity > 100) return ExceptionCode.IllegalDataAddress;
    return this.holding.slice(address, address + quantity);
  }
  writeRegisters(address: number, values: ArrayLike<number>): ExceptionCode | undefined {
    if (address + values.length > 100) return ExceptionCode.IllegalDataAddress;
    for (let i = 0; i < values.length; i++) this.holding[address + i] = values[i]!;
    return undefined;
  }
  readCoils(address: number, quantity: number): boolean[] | ExceptionCode {
    if (address + quantity > 100) return ExceptionCode.IllegalDataAddress;
    return this.coils.slice(address, address + quantity);
  }
  writeCoils(address: number, values: readonly boolean[]): ExceptionCode | undefined {
    if (address + values.length > 100) return ExceptionCode.IllegalDataAddress;
    values.forEach((v, i) => (this.coils[address + i] = v));
    return undefined;
  }
}

interface Rig {
  clock: VirtualClock;
  core: ModbusServerCore;
  server: ModbusRtuServer;
  master: NullModemEnd;
  devices: SmallDevice[];
  /** Replies seen by the master, with the arrival time of each one's last byte. */
  replies: RtuFrame[];
  /** Every chunk the master received, with its arrival time. */
  chunks: Array<{ at: number; bytes: number[] }>;
  masterFramer: RtuFramer;
  send(frame: Uint8Array): Promise<void>;
  settle(ms?: number): Promise<void>;
}

const rigs: Rig[] = [];

function rig(units = [1, 2], log?: (line: string) => void): Rig {
  const clock = new VirtualClock(0);
  const core = new ModbusServerCore({ clock });
  const devices = units.map((u) => new SmallDevice(u));
  units.forEach((u, i) => core.addUnit(u, devices[i]!));
  const [serverEnd, master] = createNullModem({ clock, baudRate: BAUD, paced: true });
  const server = new ModbusRtuServer({ core, link: serverEnd, ...(log ? { log } : {}) });
  const masterFramer = new RtuFramer({ kind: 'response', baudRate: BAUD });
  const replies: RtuFrame[] = [];
  const chunks: Rig['chunks'] = [];
  master.onData((c) => {
    chunks.push({ at: clock.now(), bytes: bytes(c) });
    replies.push(...masterFramer.push(c, clock.now()));
  });
  const r: Rig = {
    clock,
    core,
    server,
    master,
    devices,
    replies,
    chunks,
    masterFramer,
    send: (frame) => master.write(frame).then(() => undefined),
    settle: async (ms = 200) => {
      await clock.advanceAsync(ms);
      replies.push(...masterFramer.silence(clock.now()));
    },
  };
  rigs.push(r);
  return r;
}

afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.server.close();
    await r.master.close();
    expect(r.clock.pending).toBe(0); // no timer left behind
  }
});

describe('ModbusRtuServer', () => {
  it('answers a read for one of its units, no earlier than t3.5 after the request', async () => {
    const r = rig();
    const req = adu('02 03 00 05 00 03');
    void r.send(req);
    await r.settle();
    expect(r.replies.map((f) => bytes(f.adu))).toEqual([bytes(adu('02 03 06 07 D5 07 D6 07 D7'))]);
    const requestEnd = wireTimeMs(req.length, BAUD);
    const replyStart = r.replies[0]!.at - wireTimeMs(r.replies[0]!.adu.length, BAUD);
    expect(replyStart).toBeGreaterThanOrEqual(requestEnd + t35Ms(BAUD) - 1e-9);
    expect(r.server.stats).toMatchObject({ requests: 1, replies: 1, otherUnits: 0 });
  });

  it('keeps silent for unit ids it does not serve, without bothering the core', async () => {
    const r = rig([1, 2]);
    void r.send(adu('03 03 00 00 00 01'));
    await r.settle();
    expect(r.chunks).toEqual([]);
    expect(r.server.stats.otherUnits).toBe(1);
    expect(r.core.stats.requests).toBe(0);
    // and still answers its own
    void r.send(adu('01 03 00 00 00 01'));
    await r.settle();
    expect(r.replies.map((f) => f.unitId)).toEqual([1]);
  });

  it('executes broadcast writes on every unit and sends nothing', async () => {
    const r = rig([1, 2]);
    void r.send(adu('00 10 00 0A 00 02 04 12 34 56 78'));
    await r.settle();
    expect(r.chunks).toEqual([]);
    for (const d of r.devices) expect(d.holding.slice(10, 12)).toEqual([0x1234, 0x5678]);
    expect(r.server.stats.silent).toBe(1);
  });

  it('writes and reads coils, and answers exceptions for bad addresses', async () => {
    const r = rig();
    void r.send(adu('01 0F 00 03 00 0A 02 CD 01'));
    await r.settle();
    void r.send(adu('01 01 00 03 00 0A'));
    await r.settle();
    void r.send(adu('01 03 00 63 00 02')); // 99..100: beyond the device
    await r.settle();
    void r.send(adu('01 41 00')); // unknown function, framed by gap + CRC
    await r.settle();
    expect(r.replies.map((f) => bytes(f.adu))).toEqual([
      bytes(adu('01 0F 00 03 00 0A')),
      bytes(adu('01 01 02 CD 01')),
      bytes(adu('01 83 02')),
      bytes(adu('01 C1 01')),
    ]);
  });

  it('drops garbage and bad CRCs (counted by reason), then answers valid requests', async () => {
    const r = rig();
    const bad = adu('01 03 00 00 00 01');
    bad[7]! ^= 1;
    void r.send(hex('FF FF 00'));
    await r.settle(5);
    void r.send(bad);
    await r.settle(5);
    void r.send(adu('01 03 00 00 00 01'));
    await r.settle();
    expect(r.replies.map((f) => bytes(f.adu))).toEqual([bytes(adu('01 03 02 03 E8'))]);
    expect(r.server.framerStats.drops).toMatchObject({ garbage: 1, 'bad-crc': 1 });
  });

  it('rate-limits the log of a noisy line (20 lines per 10 s), counting every drop and summarizing what it held back', async () => {
    const lines: string[] = [];
    const r = rig([1], (l) => lines.push(l));
    const bad = adu('01 03 00 00 00 01');
    bad[7]! ^= 1;
    for (let i = 0; i < 200; i++) {
      void r.send(bad);
      await r.settle(10);
    }
    expect(r.server.framerStats.drops['bad-crc']).toBe(200);
    expect(lines.filter((l) => l.includes('bad-crc'))).toHaveLength(20);
    expect(lines[20]).toBe(`modbus rtu ${r.server.link.path}: more than 20 events in 10 s; counting, not logging them`);
    expect(lines).toHaveLength(21);
    await r.settle(10_000); // a new window: the next drop is logged after a line counting the held-back ones
    void r.send(bad);
    await r.settle(10);
    expect(lines.slice(21)).toEqual([
      `modbus rtu ${r.server.link.path}: 180 more events not logged (over 20 per 10 s)`,
      expect.stringContaining('bad-crc'),
    ]);
  });

  it('accepts a request that arrives one byte at a time with pauses inside', async () => {
    const r = rig();
    r.master.setManipulator((b) => [...b].map((x) => Uint8Array.of(x)));
    const req = adu('01 06 00 07 AB CD');
    for (const x of req) {
      void r.send(Uint8Array.of(x));
      await r.clock.advanceAsync(0.4); // under t1.5 at 19200 baud
    }
    await r.settle();
    expect(r.replies.map((f) => bytes(f.adu))).toEqual([bytes(req)]);
    expect(r.devices[0]!.holding[7]).toBe(0xabcd);
  });

  it('serves requests that queue up back to back, in order', async () => {
    const r = rig();
    void r.send(new Uint8Array([...adu('01 03 00 00 00 01'), ...adu('02 03 00 00 00 01')]));
    await r.settle();
    expect(r.replies.map((f) => f.unitId)).toEqual([1, 2]);
  });

  describe('ADU faults from the plan', () => {
    it('bad CRC: the master drops the reply as bad-crc', async () => {
      const r = rig();
      r.core.faults.add({ fault: { kind: 'bad-crc' }, remaining: 1 });
      void r.send(adu('01 03 00 00 00 01'));
      await r.settle();
      expect(r.replies).toEqual([]);
      expect(r.masterFramer.stats.drops['bad-crc']).toBe(1);
    });

    it('truncate: only the first N bytes go out', async () => {
      const r = rig();
      r.core.faults.add({ fault: { kind: 'truncate', bytes: 3 }, remaining: 1 });
      void r.send(adu('01 03 00 00 00 01'));
      await r.settle();
      expect(r.chunks.map((c) => c.bytes)).toEqual([bytes(adu('01 03 02 03 E8').subarray(0, 3))]);
    });

    it('split: the reply comes in pieces with the gaps asked for, and still frames by content', async () => {
      const r = rig();
      r.core.faults.add({ fault: { kind: 'split', chunks: 3, gapMs: 10 }, remaining: 1 });
      void r.send(adu('01 03 00 00 00 02'));
      await r.settle();
      expect(r.chunks.length).toBe(3);
      expect(r.chunks.flatMap((c) => c.bytes)).toEqual(bytes(adu('01 03 04 03 E8 03 E9')));
      for (let i = 1; i < 3; i++) {
        const silence = r.chunks[i]!.at - wireTimeMs(r.chunks[i]!.bytes.length, BAUD) - r.chunks[i - 1]!.at;
        expect(silence).toBeCloseTo(10, 6);
      }
      expect(r.replies.length).toBe(1);
    });

    it('wrong unit id, delay and no-response', async () => {
      const r = rig();
      r.core.faults.add({ fault: { kind: 'wrong-unit-id' }, remaining: 1 });
      void r.send(adu('01 03 00 00 00 01'));
      await r.settle();
      expect(r.replies.map((f) => f.unitId)).toEqual([2]);

      r.core.faults.add({ fault: { kind: 'delay', ms: 50 }, remaining: 1 });
      const t0 = r.clock.now();
      void r.send(adu('01 03 00 00 00 01'));
      await r.settle();
      const reply = r.replies[1]!;
      const start = reply.at - wireTimeMs(reply.adu.length, BAUD);
      expect(start - (t0 + wireTimeMs(8, BAUD))).toBeCloseTo(t35Ms(BAUD) + 50, 6);

      r.core.faults.add({ fault: { kind: 'no-response' }, remaining: 1 });
      void r.send(adu('01 06 00 00 00 09'));
      await r.settle();
      expect(r.replies.length).toBe(2);
      expect(r.devices[0]!.holding[0]).toBe(1000); // not executed
    });
  });

  it('close cancels a pending reply, closes the line and is idempotent', async () => {
    const r = rig();
    r.core.faults.add({ fault: { kind: 'delay', ms: 100 }, remaining: 1 });
    void r.send(adu('01 03 00 00 00 01'));
    await r.clock.advanceAsync(20);
    await r.server.close();
    await r.server.close();
    await r.settle();
    expect(r.chunks).toEqual([]);
    expect(r.server.link.closed).toBe(true);
    await expect(r.server.closed).resolves.toBeUndefined();
  });
});

/** Allocate garbage until the young generation is more than half full (a scavenge may come in between: go on). */
function fillYoungGeneration(): void {
  const engine = v8Engine()!;
  let junk: Array<{ i: number }> = [];
  for (let round = 0; round < 10_000; round++) {
    const { used, available } = engine.usage();
    if (used > (used + available) / 2) return;
    junk = [];
    for (let i = 0; i < 1000; i++) junk.push({ i });
  }
  throw new Error(`the young generation never got half full (${junk.length})`);
}

/** A link that hands chunks in by hand and records each write with the clock time it was made at. */
class RecordingLink implements RtuLink {
  readonly path = 'recording';
  readonly baudRate = 115200;
  readonly bitsPerChar = 10;
  closed = false;
  readonly writes: Array<{ at: number; bytes: number[] }> = [];
  private listener: ((chunk: Uint8Array) => void) | undefined;
  constructor(private readonly clock: VirtualClock) {}
  onData(listener: (chunk: Uint8Array) => void): void {
    this.listener = listener;
  }
  onClose(): void {}
  receive(bytes: Uint8Array): void {
    this.listener?.(bytes);
  }
  write(bytes: Uint8Array): Promise<void> {
    this.writes.push({ at: this.clock.now(), bytes: [...bytes] });
    return Promise.resolve();
  }
  drain(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

describe('ModbusRtuServer reply timing on a fast line (115200 baud: t3.5 is 1.75 ms)', () => {
  function fastRig(
    replyGapMs?: number,
    extra: Partial<RtuServerOptions> = {},
  ): { clock: VirtualClock; core: ModbusServerCore; link: RecordingLink; server: ModbusRtuServer } {
    const clock = new VirtualClock(0);
    const core = new ModbusServerCore({ clock });
    core.addUnit(1, new SmallDevice(1));
    const link = new RecordingLink(clock);
    const server = new ModbusRtuServer({ core, link, ...(replyGapMs === undefined ? {} : { replyGapMs }), ...extra });
    return { clock, core, link, server };
  }

  it('builds each prompt reply afresh (one buffer reused, the link copies): replies of different lengths stay right', async () => {
    const { link, server } = fastRig(0);
    link.receive(adu('01 03 00 00 00 02'));
    link.receive(adu('01 03 00 05 00 01'));
    link.receive(adu('01 03 00 63 00 02')); // beyond the map: an exception reply
    expect(link.writes.map((w) => w.bytes)).toEqual([
      bytes(adu('01 03 04 03 E8 03 E9')),
      bytes(adu('01 03 02 03 ED')),
      bytes(adu('01 83 02')),
    ]);
    await server.close();
  });

  it('scavenges right after a reply when asked to (idleGc), and not after a frame for another unit', async () => {
    // freeFraction 0.9 (its cap): scavenge whenever more than a tenth of the young generation is in use, which the
    // young generation filled to half makes sure of. 115200 baud: the reply's wire time + t3.5 (3.9 ms) is the idle time.
    const { link, server } = fastRig(0, { idleGc: { freeFraction: 0.9, probeEveryMs: 0 } });
    fillYoungGeneration();
    link.receive(adu('07 03 00 00 00 01')); // another unit's request: no reply, no idle point
    expect(server.idleGcStats).toMatchObject({ idlePoints: 0, collections: 0 });
    link.receive(adu('01 03 00 00 00 01'));
    expect(link.writes).toHaveLength(1);
    expect(server.idleGcStats).toMatchObject({ idlePoints: 1, collections: 1 });
    await server.close();
  });

  it('with the t3.5 gap, the idle point comes after the delayed reply, not before it', async () => {
    const { clock, link, server } = fastRig(undefined, { idleGc: { freeFraction: 0.9, probeEveryMs: 0 } });
    fillYoungGeneration();
    link.receive(adu('01 03 00 00 00 01'));
    expect(server.idleGcStats).toMatchObject({ idlePoints: 0 });
    await clock.advanceAsync(t35Ms(115200));
    expect(link.writes).toHaveLength(1);
    expect(server.idleGcStats).toMatchObject({ idlePoints: 1, collections: 1 });
    await server.close();
  });

  it('leaves GC to V8 by default on a virtual clock', async () => {
    const { link, server } = fastRig(0);
    link.receive(adu('01 03 00 00 00 01'));
    expect(server.idleGcStats).toBeUndefined();
    await server.close();
  });

  it('with no gap, hands the reply to the link in the same turn as the request, with no timer', async () => {
    const { clock, link, server } = fastRig(0);
    link.receive(adu('01 03 00 00 00 01'));
    expect(link.writes).toEqual([{ at: 0, bytes: bytes(adu('01 03 02 03 E8')) }]);
    expect(clock.pending).toBe(0);
    await Promise.resolve();
    expect(server.stats).toMatchObject({ requests: 1, replies: 1, txBytes: 7 });
    await server.close();
  });

  it('keeps the t3.5 silence by default: nothing at 1.74 ms after the request, the reply at 1.75 ms', async () => {
    const { clock, link, server } = fastRig();
    clock.advance(10);
    link.receive(adu('01 03 00 00 00 01'));
    expect(link.writes).toEqual([]);
    await clock.advanceAsync(1.74);
    expect(link.writes).toEqual([]);
    await clock.advanceAsync(0.01);
    expect(link.writes.map((w) => w.at)).toEqual([10 + t35Ms(115200)]);
    await server.close();
    expect(clock.pending).toBe(0);
  });

  it('never sends a reply ahead of one still waiting (a delayed reply, then a prompt one)', async () => {
    const { clock, core, link, server } = fastRig(0);
    core.faults.add({ fault: { kind: 'delay', ms: 50 }, remaining: 1 });
    link.receive(adu('01 03 00 00 00 01'));
    link.receive(adu('01 03 00 01 00 01'));
    expect(link.writes).toEqual([]);
    await clock.advanceAsync(50);
    expect(link.writes).toEqual([
      { at: 50, bytes: bytes(adu('01 03 02 03 E8')) },
      { at: 50, bytes: bytes(adu('01 03 02 03 E9')) },
    ]);
    // The queue is empty again: the next reply goes out at once.
    link.receive(adu('01 03 00 02 00 01'));
    expect(link.writes.map((w) => w.bytes)).toContainEqual(bytes(adu('01 03 02 03 EA')));
    await server.close();
  });
});

describe('applyAduFaults', () => {
  it('leaves a clean reply alone, and truncate 0 sends nothing', () => {
    expect(applyAduFaults(hex('01 83 02'), []).map((p) => bytes(p.bytes))).toEqual([bytes(adu('01 83 02'))]);
    expect(applyAduFaults(hex('01 83 02'), [{ kind: 'truncate', bytes: 0 }]).map((p) => p.bytes.length)).toEqual([0]);
  });
  it('never gives the request unit id back for wrong-unit-id', () => {
    for (let u = 1; u <= 247; u++) {
      const [p] = applyAduFaults(Uint8Array.of(u, 0x83, 2), [{ kind: 'wrong-unit-id' }]);
      expect(p!.bytes[0]).not.toBe(u);
      expect(p!.bytes[0]).toBeGreaterThanOrEqual(1);
      expect(p!.bytes[0]).toBeLessThanOrEqual(247);
    }
  });
});
