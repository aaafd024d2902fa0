import { appendCrc } from './crc';
import { RtuFramer, type RtuDropReason, type RtuFrame } from './rtu-framer';
import { t35Ms } from '../rtu/rtu-timing';

const hex = (s: string): Uint8Array => Uint8Array.from(s.trim().split(/\s+/).map((x) => parseInt(x, 16)));
const adu = (s: string): Uint8Array => appendCrc(hex(s));
const BAUD = 9600;
const GAP = t35Ms(BAUD) + 1; // comfortably more than t3.5

/** Requests of every layout the framer knows, each a valid ADU. */
const REQUESTS = [
  adu('01 03 00 00 00 0A'), // read holding
  adu('02 01 00 13 00 25'), // read coils
  adu('03 05 00 AC FF 00'), // write single coil
  adu('04 06 00 01 00 03'), // write single register
  adu('05 0F 00 13 00 0A 02 CD 01'), // write multiple coils: count 2
  adu('06 10 00 01 00 02 04 00 0A 01 02'), // write multiple registers: count 4
  adu('07 17 00 03 00 06 00 0E 00 03 06 00 FF 00 FF 00 FF'), // read/write multiple: count 6
  adu('08 2B 0E 01 00'), // read device identification
  adu('09 07'), // read exception status
  adu('00 10 00 00 00 01 02 12 34'), // broadcast write
];

/** Feeds chunks with explicit arrival times; collects frames and drops. */
function harness(kind: 'request' | 'response' = 'request') {
  const drops: Array<{ reason: RtuDropReason; bytes: number[] }> = [];
  const framer = new RtuFramer({ kind, baudRate: BAUD, onDrop: (reason, bytes) => drops.push({ reason, bytes: [...bytes] }) });
  const frames: RtuFrame[] = [];
  let now = 1000;
  return {
    framer,
    frames,
    drops,
    /** Bytes arriving back to back after `gapMs` of silence (not announced: the framer must infer it). */
    push(bytes: Uint8Array, gapMs = 0): void {
      now += gapMs + (bytes.length * 11 * 1000) / BAUD;
      frames.push(...framer.push(bytes, now));
    },
    /** The owner's t3.5 timer fires. */
    silence(): void {
      now += t35Ms(BAUD);
      frames.push(...framer.silence(now));
    },
  };
}

