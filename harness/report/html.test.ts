import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HtmlReport, escapeHtml, toHtml } from './html';
import { eventLabel, type PlotSpec } from './html-plot';
import type { ScenarioResult } from '../scenario/result';

const evil = '<script>alert("x&y")</script>';

function result(over: Partial<ScenarioResult> = {}): ScenarioResult {
  return {
    scenario: `id-${evil}`,
    title: `title ${evil}`,
    source: 'fixtures/scenarios/x.yaml',
    bench: 'ci',
    requirements: [`REQ-${evil}`],
    verdict: 'fail',
    summary: `summary ${evil}`,
    startedAt: '2026-12-01T00:00:00.000Z',
    wallMs: 1234,
    simulatedMs: 60_000,
    timeMode: 'virtual',
    seed: 42,
    expectations: [
      { id: 'ok', status: 'pass', verdict: 'pass', message: 'held throughout', where: 'x.yaml:10:5' },
      {
        id: `bad-${evil}`,
        requirement: 'R1',
        status: 'fail',
        verdict: 'fail',
        message: `too hot ${evil}`,
        atMs: 30_000,
        observed: { 'pack1.temperature.max': 61.54, 'pack1.tempLimit': 55 },
        window: { fromMs: 20_000, toMs: 28_000, from: 'first violation', to: 'tolerance (8000 ms)' },
        falseTerms: [
          {
            source: 'pack1.temperature.max <= pack1.tempLimit',
            value: 'pack1.temperature.max',
            signals: ['pack1.temperature.max'],
            valueAt: 61.54,
            op: '<=',
            limit: 'pack1.tempLimit',
            limitSignals: ['pack1.tempLimit'],
            limitAt: 55,
          },
        ],
        where: 'x.yaml:12:5',
      },
    ],
    errors: [],
    evidence: {
      frames: ['t=1.000s pack1 356#8A14550000F0', `t=1.000s pack1 7FF#00 ${evil}`],
      framesDecoded: ['BMS_Measurements BatteryVoltage=52.26 V BatteryCurrent=8.5 A BatteryTemperature=24 degC', ''],
      writes: ['t=2.000s site unit 1 fc16 @40266 = [0,10000] (124.OutWRte, 124.InWRte) -> ok'],
      writesDecoded: ['124.OutWRte = 0 % WChaMax, 124.InWRte = 100 % WChaMax'],
      dutOutput: [`stdout: ${evil}`],
      events: ['t=20.000s fault \'hot\': pack1 external-heat {"watts":50}', `t=40.000s note: ${evil}`],
    },
    series: {
      'pack1.temperature.max': { bucketMs: 1000, t: [0, 1000, 2000, 30_000], min: [25, 26, 27, 61], max: [25, 26.5, 27, 61.54] },
      'pack1.tempLimit': { bucketMs: 1000, t: [0, 1000, 2000, 30_000], min: [55, 55, 55, 55], max: [55, 55, 55, 55] },
      'pack1.contactor': { bucketMs: 1000, t: [0, 1000], min: [1, 0], max: [1, 1], boolean: true },
      [`odd ${evil}`]: { bucketMs: 1000, t: [], min: [], max: [] },
    },
    ...over,
  };
}


/** The plot specs of a page, in page order. */
function plots(html: string): PlotSpec[] {
  return [...html.matchAll(/<script type="application\/json" class="plot-data" data-for="([^"]+)">(.*?)<\/script>/g)].map((m) => JSON.parse(m[2]!) as PlotSpec);
}

