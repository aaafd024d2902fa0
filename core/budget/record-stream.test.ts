import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { OperationError } from '../errors';
import { ByteBudget } from './byte-budget';
import { BudgetExhaustedError } from './budgeted-stream';
import { digits, thread } from '../../test/support/digits-formatter';
import { setWorkerStallSeconds } from './gzip-worker';
import { openRecordStream, RECORD_SLOT_BYTES, RECORD_SLOTS } from './record-stream';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-record-stream-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The test format (test/support/digits-formatter.ts): `n=0042` lines; a record with [4] = 1 fails ('boom'). */
const transform = digits('n=');

function put(s: ReturnType<typeof openRecordStream>, n: number, fail: boolean | 'stuck' = false): void {
  const o = s.reserve(16);
  s.u32[o >> 2] = n;
  s.u8[o + 4] = fail === 'stuck' ? 2 : fail ? 1 : 0;
  s.u8[o + 12] = 0;
}

describe('RecordStream', () => {
  it('a worker that stops answering: after the stall time the stream fails saying so, close() settles, the run goes on, and the next stream gets a new worker', async () => {
    setWorkerStallSeconds(1);
    try {
      const stuck = openRecordStream(join(dir, 'stuck.txt'), transform, undefined, { worker: true });
      const other = openRecordStream(join(dir, 'other.txt'), transform, undefined, { worker: true });
      put(other, 7);
      put(stuck, 1, 'stuck'); // the worker will never return from this batch
      let refused: Error | undefined;
      const started = Date.now();
      // Fill batches until every slot is in flight: the stream waits for one, for the stall time, then gives up.
      try {
        for (let i = 0; i < RECORD_SLOTS * (RECORD_SLOT_BYTES / 16) + 16; i++) put(stuck, i % 10_000);
      } catch (err) {
        refused = err as Error;
      }
      expect(refused?.message).toMatch(/stuck\.txt failed: the compression worker took no batch for 1 s: it is stuck/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      await expect(stuck.close()).rejects.toThrow(/took no batch for 1 s/);
      // Every stream on that worker hears it (its file ends where the worker stopped), and its close settles too.
      await expect(other.close()).rejects.toThrow(/other\.txt failed: the compression worker took no batch/);
      // A new stream runs on a new worker.
      const next = openRecordStream(join(dir, 'next.txt.gz'), thread, undefined, { worker: true });
      put(next, 1);
      await next.close();
      expect(gunzipSync(readFileSync(join(dir, 'next.txt.gz'))).toString()).toBe('worker\n');
    } finally {
      setWorkerStallSeconds(60);
    }
  });

  it('a worker stuck in the last batch: close() settles after the stall time with the reason, and the next stream works', async () => {
    setWorkerStallSeconds(1);
    try {
      const s = openRecordStream(join(dir, 'stuck-last.txt'), transform, undefined, { worker: true });
      put(s, 3);
      put(s, 4, 'stuck');
      await expect(s.close()).rejects.toThrow(/stuck-last\.txt failed: the compression worker did not finish the file within 1 s: it is stuck/);
      const next = openRecordStream(join(dir, 'after.txt'), transform, undefined, { worker: true });
      put(next, 5);
      await next.close();
      expect(readFileSync(join(dir, 'after.txt'), 'utf8')).toBe('n=0005\n');
    } finally {
      setWorkerStallSeconds(60);
    }
  });

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
