import type { ScenarioResult } from '../scenario/result';
import { formatValue, signalUnit } from './signal-units';

const COLORS = { pass: '\x1b[32m', fail: '\x1b[31m', error: '\x1b[33m', skip: '\x1b[36m', dim: '\x1b[2m', reset: '\x1b[0m' };

/**
 * What a person sees during `hil run`: one live line per scenario on a terminal (rewritten in place, at most a few
 * times a second), one line at start and end otherwise (CI logs), and a summary at the end.
 */
export class ConsoleReporter {
  private readonly tty: boolean;
  private lastDraw = 0;
  private live = false;

  constructor(private readonly out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout, tty?: boolean) {
    this.tty = tty ?? !!out.isTTY;
  }

  private c(kind: keyof typeof COLORS, s: string): string {
    return this.tty ? `${COLORS[kind]}${s}${COLORS.reset}` : s;
  }

  /** A line of information before the run (what `--resume` found). */
  note(line: string): void {
    this.out.write(`${line}\n`);
  }

  /** The real-time plan (`describeRealTimePlan`), printed before the first scenario starts. */
  plan(lines: readonly string[]): void {
    if (lines.length === 0) return;
    this.out.write(`${lines.join('\n')}\n\n`);
  }

  scenarioStart(index: number, total: number, id: string, mode: string): void {
    const line = `[${index}/${total}] ${id} (${mode})`;
    if (this.tty) {
      this.out.write(`${line} ...`);
      this.live = true;
    } else {
      this.out.write(`${line} started\n`);
    }
  }

  /** Progress of the running scenario: simulated time done out of total. Throttled on a terminal; silent otherwise. */
  progress(index: number, total: number, id: string, simMs: number, durationMs: number, note = ''): void {
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.lastDraw < 200) return;
    this.lastDraw = now;
    const pct = Math.min(100, Math.floor((simMs / durationMs) * 100));
    this.out.write(`\r\x1b[2K[${index}/${total}] ${id} ${String(pct).padStart(3)}% t=${(simMs / 1000).toFixed(0)}s ${this.c('dim', note)}`);
  }

  scenarioEnd(index: number, total: number, r: ScenarioResult): void {
    const tag = this.c(r.verdict, r.verdict.toUpperCase().padEnd(5));
    const timing = r.verdict === 'skip' ? '' : ` ${this.c('dim', `(${(r.wallMs / 1000).toFixed(1)}s wall, ${(r.simulatedMs / 1000).toFixed(0)}s simulated)`)}`;
    const line = `[${index}/${total}] ${tag} ${r.scenario}${timing}`;
    if (this.tty && this.live) this.out.write(`\r\x1b[2K`);
    this.live = false;
    this.out.write(`${line}\n`);
    if (r.verdict !== 'pass' || r.expectations.some((e) => e.verdict === 'skip')) this.out.write(`      ${r.summary}\n`);
  }

  /** Requirement traceability: one line per requirement, its verdict and how many expectations judge it. */
  requirements(trace: ReadonlyArray<{ requirement: string; verdict: string; evidence: unknown[] }>): void {
    if (trace.length === 0) return;
    this.out.write('\nrequirements:\n');
    for (const t of trace) {
      const kind = (t.verdict === 'untested' ? 'skip' : t.verdict) as keyof typeof COLORS;
      this.out.write(`  ${this.c(kind, t.verdict.toUpperCase().padEnd(8))} ${t.requirement} (${t.evidence.length} expectation(s))\n`);
    }
  }

  /**
   * The end of a run: every scenario that did not pass with why (failed expectations with observed values, harness
   * errors, the reason each skipped one did not run), the counts, what an interrupt left undone, the report files.
   */
  summary(results: ScenarioResult[], reportPaths: string[], interrupted?: { signal: string; notStarted: string[] }): void {
    const n = (v: string): number => results.filter((r) => r.verdict === v).length;
    this.out.write('\n');
    for (const r of results) {
      if (r.verdict === 'pass') continue;
      if (r.verdict === 'skip') {
        this.out.write(`${this.c('skip', 'SKIP')} ${r.scenario} (${r.source}): ${r.summary}\n`);
        continue;
      }
      this.out.write(`${this.c(r.verdict, r.verdict.toUpperCase())} ${r.scenario} (${r.source})\n`);
      for (const x of r.expectations.filter((e) => e.verdict !== 'pass')) {
        const tag = x.verdict === 'skip' ? ' (not counted)' : '';
        this.out.write(`  - ${x.id}${x.requirement ? ` [${x.requirement}]` : ''}${tag}: ${x.message}\n`);
        if (x.observed) this.out.write(`    observed: ${Object.entries(x.observed).map(([k, v]) => `${k}=${formatValue(v, signalUnit(k))}`).join(', ')}\n`);
      }
      for (const e of r.errors) this.out.write(`  - harness: t=${(e.atMs / 1000).toFixed(3)}s ${e.message}\n`);
    }
    this.out.write(`${results.length} scenario(s): ${this.c('pass', `${n('pass')} passed`)}, ${this.c('fail', `${n('fail')} failed`)}, ${this.c('error', `${n('error')} errors`)}${n('skip') ? `, ${this.c('skip', `${n('skip')} skipped`)}` : ''}\n`);
    if (interrupted) {
      const rest = interrupted.notStarted;
      this.out.write(
        `${this.c('error', 'INTERRUPTED')} by ${interrupted.signal}${rest.length ? `; ${rest.length} scenario(s) not started: ${rest.join(', ')}` : ''}` +
          `${reportPaths.some((p) => p.endsWith('results.jsonl')) ? ' (continue it: the same command with --resume)' : ''}\n`,
      );
    }
    for (const p of reportPaths) this.out.write(`report: ${p}\n`);
  }
}