describe('HTML report', () => {
  it('escapes everything taken from results: no markup from an id, message, event or evidence gets through', () => {
    const html = toHtml([result()]);
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('</script>alert');
    expect(html).toContain('id-&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;');
    expect(html).toContain('too hot &lt;script&gt;');
    // Inside the plot data (JSON in a script element) '<' is escaped, so no '</script>' ends it early.
    for (const m of html.matchAll(/class="plot-data"[^>]*>(.*?)<\/script>/g)) expect(m[1]).not.toContain('<');
    expect(escapeHtml(`a'b"c<d>&\x01`)).toBe('a&#39;b&quot;c&lt;d&gt;&amp;');
  });

  it('puts the failures first: the value that broke it with its limit, rounded to its resolution, with units', () => {
    const html = toHtml([result({ scenario: 'ok-one', verdict: 'pass', expectations: [] }), result()]);
    const failures = html.indexOf('id="failures"');
    expect(failures).toBeGreaterThan(0);
    expect(failures).toBeLessThan(html.indexOf('id="summary"'));
    expect(html.indexOf('<h1>')).toBeLessThan(failures);
    const block = html.slice(failures, html.indexOf('id="summary"'));
    // 61.54 degC at 0.1 degC resolution; the limit evaluated at the failure.
    expect(block).toContain('<b>pack1.temperature.max = 61.5 degC</b>, must be &lt;= pack1.tempLimit = 55.0 degC');
    expect(block).toContain('window: t=20.000 s (first violation) to t=28.000 s (tolerance (8000 ms)); failed at t=30.000 s');
    // The passing scenario has no failure block; the failing one's verdict in the summary links to its block.
    expect(block).not.toContain('ok-one');
    expect(block).toContain('<div class="failure-group" id="f-2"');
    expect(html).toContain('<td><a href="#f-2"><span class="badge fail">FAIL</span></a></td>');
  });

  it("a failure's plot: value and limit on the same axes with units, the window, the failure marked on the value only", () => {
    const specs = plots(toHtml([result()]));
    const f = specs.find((p) => p.id.startsWith('f-'))!;
    expect(f.lines.map((l) => [l.label, l.role])).toEqual([
      ['pack1.temperature.max', 'value'],
      ['limit: <= pack1.tempLimit', 'limit'],
    ]);
    expect(f.lines[1]!.max).toEqual([55, 55, 55, 55]);
    expect(f.window).toEqual({ from: 20, to: 28, fromLabel: 'first violation', toLabel: 'tolerance (8000 ms)' });
    expect(f.marks).toEqual([{ t: 30, v: 61.54, line: 0, label: expect.stringContaining('bad-') }]);
    expect(f.yLabel).toBe('pack1.temperature.max (degC)');
    expect(f.xLabel).toMatch(/^t \(s/);
    expect(f.decimals).toBe(1);
    expect(f.events.map((e) => e.label)).toEqual(['fault hot', 'note: <script>alert("x&y")</script>']);
  });

  it('signal plots: one per recorded signal, units on the axis, the failure marked only on the signal that failed', () => {
    const specs = plots(toHtml([result()])).filter((p) => p.id.startsWith('s-'));
    expect(specs.map((p) => p.title)).toEqual(['pack1.temperature.max', 'pack1.tempLimit', 'pack1.contactor', `odd ${evil}`]);
    expect(specs.map((p) => p.marks.length)).toEqual([1, 0, 0, 0]);
    expect(specs[0]!.yLabel).toBe('pack1.temperature.max (degC)');
    expect(specs[1]!.yLabel).toBe('pack1.tempLimit (unit not known)');
    expect(specs[2]!.boolean).toBe(true);
    // No external resources of any kind: uPlot is inlined.
    const html = toHtml([result()]);
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    expect(html).toContain('uPlot');
  });

  it('without false terms (an older result), every observed signal of the failure is marked', () => {
    const r = result();
    delete r.expectations[1]!.falseTerms;
    const specs = plots(toHtml([r])).filter((p) => p.id.startsWith('s-'));
    expect(specs.map((p) => p.marks.length)).toEqual([1, 1, 0, 0]);
  });

  it('shows evidence decoded, with the raw line and bytes in a details element', () => {
    const html = toHtml([result()]);
    expect(html).toContain('<span class="decoded">BMS_Measurements BatteryVoltage=52.26 V BatteryCurrent=8.5 A BatteryTemperature=24 degC</span><details class="raw"><summary>raw</summary><code>t=1.000s pack1 356#8A14550000F0</code><br><code class="bytes">id 0x356, 6 byte(s): 8A 14 55 00 00 F0</code></details>');
    expect(html).toContain('<span class="decoded">124.OutWRte = 0 % WChaMax, 124.InWRte = 100 % WChaMax</span>');
    expect(html).toContain('registers: 0x0000 0x2710');
    // A line that does not parse is still shown, raw.
    expect(html).toContain('t=1.000s pack1 7FF#00 &lt;script&gt;');
  });

  it('has the requirement traceability table, from the tracer when given (each result handed to it)', () => {
    const html = toHtml([result()]);
    const table = html.slice(html.indexOf('id="traceability"'));
    expect(table).toMatch(/<b>R1<\/b><\/td><td><span class="badge fail">FAIL<\/span>/);
    const seen: string[] = [];
    const traced = toHtml([result()], { trace: () => ({ add: (r) => seen.push(r.scenario), rows: () => [{ requirement: 'REQ-9', verdict: 'untested', evidence: [] }] }) });
    expect(seen).toEqual([`id-${evil}`]);
    expect(traced).toContain('<b>REQ-9</b></td><td><span class="badge untested">UNTESTED</span></td><td><span class="muted">(nothing judges it)</span>');
  });

  it('a passing report says so first and still has its plots and traceability', () => {
    const ok = result({ verdict: 'pass', summary: 'all held', expectations: [{ id: 'ok', requirement: 'R2', status: 'pass', verdict: 'pass', message: 'held', where: 'x:1:1' }] });
    const html = toHtml([ok]);
    expect(html).not.toContain('id="failures"');
    expect(html.indexOf('id="all-passed"')).toBeLessThan(html.indexOf('id="summary"'));
    expect(html).toContain('id="traceability"');
    expect(plots(html).every((p) => p.marks.length === 0)).toBe(true);
  });

  it('HtmlReport rewrites its file after each result, atomically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-html-'));
    try {
      const path = join(dir, 'report.html');
      const rep = new HtmlReport(path, { title: 'T' });
      rep.add(result({ scenario: 'first', verdict: 'pass' }));
      expect(readFileSync(path, 'utf8')).toContain('1 scenario(s): 1 passed');
      rep.add(result({ scenario: 'second' }));
      const html = readFileSync(path, 'utf8');
      expect(html).toContain('2 scenario(s): 1 passed, 1 failed');
      expect(html).toContain('href="#s-2"');
      expect(existsSync(`${path}.tmp`)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("labels each expectation with its status, lists reaction outcomes, and shows the scenario's t=0", () => {
    const r = result({
      t0: { epochMs: Date.UTC(2026, 0, 1, 0, 0, 5), iso: '2026-01-01T00:00:05.000Z', clock: 'virtual' },
      interrupted: { signal: 'SIGINT', atMs: 1200 },
    });
    r.expectations.push(
      {
        id: 'late',
        status: 'not-exercised',
        verdict: 'error',
        message: 'not exercised: late',
        reactions: [
          { triggeredAtMs: 1000, reactedAfterMs: 200, outcome: 'reacted' },
          { triggeredAtMs: 59_800, reactedAfterMs: null, outcome: 'open' },
        ],
        where: 'x.yaml:20:5',
      },
      { id: 'opt', status: 'not-judged', verdict: 'skip', message: 'not judged: stopped', where: 'x.yaml:22:5' },
    );
    const html = toHtml([r]);
    expect(html).toContain('<span class="badge error">NOT EXERCISED</span>');
    expect(html).toContain('<span class="badge skip">NOT JUDGED</span>');
    expect(html).toContain('<span class="badge fail">FAIL</span>');
    expect(html).toContain('t=1.000 s -&gt; 200 ms; t=59.800 s -&gt; open');
    expect(html).toContain('<dt>t=0</dt><dd>2026-01-01T00:00:05.000Z (virtual clock, epoch 1767225605.000000 s)</dd>');
    expect(html).toContain('<dt>interrupted</dt><dd>SIGINT at t=1.200s</dd>');
  });

  it('labels events on plots the short way', () => {
    expect(eventLabel('fault \'vent-blocked\': pack2 external-heat {"module":0,"watts":4000}')).toBe('fault vent-blocked');
    expect(eventLabel("clear fault 'vent-blocked'")).toBe('clear vent-blocked');
    expect(eventLabel('ramp inv1.irradiance 0 -> 800 over 60000 ms')).toBe('ramp inv1.irradiance -> 800');
    expect(eventLabel('set inv1.irradiance=300')).toBe('set inv1.irradiance=300');
    expect(eventLabel("age 365.0 days of 'daily-cycle' (no time passes on the scenario clock): pack1 ...")).toBe('age 365.0 days');
    expect(eventLabel(`note: ${'x'.repeat(60)}`)).toHaveLength(40);
  });

  it("lines up a failure plot's series on one time axis, however long each was recorded", () => {
    const n = (len: number, v: number) => ({ bucketMs: 1, t: Array.from({ length: len }, (_, i) => i), min: Array(len).fill(v) as number[], max: Array(len).fill(v) as number[] });
    const r = result({ series: { 'pack1.temperature.max': n(3000, 60), 'pack1.tempLimit': n(1000, 55) } });
    const f = plots(toHtml([r])).find((p) => p.id.startsWith('f-'))!;
    // 3000 buckets merge 4 to 1; the limit's 1000 are merged to the same width, not left finer.
    expect(f.x).toHaveLength(750);
    expect(f.x[1]).toBe(0.004);
    expect(f.lines[1]!.max.slice(0, 250).every((v) => v === 55)).toBe(true);
    expect(f.lines[1]!.max.slice(250).every((v) => v === null)).toBe(true);
    expect(f.lines[0]!.max.every((v) => v === 60)).toBe(true);
  });

  it("a failure plot opens on its window with room around it when that is a small part of the run", () => {
    const n = (v: number) => ({ bucketMs: 1000, t: Array.from({ length: 601 }, (_, i) => i * 1000), min: Array(601).fill(v) as number[], max: Array(601).fill(v) as number[] });
    const r = result({ simulatedMs: 600_000, series: { 'pack1.temperature.max': n(60), 'pack1.tempLimit': n(55) } });
    r.expectations[1]!.window = { fromMs: 300_000, toMs: 302_000, from: 'first violation', to: 'tolerance (2000 ms)' };
    r.expectations[1]!.atMs = 303_000;
    // 3 s of window and failure, padded by 30 s (5 % of the run) on each side.
    expect(plots(toHtml([r])).find((p) => p.id.startsWith('f-'))!.focus).toEqual({ from: 270, to: 333 });
    // The short run of the other tests is shown whole.
    expect(plots(toHtml([result()])).find((p) => p.id.startsWith('f-'))!.focus).toBeUndefined();
  });
});
