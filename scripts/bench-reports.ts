/**
 * Report memory over a long campaign (issue 18's closing note): the heap a campaign's reports keep after N results,
 * N = 500 and N = 5,000 synthetic results of a realistic size (6 expectations, 4 recorded signals of 600 buckets each,
 * the failure evidence a failing run carries: 24 frames, 16 writes, 20 controller lines; one in 7 fails), each fed
 * through the API a campaign uses and then dropped:
 * - after (this code): `HtmlReport.add` (pieces spooled to a folder beside the report, the traceability as references),
 *   `JUnitReport.add` (suites spooled), and the campaign's `digestResult` kept per scenario;
 * - after-reports: the same without the campaign's digests: what the two reports alone keep;
 * - before (the code up to issue 18, modelled here with the same renderers): the HTML report kept every rendered
 *   piece (summary row, failure block, scenario section with its plots) and a copy of each result without its series
 *   for the traceability table, and the campaign kept each result without its series. Its per-result rewrite of the
 *   whole page (transient garbage, time quadratic in N) is left out: only what stays is measured.
 * Each (variant, N) runs in its own process (`--expose-gc`); the figure is heapUsed after a full GC, minus the same
 * process's heap before the first result (the reference measured in the same run). Also printed: wall time of the
 * N adds (rewrites and spooling included for "after").
 *
 *   npm run bench:reports [-- --n 500,5000]
 *
 * Measured 2026-12-07 (shared 2-core machine): heap kept before/after 13.3x at N=500 (29.7 MB / 2.2 MB) and 23.4x at
 * N=5,000 (290.7 MB / 12.4 MB); the two reports alone keep 4.6 MB at 5,000 (0.9 kB a result: the traceability
 * references and each piece's place), the campaign's digests the rest. docs/certification.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestResult } from '../harness/campaign/result-digest';
import { RequirementTracer } from '../harness/campaign/traceability';
import { HtmlReport, renderFailures, renderScenario, summaryRow } from '../harness/report/html';
import { JUnitReport } from '../harness/report/junit';
import type { ScenarioResult } from '../harness/scenario/result';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : def;
}

/** Synthetic result i (deterministic). */
function synthetic(i: number): ScenarioResult {
  const fail = i % 7 === 0;
  const buckets = 600;
  const series: NonNullable<ScenarioResult['series']> = {};
  for (const name of ['pack1.soc', 'pack1.current', 'pack1.temperature.max', 'inv1.batteryPowerW']) {
    const t = Array.from({ length: buckets }, (_, k) => k * 1000);
    const min = t.map((_, k) => Math.round(Math.sin((k + i) / 50) * 1000) / 10);
    series[name] = { bucketMs: 1000, t, min, max: min.map((v) => v + 0.5) };
  }
  return {
    scenario: `sweep@ambient=${i % 50},soc=${i}`,
    title: `combination ${i}`,
    source: 'fixtures/scenarios/overtemp-fast-charge.yaml',
    bench: 'ci',
    requirements: [`EMS-${i % 12}`],
    verdict: fail ? 'fail' : 'pass',
    summary: fail ? 'limit: exceeded' : '6 expectation(s) met',
    startedAt: '2026-12-01T00:00:00.000Z',
    wallMs: 1200,
    simulatedMs: 600_000,
    timeMode: 'virtual',
    seed: i,
    expectations: Array.from({ length: 6 }, (_, k) => ({
      id: `exp-${k}`,
      ...(k % 2 === 0 ? { requirement: `R-${(i + k) % 40}` } : {}),
      status: fail && k === 0 ? ('fail' as const) : ('pass' as const),
      verdict: fail && k === 0 ? ('fail' as const) : ('pass' as const),
      message: fail && k === 0 ? 'pack1.temperature.max = 61.5 degC, must be <= 55 degC' : 'held throughout',
      ...(fail && k === 0 ? { atMs: 30_000, observed: { 'pack1.temperature.max': 61.5 }, window: { fromMs: 20_000, toMs: 40_000, from: 'trigger', to: 'deadline' } } : {}),
      where: `overtemp-fast-charge.yaml:${20 + k}:5`,
    })),
    errors: [],
    evidence: {
      frames: fail ? Array.from({ length: 24 }, (_, k) => `t=${k}.000s pack1 356#8A14550000F0`) : [],
      framesDecoded: fail ? Array.from({ length: 24 }, () => 'BMS_Measurements BatteryVoltage=52.26 V BatteryCurrent=8.5 A BatteryTemperature=24 degC') : [],
      writes: fail ? Array.from({ length: 16 }, (_, k) => `t=${k}.500s site unit 1 fc16 @40266 = [0,10000] (124.OutWRte, 124.InWRte) -> ok`) : [],
      writesDecoded: fail ? Array.from({ length: 16 }, () => '124.OutWRte = 0 % WChaMax, 124.InWRte = 100 % WChaMax') : [],
      dutOutput: fail ? Array.from({ length: 20 }, (_, k) => `t=${k}.000s stdout: control loop step ${k}`) : [],
      events: Array.from({ length: 10 }, (_, k) => `t=${k * 60}.000s event ${k}`),
    },
    series,
  };
}

