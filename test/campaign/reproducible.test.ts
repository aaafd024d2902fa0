import type { ScenarioResult } from '../../harness/scenario/result';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { verifyChecksums } from '../../harness/campaign/checksums';
import { runCampaign } from '../../harness/campaign/run-campaign';
import { loadBench } from '../../harness/bench/load-bench';
import { ConsoleReporter } from '../../harness/report/console';
import { parseScenario } from '../../harness/scenario/load-scenario';
import type { Scenario } from '../../harness/scenario/scenario';
import { builtFile, describeIf, NEEDS_BUILD } from '../support/describe-if';

const root = resolve(__dirname, '..', '..');
const built = builtFile('examples', 'controllers', 'reference', 'controller.js');
const bench = (): ReturnType<typeof loadBench> => loadBench(join(root, 'fixtures', 'benches', 'ci.yaml'));
const quiet = (): ConsoleReporter => new ConsoleReporter({ write: () => true } as unknown as NodeJS.WritableStream, false);

/** Three short virtual-time scenarios with different seeds and stimuli. */
const scenarios = (): Scenario[] =>
  [
    ['r-hot', 11, 'fault: { id: hot, device: pack1, kind: external-heat, module: 0, watts: 80 }'],
    ['r-soc', 12, 'fault: { id: warm, device: pack1, kind: external-heat, module: 1, watts: 30 }'],
    ['r-quiet', 13, 'fault: { id: hot2, device: pack2, kind: external-heat, module: 0, watts: 40 }'],
  ].map(([id, seed, step]) =>
    parseScenario(
      `scenario: ${String(id)}
seed: ${String(seed)}
duration: 45s
requirements: [REQ-${String(id)}]
initial:
  devices:
    pack1: { soc: 55 }
timeline:
  - at: 10s
    ${String(step)}
expect:
  - id: within-limit
    always: pack1.current <= pack1.chargeCurrentLimit * 1.05 + 1
    tolerance: 2s
`,
      `${String(id)}.yaml`,
    ),
  );

/** Scenario id -> { verdict, the SHA-256 of each trace/log file of it } from an evidence folder's SHA256SUMS. */
function fingerprint(dirs: string[]): Record<string, { verdict: string; files: Record<string, string> }> {
  const out: Record<string, { verdict: string; files: Record<string, string> }> = {};
  for (const dir of dirs) {
    expect(verifyChecksums(dir).ok).toBe(true);
    for (const line of readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n')) {
      const r = JSON.parse(line) as { type: string; scenario: string; verdict: string };
      if (r.type === 'result') out[r.scenario] = { verdict: r.verdict, files: {} };
    }
    for (const line of readFileSync(join(dir, 'SHA256SUMS'), 'utf8').trim().split('\n')) {
      const [sum, file] = line.split('  ') as [string, string];
      const [scenario, name] = file.split('/');
      if (name && /\.(log|jsonl|pcap)\.gz$|^series\.json$/.test(name)) out[scenario!]!.files[name] = sum;
    }
  }
  return out;
}

describeIf(built, NEEDS_BUILD, 'a campaign in virtual time is reproducible', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-repro-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('gives identical verdicts and trace hashes run twice, in another order, and sharded', async () => {
    const b = bench();
    const run = async (name: string, list: Scenario[], shard?: { index: number; count: number }): Promise<string> => {
      const outDir = join(dir, name);
      await runCampaign(b, list, { mode: 'virtual', outDir, reporter: quiet(), traceFormat: { pcap: true }, ...(shard ? { shard } : {}) });
      return outDir;
    };
    const first = fingerprint([await run('first', scenarios())]);
    expect(Object.keys(first).sort()).toEqual(['r-hot', 'r-quiet', 'r-soc']);
    for (const s of Object.values(first)) expect(Object.keys(s.files).sort()).toEqual(['modbus-site.jsonl.gz', 'pack1.log.gz', 'pack1.pcap.gz', 'pack2.log.gz', 'pack2.pcap.gz', 'series.json']);
    expect(fingerprint([await run('again', scenarios())])).toEqual(first);
    expect(fingerprint([await run('reversed', scenarios().reverse())])).toEqual(first);
    expect(fingerprint([await run('shard1', scenarios(), { index: 1, count: 2 }), await run('shard2', scenarios(), { index: 2, count: 2 })])).toEqual(first);
  }, 120_000);

  it('keeps every verdict when the trace budget runs out, and says so', async () => {
    const outDir = join(dir, 'budget');
    const notes: string[] = [];
    const reporter = quiet();
    reporter.note = (n: string): void => void notes.push(n);
    const whole: ScenarioResult[] = [];
    const outcome = await runCampaign(bench(), scenarios(), { mode: 'virtual', outDir, reporter, traceBudget: 10_000, onResult: (r) => whole.push(r) });
    expect(outcome.results.map((r) => r.verdict)).toEqual(['pass', 'pass', 'pass']);
    expect(notes.join('\n')).toMatch(/trace budget exceeded: .* of 10.0 kB \(--trace-budget\)/);
    const events = whole.flatMap((r) => r.evidence.events).filter((e) => e.includes('stopped: the trace budget'));
    expect(events.length).toBeGreaterThan(0);
    const manifest = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as { traceBudget: { exhausted: boolean; used: number } };
    expect(manifest.traceBudget.exhausted).toBe(true);
    expect(manifest.traceBudget.used).toBeLessThan(10_000 + 3 * 300_000); // at most what each open stream had buffered in the compressor
    expect(verifyChecksums(outDir).ok).toBe(true);
  }, 120_000);
});
