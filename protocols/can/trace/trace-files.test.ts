import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { ByteBudget } from '../../../core/budget/byte-budget';
import { BudgetExhaustedError } from '../../../core/budget/budgeted-stream';
import { RECORD_CHUNK_BYTES, RECORD_SLOT_BYTES, RECORD_SLOTS } from '../../../core/budget/record-stream';
import { ClosedError, ConfigError } from '../../../core/errors';
import { makeFrame, type CanFrame } from '../frame';
import { formatCandumpLine } from './candump-format';
import { loadTrace, openTraceWriter, pcapRecord, readCandumpStream, readTrace, type BadRecord } from './index';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-trace-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const sample: CanFrame[] = [
  { ...makeFrame(0x351, [0x14, 0x02, 0x74, 0x0e]), timestamp: 1700000000000, channel: 'can0' },
  { ...makeFrame(0x4210, [1, 2, 3, 4, 5, 6, 7, 8], { extended: true }), timestamp: 1700000000010.5, channel: 'can0' },
  { ...makeFrame(0x7ff, [], { rtr: true, dlc: 2 }), timestamp: 1700000000020.001, channel: 'can0' },
  { ...makeFrame(0x12, [], { extended: true }), timestamp: 1700000001000, channel: 'can0' },
  { ...makeFrame(0x4, [0, 4, 0, 0, 0, 0, 0, 0], { error: true }), timestamp: 1700000002000, channel: 'can0' },
];

async function writeAll(path: string, frames: CanFrame[]): Promise<void> {
  const w = await openTraceWriter(path);
  for (const f of frames) w.write(f);
  expect(w.count).toBe(frames.length);
  await w.close();
}

/** pcap keeps no channel; compare what each format carries. */
function comparable(f: CanFrame, withChannel: boolean): unknown {
  const { channel, timestamp, ...rest } = f;
  return { ...rest, timestamp: Math.round(timestamp! * 1000), ...(withChannel ? { channel } : {}) };
}

