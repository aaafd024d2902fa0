/**
 * The Modbus transaction log (issue 18: every request and reply with its time) loses nothing when a run is
 * interrupted: the scale bench with the reference controller in-process, stopped by SIGINT after 2 simulated hours
 * (~43,000 transactions: many record batches and gzip chunks, some still in the compression worker when the run
 * stops), has one line per request the endpoint served, in time order, each a whole JSON line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { BenchInstance } from '../../harness/bench/bench-instance';
import { loadBench } from '../../harness/bench/load-bench';
import { loadScenario } from '../../harness/scenario/load-scenario';
import { runScenario } from '../../harness/scenario/runner';
import { builtFile, describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';

const controller = join(ROOT, 'dist', 'examples', 'controllers', 'reference', 'controller.js');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hil-modbus-log-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describeIf(builtFile('examples', 'controllers', 'reference', 'controller.js'), NEEDS_BUILD, 'the Modbus transaction log of an interrupted run', () => {
  it('holds every transaction the endpoint served, in order, as whole lines', async () => {
    const bench = loadBench(join(ROOT, 'fixtures', 'benches', 'scale-16x4.yaml'));
    bench.file.dut = { module: controller };
    const scenario = loadScenario(join(ROOT, 'fixtures', 'scenarios-bench', 'day-24h.yaml'));
    const abort = new AbortController();
    let inst: BenchInstance | undefined;
    const result = await runScenario(bench, scenario, {
      mode: 'virtual',
      dutOptions: { periodMs: 1000 },
      outDir: dir,
      traceFormat: { compress: true },
      signal: abort.signal,
      onBench: (i) => {
        inst = i;
      },
      progress: (simMs) => {
        if (simMs >= 2 * 3_600_000) abort.abort('SIGINT');
      },
    });
    expect(result.interrupted?.signal).toBe('SIGINT');
    const served = inst!.modbus.get('site')!.requests;
    expect(served).toBeGreaterThan(20_000);
    const text = gunzipSync(readFileSync(join(dir, 'modbus-site.jsonl.gz'))).toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.slice(0, -1).split('\n');
    expect(lines).toHaveLength(served);
    let last = -Infinity;
    for (const l of lines) {
      const x = JSON.parse(l) as { at: number; t: number; unit: number; req: string; rsp: string | null };
      expect(x.at).toBeGreaterThanOrEqual(last);
      last = x.at;
    }
    expect(last - inst!.startMs).toBeGreaterThanOrEqual(result.simulatedMs - 5000); // the tail is there, up to the stop
  }, 120_000);
});
