/**
 * The defect matrix: every example scenario against the reference controller and against each of its defect
 * variants (examples/controllers/reference/defects.ts), in virtual time through the runner API. The correct
 * controller must pass everything; each defect must fail at least one scenario, on an expectation that names the
 * defect's symptom (`SYMPTOMS`). `npm run matrix` prints the table; test/e2e/defect-matrix.test.ts asserts it.
 *
 *   npm run matrix [-- --scenario <file|dir> ...] [--variant <name> ...]
 */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFECTS, type Defect } from '../examples/controllers/reference/defects';
import { loadBench, type Bench } from '../harness/bench/load-bench';
import type { ScenarioResult } from '../harness/scenario/result';
import { loadScenario } from '../harness/scenario/load-scenario';
import { runScenario } from '../harness/scenario/runner';
import type { Scenario } from '../harness/scenario/scenario';

/** The correct controller's column name. */
export const CORRECT = 'correct';
export type Variant = typeof CORRECT | Defect;
export const VARIANTS: readonly Variant[] = [CORRECT, ...(Object.keys(DEFECTS) as Defect[])];

/** A failed (or errored) expectation, as the matrix sees it. */
export interface Failure {
  id: string;
  message: string;
}

/**
 * What a scenario must say when it catches a defect: the failing expectation's id (or, for timing, its message)
 * names the symptom. Scenario writers follow these id conventions (docs/scenarios.md).
 */
export const SYMPTOMS: Readonly<Record<Defect, { symptom: string; matches(f: Failure): boolean }>> = {
  'ignore-overtemp': { symptom: "an 'overtemp' expectation (PV not curtailed to 0 %, battery not stopped)", matches: (f) => /overtemp/.test(f.id) },
  'ignore-charge-limit': { symptom: "a 'charge-within-limit' invariant (pack current above the BMS limit)", matches: (f) => /charge-within-limit/.test(f.id) },
  'no-comms-timeout': { symptom: "a 'comms-loss' reaction (not safe after the pack went silent)", matches: (f) => /comms-loss/.test(f.id) },
  'wrong-sunspec-scale': { symptom: "a '(dis)charge-rate' expectation (battery at ~1/100 of the commanded rate)", matches: (f) => /(^|-)(dis)?charge-rate/.test(f.id) },
  'slow-reaction': { symptom: "a reaction that 'did not hold within' its deadline", matches: (f) => /did not hold within \d+ ms/.test(f.message) },
  'no-heartbeat': { symptom: "a 'heartbeat' expectation (no 0x305 at the BMS)", matches: (f) => /heartbeat/.test(f.id) },
  'ignore-undervoltage': { symptom: "an 'undervoltage' reaction (discharge goes on after the alarm)", matches: (f) => /undervoltage/.test(f.id) },
  'ignore-system-error': { symptom: "a 'system-error' reaction (battery current goes on after the 0x359 system error)", matches: (f) => /system-error/.test(f.id) },
  'no-curtailment': { symptom: "a 'curtail' expectation (WMaxLimPct stays 100 %)", matches: (f) => /curtail/.test(f.id) },
};

/** One run: a scenario with a variant. */
export interface MatrixCell {
  scenario: string;
  variant: Variant;
  verdict: ScenarioResult['verdict'];
  /** Failed or errored expectations, and run errors (id `error`). */
  failures: Failure[];
  summary: string;
  wallMs: number;
  simulatedMs: number;
}

export interface MatrixOptions {
  bench: Bench;
  scenarios: Scenario[];
  variants?: readonly Variant[];
  /** Called after each run (progress). */
  onCell?: (cell: MatrixCell, done: number, total: number) => void;
}

/** Run every scenario with every variant, one after another (virtual time: each run is deterministic). */
export async function runDefectMatrix(o: MatrixOptions): Promise<MatrixCell[]> {
  const variants = o.variants ?? VARIANTS;
  const cells: MatrixCell[] = [];
  const total = variants.length * o.scenarios.length;
  for (const variant of variants) {
    for (const scenario of o.scenarios) {
      const result = await runScenario(o.bench, scenario, { mode: 'virtual', traces: false, dutOptions: { defects: variant === CORRECT ? [] : [variant] } });
      const failures: Failure[] = [
        ...result.expectations.filter((e) => e.verdict !== 'pass').map((e) => ({ id: e.id, message: e.message })),
        ...result.errors.map((e) => ({ id: 'error', message: e.message })),
      ];
      const cell: MatrixCell = { scenario: scenario.id, variant, verdict: result.verdict, failures, summary: result.summary, wallMs: result.wallMs, simulatedMs: result.simulatedMs };
      cells.push(cell);
      o.onCell?.(cell, cells.length, total);
    }
  }
  return cells;
}

/** Load every `*.yaml` under the given files or directories (sorted). */
export function loadScenarios(paths: readonly string[]): Scenario[] {
  const files: string[] = [];
  for (const p of paths) {
    if (statSync(p).isDirectory()) files.push(...readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(p, f)));
    else files.push(p);
  }
  return files.map((f) => loadScenario(f));
}

