import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HtmlReport, escapeHtml, niceTicks, toHtml } from './html';
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
      { id: `bad-${evil}`, requirement: 'R1', status: 'fail', verdict: 'fail', message: `too hot ${evil}`, atMs: 30_000, observed: { 'pack1.temp': 61.5 }, where: 'x.yaml:12:5' },
    ],
    errors: [],
    evidence: {
      frames: [`(1.000) pack1 351#00 ${evil}`],
      writes: ['inv1 write 40100 = 5'],
      dutOutput: [`stdout: ${evil}`],
      events: ['t=20.000s fault \'hot\': pack1 external-heat {"watts":50}', `t=40.000s note: ${evil}`],
    },
    series: {
      'pack1.temp': { bucketMs: 1000, t: [0, 1000, 2000, 30_000], min: [25, 26, 27, 61], max: [25, 26.5, 27, 61.5] },
      'pack1.contactor': { bucketMs: 1000, t: [0, 1000], min: [1, 0], max: [1, 1], boolean: true },
      [`odd ${evil}`]: { bucketMs: 1000, t: [], min: [], max: [] },
    },
    ...over,
  };
}

describe('HTML report', () => {
  it('escapes everything taken from results: no markup from an id, message, event or evidence gets through', () => {
    const html = toHtml([result()]);
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('id-&lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt;');
    expect(html).toContain('too hot &lt;script&gt;');
    expect(html).toContain('stdout: &lt;script&gt;');
    expect(escapeHtml(`a'b"c<d>&\x01`)).toBe('a&#39;b&quot;c&lt;d&gt;&amp;');
  });

  it('draws one plot per signal, with event markers and a failure marker on the signal the failure observed', () => {
    const html = toHtml([result()]);
    const svgs = html.match(/<svg [^>]*class="plot"[^>]*>/g) ?? [];
    expect(svgs).toHaveLength(3);
    expect(svgs[0]).toContain('data-signal="pack1.temp"');
    // Two timeline events on each of three plots.
    expect(html.match(/class="event-marker"/g)).toHaveLength(6);
    // The failure observed pack1.temp only: its marker is on that plot, with the observed value as a dot.
    const plots = html.split('<svg ').slice(1);
    expect(plots[0]).toContain('class="failure-marker"');
    expect(plots[0]).toMatch(/<circle /);
    expect(plots[1]).not.toContain('class="failure-marker"');
    expect(plots[1]).toContain('>true</text>');
    expect(plots[2]).toContain('(no values recorded)');
    // No external resources of any kind.
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
  });

  it('a failure with no observed values is marked on every plot', () => {
    const r = result();
    delete r.expectations[1]!.observed;
    expect(toHtml([r]).match(/class="failure-marker"/g)).toHaveLength(3);
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

  it('ticks are round numbers covering the range', () => {
    expect(niceTicks(0, 86_400, 10)).toEqual([0, 10_000, 20_000, 30_000, 40_000, 50_000, 60_000, 70_000, 80_000]);
    expect(niceTicks(-1, 1, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
  });
});
