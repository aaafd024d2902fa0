import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { OperationError } from '../errors';
import { ByteBudget } from './byte-budget';
import { BudgetExhaustedError } from './budgeted-stream';
import { openRecordStream, RECORD_SLOT_BYTES, type RecordFormatter } from './record-stream';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-record-stream-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A test format: a 16-byte record, [0..3] a number written as 4 decimal digits on a line, [4] = 1 fails the formatter
 * ('boom'), [12] = 0 (raw records have 0x80 there, copied as they are). Written as source text, as the worker gets
 * it, so that no coverage instrumentation ever puts free names into it.
 */
const digitsFormatter = new Function(
  'prefix',
  `return (u8, _f64, u32, start, end, out) => {
    let o = start;
    while (o < end) {
      if (u8[o + 12] === 0x80) {
        const n = u32[(o >> 2) + 2];
        out.room(n);
        out.buf.set(u8.subarray(o + 16, o + 16 + n), out.len);
        out.len += n;
        o += 16 + ((n + 7) & ~7);
        continue;
      }
      if (u8[o + 4] === 1) throw new Error('boom');
      const line = prefix + String(u32[o >> 2]).padStart(4, '0') + '\\n';
      out.room(line.length);
      for (let i = 0; i < line.length; i++) out.buf[out.len++] = line.charCodeAt(i);
      o += 16;
    }
  };`,
) as (prefix: string) => RecordFormatter;
const transform = { factory: digitsFormatter, params: 'n=' };

function put(s: ReturnType<typeof openRecordStream>, n: number, fail = false): void {
  const o = s.reserve(16);
  s.u32[o >> 2] = n;
  s.u8[o + 4] = fail ? 1 : 0;
  s.u8[o + 12] = 0;
}

describe('RecordStream', () => {
  it('formats records the same in the worker (.gz) and inline (plain), raw bytes in order, also ones larger than a batch', async () => {
    const big = Buffer.alloc(RECORD_SLOT_BYTES + 100, 0x61);
    const texts: string[] = [];
    for (const name of ['a.txt', 'a.txt.gz']) {
      const s = openRecordStream(join(dir, name), transform);
      s.writeRaw(Buffer.from('head\n'));
      for (let i = 0; i < 100_000; i++) put(s, i % 10_000);
      s.writeRaw(big);
      put(s, 42);
      await s.close();
      const raw = readFileSync(join(dir, name));
      texts.push((name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('latin1'));
    }
    const expected = `head\n${Array.from({ length: 100_000 }, (_v, i) => `n=${String(i % 10_000).padStart(4, '0')}\n`).join('')}${big.toString('latin1')}n=0042\n`;
    expect(texts[0]!.length).toBe(expected.length);
    expect(texts[0] === expected).toBe(true);
    expect(texts[1] === expected).toBe(true);
  });

  it('a formatter that fails in the worker: close rejects with an OperationError naming the file and the cause, keeps what came before', async () => {
    const path = join(dir, 'fails.txt.gz');
    const s = openRecordStream(path, transform);
    put(s, 1);
    put(s, 2, true);
    const closed = s.close();
    await expect(closed).rejects.toBeInstanceOf(OperationError);
    await expect(closed).rejects.toThrow(`writing ${path} failed: boom`);
    expect(gunzipSync(readFileSync(path)).toString()).toBe('n=0001\n'); // what was formatted before the failure is kept
  });

  it('the same failure inline (plain): reserve throws it, then close rejects with it', async () => {
    const path = join(dir, 'fails.txt');
    const s = openRecordStream(path, transform);
    put(s, 1);
    put(s, 2, true);
    expect(() => put(s, 3)).toThrow(`writing ${path} failed: boom`);
    await expect(s.close()).rejects.toThrow(`writing ${path} failed: boom`);
    expect(readFileSync(path, 'latin1')).toBe('n=0001\n');
  });

  it('stops at the budget with BudgetExhaustedError; what was accepted is on disk after close (.gz and plain)', async () => {
    for (const name of ['budget.txt', 'budget.txt.gz']) {
      const budget = new ByteBudget(name.endsWith('.gz') ? 20_000 : 100_000);
      const path = join(dir, name);
      const s = openRecordStream(path, transform, budget);
      let n = 0;
      let error: unknown;
      try {
        for (; n < 3_000_000; n++) put(s, n % 10_000);
      } catch (err) {
        error = err;
      }
      await s.close();
      expect(error).toBeInstanceOf(BudgetExhaustedError);
      expect(n).toBeLessThan(3_000_000);
      const raw = readFileSync(path);
      expect(raw.length).toBeGreaterThanOrEqual(budget.limit);
      const lines = (name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('latin1').split('\n');
      expect(lines).toHaveLength(n + 1); // every accepted record, nothing after
      expect(budget.used).toBe(raw.length);
    }
  });

  it('refuses writes after close', async () => {
    const s = openRecordStream(join(dir, 'closed.txt.gz'), transform);
    await s.close();
    expect(() => put(s, 1)).toThrow(/is closed/);
    await s.close(); // idempotent
  });
});
