import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ByteBudget } from '../../core/budget/byte-budget';
import { openBudgetedStream } from '../../core/budget/budgeted-stream';
import { VirtualClock } from '../../core/clock/virtual-clock';
import type { ServerTransaction } from '../../protocols/modbus/server-core';
import { EvidenceRecorder } from './evidence-recorder';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-modbus-log-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const START = 1767225600000;

function tx(at: number, unitId: number, request: number[], response: number[] | null): ServerTransaction {
  return {
    at,
    ctx: { transport: 'tcp', unitId },
    request: Uint8Array.from(request),
    decoded: { fc: request[0] ?? -1, exception: 1 },
    write: false,
    response: response ? Uint8Array.from(response) : null,
  };
}

/** Every shape a log carries: reads and their replies, writes, exceptions, no reply, empty PDU, long replies, odd times and units. */
const shapes: ServerTransaction[] = [
  tx(START, 1, [3, 0x9c, 0x40, 0, 2], [3, 4, 0x53, 0x75, 0x6e, 0x53]),
  tx(START + 0.25, 0, [6, 0, 40, 0, 0], [6, 0, 40, 0, 0]),
  tx(START + 1000.125, 255, [16, 0, 1, 0, 2, 4, 1, 2, 3, 4], [0x90, 2]),
  tx(START + 1001, 247, [4, 0, 0, 0, 125], [4, 250, ...Array.from({ length: 250 }, (_v, i) => (i * 31) & 0xff)]),
  tx(START + 1002, 3, [], null),
  tx(START + 1003, 3, [0x2b, 0x0e, 1, 0], null),
  tx(START - 0.5, 1, [1], [0x81, 1]), // before the bench came up: negative t, -0 after rounding
  tx(START + 2 ** 40 + 0.1, 1, [3, 0, 0, 0, 1], [3, 2, 0xff, 0xfe]),
];

/** The former writer: `JSON.stringify` of each line on the main thread into a BudgetedStream (256 kB chunks, one gzip member each). */
async function formerLog(path: string, txs: ServerTransaction[]): Promise<void> {
  const hex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
  const s = await openBudgetedStream(path);
  for (const t of txs) {
    const line = { at: t.at, t: Math.round(t.at - START), unit: t.ctx.unitId, req: hex(t.request), rsp: t.response ? hex(t.response) : null };
    s.write(`${JSON.stringify(line)}\n`);
  }
  await s.close();
}

async function recorded(sub: string, txs: ServerTransaction[], compress: boolean, budget?: ByteBudget): Promise<{ path: string; recorder: EvidenceRecorder }> {
  const traceDir = join(dir, sub);
  mkdirSync(traceDir, { recursive: true });
  const recorder = new EvidenceRecorder({ clock: new VirtualClock(START), traceDir, traceFormat: { compress }, ...(budget ? { traceBudget: budget } : {}) });
  await recorder.openTransactionLog('inv');
  for (const t of txs) recorder.logTransaction('inv', t);
  await recorder.close();
  return { path: join(traceDir, `modbus-inv.jsonl${compress ? '.gz' : ''}`), recorder };
}

describe('Modbus transaction log from binary records', () => {
  it('every transaction shape is the JSON line the former writer made, in the worker, plain and .gz', async () => {
    const ref = join(dir, 'shapes-ref.jsonl');
    await formerLog(ref, shapes);
    const expected = readFileSync(ref, 'utf8');
    expect(expected.split('\n')[6]).toBe('{"at":1767225599999.5,"t":0,"unit":1,"req":"01","rsp":"8101"}'); // -0 is written 0
    expect(readFileSync((await recorded('shapes-plain', shapes, false)).path, 'utf8')).toBe(expected);
    expect(gunzipSync(readFileSync((await recorded('shapes-gz', shapes, true)).path)).toString('utf8')).toBe(expected);
  });

  it('a long .jsonl.gz is byte for byte the file the former writer made (same lines, same gzip members)', async () => {
    const txs: ServerTransaction[] = [];
    for (let i = 0; i < 40_000; i++) {
      const at = START + i * 37 + (i % 3) * 0.5;
      const q = 1 + (i % 60);
      const w = i % 7 === 0;
      const req = w ? [16, 0, i & 0xff, 0, q, 2 * q, ...Array.from({ length: 2 * q }, (_v, k) => (i + k) & 0xff)] : [3, (i >> 8) & 0xff, i & 0xff, 0, q];
      const rsp = i % 11 === 0 ? null : w ? [16, 0, i & 0xff, 0, q] : i % 13 === 0 ? [0x83, 2] : [3, 2 * q, ...Array.from({ length: 2 * q }, (_v, k) => (i * k) & 0xff)];
      txs.push(tx(at, 1 + (i % 4), req, rsp));
    }
    const ref = join(dir, 'long-ref.jsonl.gz');
    await formerLog(ref, txs);
    const made = readFileSync((await recorded('long-gz', txs, true)).path);
    const before = readFileSync(ref);
    expect(before.length).toBeGreaterThan(200_000); // several chunks: the member boundaries are compared too
    expect(gunzipSync(made).toString()).toBe(gunzipSync(before).toString());
    expect(made.equals(before)).toBe(true);
  });

  it('a spent budget stops the log with one note and keeps what was written', async () => {
    const txs = Array.from({ length: 30_000 }, (_v, i) => tx(START + i, 1, [3, 0, 0, 0, 100], [3, 200, ...Array.from({ length: 200 }, (_w, k) => (i + k) & 0xff)]));
    const budget = new ByteBudget(400_000);
    const { path, recorder } = await recorded('budget', txs, false, budget);
    expect(recorder.notes).toHaveLength(1);
    expect(recorder.notes[0]).toMatch(/evidence modbus-inv\.jsonl stopped: the trace budget \(--trace-budget\) is spent; verdicts are unaffected/);
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.pop()).toBe(''); // ends on a whole line
    expect(lines.length).toBeGreaterThan(100);
    expect(lines.length).toBeLessThan(txs.length);
    lines.forEach((l, i) => expect(JSON.parse(l)).toMatchObject({ at: START + i, t: i }));
  });
});