describe('RtuFramer (requests)', () => {
  it('finds every known request layout by content, whole and byte by byte', () => {
    const h = harness();
    for (const r of REQUESTS) h.push(r, GAP);
    const b = harness();
    for (const r of REQUESTS) for (const byte of r) b.push(Uint8Array.of(byte));
    for (const out of [h, b]) {
      expect(out.frames.map((f) => [...f.adu])).toEqual(REQUESTS.map((r) => [...r]));
      expect(out.drops).toEqual([]);
      expect(out.framer.pending).toBe(0);
    }
    expect(h.frames[5]!.unitId).toBe(6);
    expect([...h.frames[5]!.pdu]).toEqual([...hex('10 00 01 00 02 04 00 0A 01 02')]);
  });

  it('splits frames sent back to back in one chunk with no gap', () => {
    const h = harness();
    const all = new Uint8Array(REQUESTS.reduce((n, r) => n + r.length, 0));
    let o = 0;
    for (const r of REQUESTS) all.set(r, (o += r.length) - r.length);
    h.push(all);
    expect(h.frames.length).toBe(REQUESTS.length);
    expect(h.framer.stats.frames).toBe(REQUESTS.length);
  });

  it('slides past leading garbage and counts it as one drop', () => {
    const h = harness();
    h.push(hex('FF FE 00 FA'), GAP); // unit ids > 247, fc 0
    h.push(REQUESTS[0]!);
    expect(h.frames.map((f) => f.unitId)).toEqual([1]);
    expect(h.drops).toEqual([{ reason: 'garbage', bytes: [0xff, 0xfe, 0x00, 0xfa] }]);
    expect(h.framer.stats.drops.garbage).toBe(1);
    expect(h.framer.stats.droppedBytes).toBe(4);
  });

  it('drops a frame with a bad CRC and recovers at the next frame', () => {
    const h = harness();
    const bad = REQUESTS[0]!.slice();
    bad[7]! ^= 0x40;
    h.push(bad, GAP);
    h.silence();
    h.push(REQUESTS[3]!, GAP);
    expect(h.frames.map((f) => f.unitId)).toEqual([4]);
    expect(h.framer.stats.drops).toEqual({ 'bad-crc': 1, garbage: 0, truncated: 0, 'too-long': 0 });
    expect(h.drops[0]!.bytes).toEqual([...bad]);
  });

  it('drops a truncated frame once the next frame starts after a silence', () => {
    const h = harness();
    h.push(REQUESTS[5]!.subarray(0, 9), GAP); // write multiple registers, cut 4 bytes short
    h.silence();
    expect(h.frames).toEqual([]);
    h.push(REQUESTS[0]!, GAP);
    expect(h.frames.map((f) => f.unitId)).toEqual([1]);
    expect(h.framer.stats.drops.truncated).toBe(1);
    expect(h.drops[0]!.bytes).toEqual([...REQUESTS[5]!.subarray(0, 9)]);
  });

  it('does not trust the gap alone: a valid frame delivered in pieces with silences inside is accepted', () => {
    const h = harness();
    const r = REQUESTS[6]!;
    h.push(r.subarray(0, 3), GAP);
    h.silence();
    h.push(r.subarray(3, 12), 5);
    h.silence();
    h.push(r.subarray(12), 5);
    expect(h.frames).toEqual([]); // complete and valid, but was it cut short and completed by a new frame?
    h.silence(); // no: the line went quiet after it
    expect(h.frames.map((f) => [...f.adu])).toEqual([[...r]]);
    expect(h.drops).toEqual([]);
  });

  it('does not take a frame cut one byte short plus the next frame\'s 0x00 for a frame', () => {
    // CRC(m + crc_lo(m)) == crc_hi(m): "03 2B 0E 01 B5 C8" + "00" checks out as a 7-byte 43/14 request.
    const h = harness();
    const cut = adu('03 2B 0E 01'); // 43/14 needs one byte more (the object id)
    const broadcast = adu('00 06 00 01 00 03');
    h.push(cut, GAP);
    h.silence();
    h.push(broadcast, GAP);
    expect(h.frames.map((f) => [...f.adu])).toEqual([[...broadcast]]);
    expect(h.framer.stats.drops.truncated).toBe(1);
    // The same when the next frame trickles in byte by byte.
    const b = harness();
    b.push(cut, GAP);
    b.silence();
    b.push(broadcast.subarray(0, 1), GAP);
    for (const x of broadcast.subarray(1)) b.push(Uint8Array.of(x));
    b.silence();
    expect(b.frames.map((f) => [...f.adu])).toEqual([[...broadcast]]);
  });

  it('finds a frame glued to garbage that claims a long length, at the silence', () => {
    const h = harness();
    // "01 10 ... count F0" claims a 249-byte frame; the real request follows with no gap.
    const glued = new Uint8Array([...hex('01 10 00 00 00 78 F0'), ...REQUESTS[0]!]);
    h.push(glued, GAP);
    expect(h.frames).toEqual([]); // content says: wait for 249 bytes
    h.silence(); // the silence says the frame ended: look for a valid frame inside
    expect(h.frames.map((f) => [...f.adu])).toEqual([[...REQUESTS[0]!]]);
    expect(h.framer.stats.drops.truncated).toBe(1);
  });

  it('frames unknown function codes by the gap and the CRC', () => {
    const h = harness();
    const odd = adu('11 41 01 02 03 04 05');
    h.push(odd, GAP);
    expect(h.frames).toEqual([]); // no layout for 0x41: only the silence can end it
    h.silence();
    expect(h.frames.map((f) => [...f.adu])).toEqual([[...odd]]);
    // Followed directly by a known frame after a gap: the mark delimits it too.
    h.push(odd, GAP);
    h.push(REQUESTS[1]!, GAP);
    expect(h.frames.map((f) => f.unitId)).toEqual([0x11, 0x11, 2]);
    // Unknown function with a wrong CRC: dropped, nothing emitted.
    const bad = odd.slice();
    bad[3]! ^= 1;
    h.push(bad, GAP);
    h.silence();
    expect(h.frames.length).toBe(3);
    expect(h.framer.pending).toBe(0);
    expect(h.framer.stats.drops.garbage).toBe(1);
  });

  it('drops a byte count that makes the frame longer than 256 bytes', () => {
    const h = harness();
    const long = adu(`01 10 00 00 00 7D FA ${'00 '.repeat(250)}`);
    h.push(long, GAP);
    h.silence();
    h.push(REQUESTS[0]!, GAP);
    expect(h.frames.map((f) => f.unitId)).toEqual([1]);
    expect(h.framer.stats.drops['too-long']).toBe(1);
  });

  it('ignores the top-bit function codes in requests (responses from other drops) and recovers', () => {
    const h = harness();
    h.push(adu('05 83 02'), GAP); // another server's exception reply on the shared line
    h.push(REQUESTS[0]!, GAP);
    expect(h.frames.map((f) => f.unitId)).toEqual([1]);
    expect(h.framer.pending).toBe(0);
  });

  it('accounts for every byte: frames + dropped + pending = received, on seeded random traffic', () => {
    let seed = 7;
    const rnd = (n: number): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n);
    const h = harness();
    const sent: number[][] = [];
    for (let i = 0; i < 2000; i++) {
      if (rnd(3) === 0) {
        h.push(Uint8Array.from({ length: 1 + rnd(40) }, () => rnd(256)), GAP);
        h.silence();
      }
      const r = REQUESTS[rnd(REQUESTS.length)]!;
      sent.push([...r]);
      h.push(r, GAP);
      if (rnd(2) === 0) h.silence();
    }
    h.silence();
    const s = h.framer.stats;
    const frameBytes = h.frames.reduce((n, f) => n + f.adu.length, 0);
    expect(frameBytes + s.droppedBytes + h.framer.pending).toBe(s.bytes);
    // Every valid frame sent after a silence is recovered, in order (random garbage may add a rare extra frame).
    const got = h.frames.map((f) => [...f.adu]);
    let j = 0;
    for (const f of got) if (j < sent.length && f.length === sent[j]!.length && f.every((b, k) => b === sent[j]![k])) j++;
    expect(j).toBe(sent.length);
    expect(got.length - sent.length).toBeLessThan(5);
  });
});

