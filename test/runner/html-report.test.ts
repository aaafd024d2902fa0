import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCampaign } from '../../harness/campaign/run-campaign';
import { loadBench } from '../../harness/bench/load-bench';
import { ConsoleReporter } from '../../harness/report/console';
import type { SeriesSet } from '../../harness/evidence/series';
import { parseScenario } from '../../harness/scenario/load-scenario';
import { describeIf, NEEDS_BUILD } from '../support/describe-if';

const root = resolve(__dirname, '..', '..');
const quiet = (): ConsoleReporter => new ConsoleReporter({ write: () => true } as unknown as NodeJS.WritableStream, false);

// The CI bench's in-process controller is the built reference controller (npm test builds before jest).
const built = existsSync(join(root, 'dist', 'examples', 'controllers', 'reference', 'controller.js'));

const yaml = `
scenario: html-short
duration: 1m
initial:
  devices:
    pack1: { soc: 60 }
timeline:
  - at: 20s
    fault: { id: hot, device: pack1, kind: external-heat, module: 0, watts: 50 }
expect:
  - id: charge-within-limit
    always: pack1.current <= pack1.chargeCurrentLimit * 1.05 + 1
    tolerance: 2s
  - id: impossible
    eventually: pack1.soc < 10
    by: 30s
`;

describeIf(built, NEEDS_BUILD, 'HTML report and series from a real run (virtual time, CI bench, reference controller)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-html-e2e-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('plots every signal the expectations read, marks the failure, and keeps the series out of results.jsonl', async () => {
    const bench = loadBench(join(root, 'fixtures', 'benches', 'ci.yaml'));
    const s = parseScenario(yaml, 'html-short.yaml');
    const html = join(dir, 'report.html');
    const out = await runCampaign(bench, [s], { mode: 'virtual', outDir: dir, html, reporter: quiet(), traces: false });
    expect(out.results[0]!.verdict).toBe('fail');
    expect(out.reports).toContain(html);

    const series = JSON.parse(readFileSync(join(dir, 'html-short', 'series.json'), 'utf8')) as SeriesSet;
    expect(Object.keys(series).sort()).toEqual(['pack1.chargeCurrentLimit', 'pack1.current', 'pack1.soc']);
    // 1 min at the default step: every sample kept, from t=0 to the end.
    expect(series['pack1.soc']!.t[0]).toBe(0);
    expect(series['pack1.soc']!.t.length).toBeGreaterThan(10);
    expect(series['pack1.soc']!.t.at(-1)! + series['pack1.soc']!.bucketMs).toBeGreaterThanOrEqual(60_000);

    const page = readFileSync(html, 'utf8');
    for (const name of Object.keys(series)) expect(page).toContain(`<svg xmlns="http://www.w3.org/2000/svg" class="plot" data-signal="${name}"`);
    expect(page.match(/class="plot"/g)).toHaveLength(3);
    // 'impossible' failed at its deadline and observed pack1.soc: the marker is on that plot.
    const socPlot = page.split('<svg ').find((p) => p.includes('data-signal="pack1.soc"'))!;
    expect(socPlot).toContain('class="failure-marker" data-expectation="impossible"');
    expect(socPlot).toContain('impossible failed at t=3');
    expect(page).toContain('class="event-marker"');

    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const res = lines.find((l) => l.type === 'result')!;
    expect(res.verdict).toBe('fail');
    expect(res).not.toHaveProperty('series');
  });
});