function heapMb(): number {
  global.gc!();
  global.gc!();
  return process.memoryUsage().heapUsed / 1e6;
}

/** One measurement in this process: prints `{"heapMb":..,"wallMs":..,"fileMb":..}`. */
type Variant = 'before' | 'after' | 'after-reports';

function child(variant: Variant, n: number): void {
  const dir = mkdtempSync(join(tmpdir(), 'hil-bench-reports-'));
  const base = heapMb();
  const start = Date.now();
  const kept: unknown[] = [];
  let html: HtmlReport | undefined;
  let junit: JUnitReport | undefined;
  if (variant !== 'before') {
    html = new HtmlReport(join(dir, 'report.html'), { trace: () => new RequirementTracer() });
    junit = new JUnitReport(join(dir, 'junit.xml'));
  }
  for (let i = 1; i <= n; i++) {
    const r = synthetic(i);
    if (variant !== 'before') {
      html!.add(r);
      junit!.add(r);
      if (variant === 'after') kept.push(digestResult(r));
    } else {
      const { series: _s, ...light } = r;
      kept.push({ row: summaryRow(r, i), failures: renderFailures(r, i), section: renderScenario(r, i), light }); // the HTML report's parts
      kept.push({ ...light }); // the campaign's results (series deleted)
    }
  }
  const wallMs = Date.now() - start;
  const heap = heapMb() - base;
  // Used after the measurement, so V8 cannot collect what was kept before it is measured.
  if (kept.length !== (variant === 'before' ? 2 * n : variant === 'after' ? n : 0)) throw new Error(`kept ${kept.length}`);
  let fileMb = 0;
  if (html) {
    html.close();
    junit!.close();
    fileMb = statSync(join(dir, 'report.html')).size / 1e6;
  }
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`${JSON.stringify({ heapMb: heap, wallMs, fileMb })}\n`);
}

function main(): void {
  const ns = arg('n', '500,5000').split(',').map(Number);
  const rows: Array<{ variant: string; n: number; heapMb: number; wallMs: number; fileMb: number }> = [];
  for (const n of ns) {
    for (const variant of ['before', 'after', 'after-reports'] as const) {
      const r = spawnSync(process.execPath, ['--expose-gc', '--max-old-space-size=4096', __filename, '--child', variant, String(n)], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${variant} N=${n} failed: ${r.stderr}`);
      rows.push({ variant, n, ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as { heapMb: number; wallMs: number; fileMb: number }) });
    }
  }
  process.stdout.write('| variant | N results | heap kept (MB) | per result (kB) | wall of the adds (s) | report.html (MB) |\n|---|---|---|---|---|---|\n');
  for (const r of rows) {
    process.stdout.write(`| ${r.variant} | ${r.n} | ${r.heapMb.toFixed(1)} | ${((r.heapMb * 1000) / r.n).toFixed(2)} | ${(r.wallMs / 1000).toFixed(1)} | ${r.variant !== 'before' ? r.fileMb.toFixed(1) : '-'} |\n`);
  }
  const at = (v: string, n: number): number => rows.find((r) => r.variant === v && r.n === n)!.heapMb;
  for (const n of ns) process.stdout.write(`N=${n}: heap before/after = ${(at('before', n) / at('after', n)).toFixed(1)}x\n`);
  if (ns.length >= 2) {
    const [a, b] = [ns[0]!, ns[ns.length - 1]!];
    for (const v of ['before', 'after', 'after-reports']) process.stdout.write(`${v}: heap at N=${b} / heap at N=${a} = ${(at(v, b) / at(v, a)).toFixed(2)} (N grew ${b / a}x)\n`);
  }
}

const c = process.argv.indexOf('--child');
if (c > 0) child(process.argv[c + 1] as Variant, Number(process.argv[c + 2]));
else main();