describe('RtuFramer (responses)', () => {
  it('finds responses, exception responses and device identification', () => {
    const h = harness('response');
    const responses = [
      adu('01 03 04 00 0A 00 0B'),
      adu('01 83 02'),
      adu('01 10 00 01 00 02'),
      adu('01 01 01 05'),
      adu('01 2B 0E 01 01 00 00 02 00 03 41 42 43 01 02 58 59'),
    ];
    for (const r of responses) for (const byte of r) h.push(Uint8Array.of(byte));
    expect(h.frames.map((f) => [...f.adu])).toEqual(responses.map((r) => [...r]));
  });

  it('reports when the silence is due, and nothing when idle', () => {
    const f = new RtuFramer({ kind: 'response', baudRate: 115200 });
    expect(f.silenceDueAt).toBeUndefined();
    f.push(hex('01 03'), 50);
    expect(f.silenceDueAt).toBeCloseTo(51.75);
    f.silence(52);
    expect(f.silenceDueAt).toBeUndefined();
  });
});

describe('RtuFramer (floods)', () => {
  it('keeps memory bounded under a garbage flood with no silence, and counts every byte', () => {
    const seen: Array<[string, number, number]> = [];
    const f = new RtuFramer({ kind: 'request', baudRate: 115200, onDrop: (r, first, n) => seen.push([r, first.length, n]) });
    const junk = new Uint8Array(1000).fill(0xff); // unit 255: never a frame start
    for (let i = 0; i < 100; i++) f.push(junk, i * 0.01); // back to back: no silence
    expect(f.pending).toBe(100_000); // one open run, not yet closed
    f.silence(10);
    expect(seen).toEqual([['garbage', 256, 100_000]]);
    expect(f.stats.droppedBytes).toBe(100_000);
  });
});