/** What the matrix proves, per defect: whether a failing expectation names its symptom, and which ones. */
export function verdictsByDefect(cells: readonly MatrixCell[]): Array<{ defect: Defect; caughtBy: Array<{ scenario: string; id: string }>; otherFailures: number }> {
  return (Object.keys(DEFECTS) as Defect[]).map((defect) => {
    const mine = cells.filter((c) => c.variant === defect);
    const caughtBy = mine.flatMap((c) => c.failures.filter((f) => SYMPTOMS[defect].matches(f)).map((f) => ({ scenario: c.scenario, id: f.id })));
    const otherFailures = mine.filter((c) => c.verdict !== 'pass').length;
    return { defect, caughtBy, otherFailures };
  });
}

/**
 * The matrix as text: rows scenarios, columns variants; a cell is PASS, or `fail`/`ERROR` with a failing expectation's
 * id (the one naming the defect's symptom when there is one) and how many more failed.
 */
export function formatMatrix(cells: readonly MatrixCell[], variants: readonly Variant[] = VARIANTS): string {
  const scenarios = [...new Set(cells.map((c) => c.scenario))];
  const maxWidth = 40;
  const cellText = (c: MatrixCell | undefined): string => {
    if (!c) return '-';
    if (c.verdict === 'pass') return 'PASS';
    if (c.verdict === 'skip') return 'skip';
    // the failure that names the defect's symptom, if any, else the first one
    const f = (c.variant !== CORRECT ? c.failures.find((x) => SYMPTOMS[c.variant as Defect].matches(x)) : undefined) ?? c.failures[0];
    const text = `${c.verdict === 'error' ? 'ERROR' : 'fail'} ${f ? f.id : '?'}${c.failures.length > 1 ? ` +${c.failures.length - 1}` : ''}`;
    return text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}~` : text;
  };
  const text = scenarios.map((s) => variants.map((v) => cellText(cells.find((c) => c.scenario === s && c.variant === v))));
  const widths = variants.map((v, j) => Math.max(v.length, ...text.map((row) => row[j]!.length)));
  const first = Math.max('scenario \\ controller'.length, ...scenarios.map((s) => s.length));
  const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(0, n - s.length));
  const header = [pad('scenario \\ controller', first), ...variants.map((v, j) => pad(v, widths[j]!))].join(' | ');
  const lines = [header, header.replace(/[^|]/g, '-')];
  scenarios.forEach((s, i) => lines.push([pad(s, first), ...text[i]!.map((t, j) => pad(t, widths[j]!))].join(' | ').trimEnd()));
  const summary = verdictsByDefect(cells.filter((c) => variants.includes(c.variant)))
    .filter((d) => variants.includes(d.defect))
    .map((d) => `  ${pad(d.defect, 20)} ${d.caughtBy.length > 0 ? `caught by ${d.caughtBy.map((x) => `${x.scenario}/${x.id}`).join(', ')}` : `NOT caught by ${SYMPTOMS[d.defect].symptom}`}`);
  const correct = cells.filter((c) => c.variant === CORRECT);
  const correctLine = correct.length > 0 ? `  ${pad(CORRECT, 20)} ${correct.filter((c) => c.verdict === 'pass').length}/${correct.length} scenarios pass` : '';
  return [...lines, '', 'What catches each defect (the failing expectation names its symptom):', ...(correctLine ? [correctLine] : []), ...summary].join('\n');
}

function arg(name: string, argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) if (argv[i] === name && argv[i + 1] !== undefined) out.push(argv[++i]!);
  return out;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const root = resolve(__dirname, '..', '..');
  process.chdir(root); // the bench names the controller module relative to the package
  const bench = loadBench(join(root, 'fixtures', 'benches', 'ci.yaml'));
  const paths = arg('--scenario', argv);
  const scenarios = loadScenarios(paths.length > 0 ? paths : [join(root, 'fixtures', 'scenarios')]);
  const wanted = arg('--variant', argv);
  for (const v of wanted) if (!(VARIANTS as readonly string[]).includes(v)) throw new Error(`unknown variant '${v}' (known: ${VARIANTS.join(', ')})`);
  const variants = wanted.length > 0 ? (wanted as Variant[]) : VARIANTS;
  const start = Date.now();
  const cells = await runDefectMatrix({
    bench,
    scenarios,
    variants,
    onCell: (c, done, total) => {
      if (process.stderr.isTTY) process.stderr.write(`\r[${done}/${total}] ${c.variant} ${c.scenario} ${c.verdict}`.padEnd(90));
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const simS = cells.reduce((s, c) => s + c.simulatedMs, 0) / 1000;
  process.stdout.write(`${formatMatrix(cells, variants)}\n\n${cells.length} runs, ${(simS / 60).toFixed(1)} simulated minutes in ${((Date.now() - start) / 1000).toFixed(1)} s wall\n`);
  const correctFailed = cells.filter((c) => c.variant === CORRECT && c.verdict !== 'pass');
  const missed = verdictsByDefect(cells).filter((d) => variants.includes(d.defect) && d.caughtBy.length === 0);
  for (const c of correctFailed) process.stdout.write(`correct controller ${c.verdict}: ${c.scenario}: ${c.summary}\n`);
  process.exitCode = correctFailed.length > 0 || missed.length > 0 ? 1 : 0;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  });
}