describe('trace files', () => {
  it.each([['run.log', true], ['run.pcap', false]])('%s round-trips frames and microsecond timestamps', async (name, withChannel) => {
    const path = join(dir, name);
    await writeAll(path, sample);
    const { frames, stats } = await loadTrace(path);
    expect(stats).toEqual({ frames: sample.length, bad: 0, badSamples: [] });
    expect(frames.map((f) => comparable(f, withChannel))).toEqual(sample.map((f) => comparable(f, withChannel)));
  });

  it('writes candump lines a person can read', async () => {
    const path = join(dir, 'lines.log');
    await writeAll(path, sample.slice(0, 3));
    expect(readFileSync(path, 'utf8')).toBe(
      '(1700000000.000000) can0 351#1402740E\n(1700000000.010500) can0 00004210#0102030405060708\n(1700000000.020001) can0 7FF#R2\n',
    );
  });

  it('writes the pcap global header with link type 227 and SocketCAN records', async () => {
    const path = join(dir, 'one.pcap');
    await writeAll(path, [{ ...makeFrame(0x4210, [0xaa], { extended: true }), timestamp: 1500.25 }]);
    const b = readFileSync(path);
    expect(b.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(b.readUInt32LE(20)).toBe(227);
    // record header: 1 s, 500250 us, 16 bytes captured and on the wire
    expect([b.readUInt32LE(24), b.readUInt32LE(28), b.readUInt32LE(32), b.readUInt32LE(36)]).toEqual([1, 500250, 16, 16]);
    // can_id big-endian with the EFF flag, length 1, then the data padded to 8 bytes
    expect(b.subarray(40).toString('hex')).toBe('80004210' + '01000000' + 'aa00000000000000');
  });

  it('counts bad candump lines with their line numbers and keeps reading', async () => {
    const path = join(dir, 'bad.log');
    writeFileSync(path, ['(1.000000) can0 123#11', 'garbage', '', '(2.000000) can0 123#1', '(3.000000) can0 456#22'].join('\n'));
    const seen: BadRecord[] = [];
    const { frames, stats } = await loadTrace(path, { onBad: (b) => seen.push(b) });
    expect(frames.map((f) => f.id)).toEqual([0x123, 0x456]);
    expect(stats.bad).toBe(2);
    expect(stats.badSamples.map((b) => b.where)).toEqual(['line 2', 'line 4']);
    expect(seen[1]).toEqual({ where: 'line 4', reason: "data '1' is not pairs of hex digits", text: '(2.000000) can0 123#1' });
  });

  it('writes comment lines into candump logs (not into pcap) and reads past them without counting them bad', async () => {
    const path = join(dir, 'commented.log');
    const w = await openTraceWriter(path);
    w.comment('hil trace of bus x');
    w.write(sample[0]!);
    w.comment('hil t=0\r\nscenario a');
    w.write(sample[1]!);
    await w.close();
    const text = readFileSync(path, 'utf8');
    expect(text.split('\n')[0]).toBe('# hil trace of bus x');
    expect(text.split('\n')[2]).toBe('# hil t=0 scenario a');
    const { frames, stats } = await loadTrace(path);
    expect(frames).toHaveLength(2);
    expect(stats.bad).toBe(0);
    const pcap = await openTraceWriter(join(dir, 'commented.pcap'));
    pcap.comment('ignored');
    pcap.write(sample[0]!);
    await pcap.close();
    expect((await loadTrace(join(dir, 'commented.pcap'))).frames).toHaveLength(1);
    expect(() => w.comment('late')).toThrow(ClosedError);
  });

  it('reads candump from any text stream (stdin)', async () => {
    const reader = readCandumpStream(Readable.from(['(1.0) can0 123#01\n(2.0) vcan0 1', '23#02\n']));
    const frames: CanFrame[] = [];
    for await (const f of reader) frames.push(f);
    expect(frames.map((f) => [f.channel, f.data[0]])).toEqual([['can0', 1], ['vcan0', 2]]);
  });

  it('counts a truncated last pcap record and a record too short for its length byte', async () => {
    const path = join(dir, 'cut.pcap');
    await writeAll(path, sample.slice(0, 2));
    const good = readFileSync(path);
    const bad = Buffer.from(pcapRecord(makeFrame(0x1, [1, 2])));
    bad[16 + 4] = 12; // claims 12 data bytes in a 16-byte classic frame
    writeFileSync(path, Buffer.concat([good, bad, good.subarray(24, 24 + 20)]));
    const { frames, stats } = await loadTrace(path);
    expect(frames).toHaveLength(2);
    expect(stats.bad).toBe(2);
    expect(stats.badSamples[0]!.reason).toBe('length byte 12 exceeds the 8 data bytes captured');
    expect(stats.badSamples[1]!.reason).toBe('truncated: 20 bytes left at the end');
  });

  it('rejects a pcap of another link type with a ConfigError naming the file', async () => {
    const path = join(dir, 'eth.pcap');
    await writeAll(path, []);
    const b = readFileSync(path);
    b.writeUInt32LE(1, 20);
    writeFileSync(path, b);
    await expect(loadTrace(path)).rejects.toThrow(new ConfigError('link type 1 is not SocketCAN (227)', path));
  });

  it('refuses an unknown extension, a missing directory and writes after close', async () => {
    await expect(openTraceWriter(join(dir, 'x.bin'))).rejects.toThrow(/use \.log \(candump\) or \.pcap/);
    await expect(openTraceWriter(join(dir, 'nope', 'x.log'))).rejects.toBeInstanceOf(ConfigError);
    await expect(readTrace(join(dir, 'missing.log'))).rejects.toThrow(/cannot read trace/);
    const w = await openTraceWriter(join(dir, 'closed.log'));
    await w.close();
    await w.close();
    expect(() => w.write(sample[0]!)).toThrow(ClosedError);
  });
});

describe('gzip traces and the evidence budget', () => {
  it('writes .log.gz and .pcap.gz as standard gzip streams that read back frame for frame', async () => {
    for (const name of ['gz.log.gz', 'gz.pcap.gz']) {
      const path = join(dir, name);
      await writeAll(path, sample);
      const raw = readFileSync(path);
      expect([raw[0], raw[1]]).toEqual([0x1f, 0x8b]);
      expect(gunzipSync(raw).length).toBeGreaterThan(0); // one complete gzip member: zcat reads it
      const { frames } = await loadTrace(path);
      expect(frames.map((f) => f.id)).toEqual(sample.map((f) => f.id));
    }
    const plain = join(dir, 'plain-ref.log');
    await writeAll(plain, sample);
    expect(gunzipSync(readFileSync(join(dir, 'gz.log.gz'))).toString()).toBe(readFileSync(plain, 'utf8'));
  });

  it('stops writing once the shared budget is spent, with BudgetExhaustedError, and leaves a complete file', async () => {
    const exhausted: number[] = [];
    const budget = new ByteBudget(100_000, (used) => exhausted.push(used));
    const path = join(dir, 'budget.log');
    const w = await openTraceWriter(path, { budget });
    let error: unknown;
    let n = 0;
    try {
      for (; n < 200_000; n++) w.write({ ...sample[0]!, timestamp: 1700000000000 + n });
    } catch (err) {
      error = err;
    }
    await w.close();
    expect(error).toBeInstanceOf(BudgetExhaustedError);
    expect(exhausted).toHaveLength(1);
    expect(n).toBeLessThan(200_000);
    const size = readFileSync(path).length;
    expect(size).toBeGreaterThanOrEqual(100_000);
    // The compression worker formats and writes (plain files too) and the writer hears of the bytes written when it
    // hands over a batch: over the budget by at most one 256 kB chunk and the RECORD_SLOTS batches of records in flight.
    const line = Buffer.byteLength(`${formatCandumpLine({ ...sample[0]!, timestamp: 1700000000000 }, 'can0')}\n`);
    const batchText = Math.floor(RECORD_SLOT_BYTES / (16 + ((sample[0]!.data.length + 7) & ~7))) * line;
    expect(size).toBeLessThan(100_000 + RECORD_CHUNK_BYTES + RECORD_SLOTS * batchText);
    const { frames, stats } = await loadTrace(path);
    expect(frames).toHaveLength(n);
    expect(stats.bad).toBe(0);
  });
});

describe('encodeCandumpLine', () => {
  it('writes exactly the line formatCandumpLine gives, for every classic data frame shape', async () => {
    const { encodeCandumpLine, formatCandumpLine, isPlainClassic } = await import('./candump-format');
    const frames: CanFrame[] = [
      ...sample.filter(isPlainClassic),
      { ...makeFrame(0x7ff, [0xff, 0, 0xa5]), timestamp: 1767225600000.25 },
      { ...makeFrame(0x1fffffff, [1, 2, 3, 4, 5, 6, 7, 8], { extended: true }), timestamp: 0, channel: 'pack16' },
      { ...makeFrame(0x1, []), timestamp: 1767225600999.999 },
    ];
    for (const f of frames) {
      const buf = Buffer.alloc(100);
      const end = encodeCandumpLine(buf, 3, f, 'busX');
      expect(buf.subarray(3, end).toString('latin1')).toBe(`${formatCandumpLine(f, 'busX')}\n`);
    }
  });
});

describe('long gzip traces', () => {
  it('are a series of gzip members (one per chunk) that gunzip, zcat and readTrace read as one stream', async () => {
    const path = join(dir, 'long.log.gz');
    const w = await openTraceWriter(path);
    const n = 20_000; // about 700 kB of candump text: three chunks
    for (let i = 0; i < n; i++) w.write({ ...makeFrame(0x351, [i & 0xff, i >> 8, 0, 0]), timestamp: 1767225600000 + i, channel: 'pack1' });
    await w.close();
    expect(gunzipSync(readFileSync(path)).toString().split('\n')).toHaveLength(n + 1);
    const { frames, stats } = await loadTrace(path);
    expect(frames).toHaveLength(n);
    expect(stats.bad).toBe(0);
    expect(frames[n - 1]!.data[0]).toBe((n - 1) & 0xff);
    const { spawnSync } = await import('node:child_process');
    const zcat = spawnSync('zcat', [path], { encoding: 'utf8', maxBuffer: 10e6 });
    if (zcat.error) return console.warn('skipped the zcat check: zcat (gzip) is not installed');
    expect(zcat.stdout.split('\n')).toHaveLength(n + 1);
  });
});
