import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { OperationError } from '../errors';
import { ByteBudget } from './byte-budget';
import { BudgetExhaustedError } from './budgeted-stream';
import { digits, thread } from '../../test/support/digits-formatter';
import { openRecordStream, RECORD_SLOT_BYTES } from './record-stream';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-record-stream-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The test format (test/support/digits-formatter.ts): `n=0042` lines; a record with [4] = 1 fails ('boom'). */
const transform = digits('n=');

function put(s: ReturnType<typeof openRecordStream>, n: number, fail = false): void {
  const o = s.reserve(16);
  s.u32[o >> 2] = n;
  s.u8[o + 4] = fail ? 1 : 0;
  s.u8[o + 12] = 0;
}

describe('RecordStream', () => {
  it('formats records the same in the worker and on this thread, plain and .gz, raw bytes in order, also ones larger than a batch', async () => {
    const big = Buffer.alloc(RECORD_SLOT_BYTES + 100, 0x61);
    const texts: string[] = [];
    for (const [name, worker] of [['a.txt', true], ['a.txt.gz', true], ['b.txt', false], ['b.txt.gz', false]] as const) {
      const s = openRecordStream(join(dir, name), transform, undefined, { worker });
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
    expect(texts.map((t) => t === expected)).toEqual([true, true, true, true]);
  });

  it('plain and .gz streams are formatted in the compression worker (also under jest and --coverage); { worker: false } on this thread', async () => {
    const seen: string[] = [];
    for (const [name, worker] of [['thread.txt', true], ['thread.txt.gz', true], ['thread-inline.txt', false]] as const) {
      const s = openRecordStream(join(dir, name), thread, undefined, { worker });
      put(s, 1);
      await s.close();
      const raw = readFileSync(join(dir, name));
      seen.push((name.endsWith('.gz') ? gunzipSync(raw) : raw).toString());
    }
    expect(seen).toEqual(['worker\n', 'worker\n', 'main\n']);
  });

  it('a formatter module or export that cannot be loaded: the error names the file, the module and the export', async () => {
    const missing = { module: join(dir, 'no-such-formatter.ts'), name: 'nothing', params: null };
    const wrongName = { ...thread, name: 'noSuchExport' };
    const gz = join(dir, 'unloadable.txt.gz');
    const s = openRecordStream(gz, missing);
    put(s, 1);
    await expect(s.close()).rejects.toThrow(new RegExp(`^writing ${gz} failed: cannot load the formatter nothing from ${missing.module}: Cannot find module`));
    const plain = join(dir, 'unloadable.txt');
    const s2 = openRecordStream(plain, wrongName);
    put(s2, 1);
    await expect(s2.close()).rejects.toThrow(`writing ${plain} failed: ${thread.module} exports no formatter noSuchExport`);
    // On this thread the stream is refused when it opens.
    expect(() => openRecordStream(plain, wrongName, undefined, { worker: false })).toThrow(`${thread.module} exports no formatter noSuchExport`);
    expect(() => openRecordStream(plain, { ...thread, module: 'relative/path' }, undefined, { worker: false })).toThrow(/must be an absolute path/);
  });

  it('a formatter that fails in the worker: close rejects with an OperationError naming the file and the cause, keeps what came before', async () => {
    for (const name of ['fails.txt.gz', 'fails.txt']) {
      const path = join(dir, name);
      const s = openRecordStream(path, transform);
      put(s, 1);
      put(s, 2, true);
      const closed = s.close();
      await expect(closed).rejects.toBeInstanceOf(OperationError);
      await expect(closed).rejects.toThrow(`writing ${path} failed: boom`);
      const raw = readFileSync(path);
      expect((name.endsWith('.gz') ? gunzipSync(raw) : raw).toString()).toBe('n=0001\n'); // what was formatted before the failure is kept
    }
  });

  it('the same failure on this thread: reserve throws it, then close rejects with it', async () => {
    const path = join(dir, 'fails-inline.txt');
    const s = openRecordStream(path, transform, undefined, { worker: false });
    put(s, 1);
    put(s, 2, true);
    expect(() => put(s, 3)).toThrow(`writing ${path} failed: boom`);
    await expect(s.close()).rejects.toThrow(`writing ${path} failed: boom`);
    expect(readFileSync(path, 'latin1')).toBe('n=0001\n');
  });

  it('stops at the budget with BudgetExhaustedError; what was accepted is on disk after close (.gz and plain, worker or not)', async () => {
    for (const [name, worker] of [['budget.txt', true], ['budget.txt.gz', true], ['budget-inline.txt', false], ['budget-inline.txt.gz', false]] as const) {
      const budget = new ByteBudget(name.endsWith('.gz') ? 20_000 : 100_000);
      const path = join(dir, name);
      const s = openRecordStream(path, transform, budget, { worker });
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
