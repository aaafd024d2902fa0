import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestResult } from '../../harness/campaign/result-digest';
import { RequirementTracer, traceRequirements } from '../../harness/campaign/traceability';
import { HtmlReport, toHtml } from '../../harness/report/html';
import { JUnitReport, toJUnit } from '../../harness/report/junit';
import { MemoryParts, REWRITE_EACH_UP_TO, SpooledParts } from '../../harness/report/part-spool';
import type { ScenarioResult } from '../../harness/scenario/result';

/**
 * A certification campaign of thousands of scenarios (a sweep) through the reports as `runCampaign` feeds them:
 * each result handed to the HTML and JUnit reports once, then dropped (the campaign keeps its digest). The reports
 * must come out as the ones rendered from all results at once, with the traceability the rule gives. The memory
 * figures are in `npm run bench:reports` (scripts/bench-reports.ts), not here.
 */

const N = 5000;

/** Synthetic result i: a sweep combination; fails every 13th, skipped every 101st, a harness error every 257th. */
function synthetic(i: number): ScenarioResult {
  const skip = i % 101 === 0;
  const fail = !skip && i % 13 === 0;
  const harnessError = !skip && !fail && i % 257 === 0;
  const verdict = skip ? 'skip' : harnessError ? 'error' : fail ? 'fail' : 'pass';
  return {
    scenario: `sweep@ambient=${i},soc=${i % 5}0 <é>`,
    title: `combination ${i}`,
    source: 'fixtures/scenarios/sweep.yaml',
    bench: 'ci',
    requirements: [`REQ-${i % 20}`],
    verdict,
    summary: skip ? 'needs real time' : fail ? 'limit: exceeded' : '2 expectation(s) met',
    startedAt: '2026-12-01T00:00:00.000Z',
    wallMs: 100 + (i % 7),
    simulatedMs: 60_000,
    timeMode: 'virtual',
    seed: i,
    expectations: skip
      ? []
      : [
          { id: 'held', status: 'pass', verdict: 'pass', message: 'held throughout', where: 'sweep.yaml:10:5' },
          fail
            ? { id: 'limit', requirement: `R-${i % 7}`, status: 'fail', verdict: 'fail', message: `exceeded by ${i} °C`, atMs: 1000, observed: { 'pack1.temperature.max': 60 + (i % 10) }, where: 'sweep.yaml:12:5' }
            : { id: 'limit', requirement: `R-${i % 7}`, status: 'pass', verdict: 'pass', message: 'held', where: 'sweep.yaml:12:5' },
        ],
    errors: harnessError ? [{ atMs: 500, message: 'the controller exited during the scenario (exit code 7)' }] : [],
    evidence: {
      frames: fail ? ['t=1.000s pack1 356#8A14550000F0'] : [],
      framesDecoded: fail ? ['BMS_Measurements BatteryVoltage=52.26 V'] : [],
      writes: [],
      dutOutput: harnessError ? ['stdout: segfault'] : [],
      events: [`t=0.000s ambient ${i} degC`],
    },
  };
}

describe('reports over a campaign of many results', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-many-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`${N} results through HtmlReport and JUnitReport one at a time give the pages rendered from all at once`, () => {
    const htmlPath = join(dir, 'report.html');
    const junitPath = join(dir, 'junit.xml');
    const html = new HtmlReport(htmlPath, { title: 'sweep', trace: () => new RequirementTracer() });
    const junit = new JUnitReport(junitPath);
    const digests: ScenarioResult[] = [];
    let lagged = false;
    for (let i = 1; i <= N; i++) {
      html.add(synthetic(i)); // the synthetic result is dropped right away, as a campaign drops it
      junit.add(synthetic(i));
      digests.push(digestResult(synthetic(i)));
      if (i <= REWRITE_EACH_UP_TO) expect(readFileSync(htmlPath, 'utf8')).toContain(`${i} scenario(s)`);
      if (i === 2000 || i === 3333) {
        // Past the first results the file is rewritten as it grows: it may lag, but it is always a whole page.
        const now = readFileSync(htmlPath, 'utf8');
        expect(now.trimEnd().endsWith('</html>')).toBe(true);
        const shown = Number(/(\d+) scenario\(s\):/.exec(now)![1]);
        expect(shown).toBeLessThanOrEqual(i);
        expect(shown).toBeGreaterThan(i * 0.75);
        lagged ||= shown < i;
        expect(readFileSync(junitPath, 'utf8').trimEnd().endsWith('</testsuites>')).toBe(true);
      }
    }
    expect(lagged).toBe(true); // the growth rule did skip rewrites (else this test would not exercise it)
    html.close();
    junit.close();

    const all = Array.from({ length: N }, (_, i) => synthetic(i + 1));
    const page = readFileSync(htmlPath, 'utf8');
    const stamp = (s: string): string => s.replace(/Generated [^.]*\.\d+Z\./, 'Generated (time).');
    expect(stamp(page)).toBe(stamp(toHtml(all, { title: 'sweep', trace: () => new RequirementTracer() })));
    expect(readFileSync(junitPath, 'utf8')).toBe(toJUnit(all));

    // And what those pages say, from the generator's rule rather than from the renderer.
    const count = (v: string): number => all.filter((r) => r.verdict === v).length;
    expect(page).toContain(`${N} scenario(s): ${count('pass')} passed, ${count('fail')} failed, ${count('error')} errors, ${count('skip')} skipped.`);
    expect(page.match(/<section id="s-\d+"/g)).toHaveLength(N);
    expect(page.match(/class="failure-group"/g)).toHaveLength(count('fail') + count('error'));
    expect(page.indexOf('id="s-4999"')).toBeLessThan(page.indexOf('id="s-5000"'));
    const table = page.slice(page.indexOf('id="traceability"'), page.indexOf('</table>', page.indexOf('id="traceability"')));
    for (let k = 0; k < 7; k++) {
      const combos = all.filter((r) => r.verdict !== 'skip' && Number(/ambient=(\d+)/.exec(r.scenario)![1]) % 7 === k);
      const failed = combos.some((r) => r.verdict === 'fail');
      const row = new RegExp(`<tr><td><b>R-${k}</b></td><td><span class="badge (\\w+)">[^<]*</span></td><td>(.*?)</td></tr>`).exec(table)!;
      expect(row[1]).toBe(failed ? 'fail' : 'pass');
      expect(row[2]!.split('<br>')).toHaveLength(combos.length);
    }
    // REQ-k: judged by each combination's expectation without a requirement, its harness errors, its skips.
    const req0 = traceRequirements(all).find((t) => t.requirement === 'REQ-0')!;
    expect(req0.evidence).toHaveLength(all.filter((r) => r.requirements[0] === 'REQ-0').reduce((n, r) => n + (r.verdict === 'skip' ? 1 : 1 + r.errors.length), 0));
    const xml = readFileSync(junitPath, 'utf8');
    expect(xml.match(/<testsuite /g)).toHaveLength(N);
    const tests = all.reduce((n, r) => n + r.expectations.length + (r.errors.length > 0 || r.verdict === 'skip' ? 1 : 0), 0);
    expect(xml).toMatch(new RegExp(`<testsuites name="hil" tests="${tests}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skip')}"`));

    // What the campaign keeps (its digests) is enough for requirements.json, as from the whole results.
    expect(traceRequirements(digests)).toEqual(traceRequirements(all));
    expect(digests.every((d) => d.evidence.events.length === 0 && d.series === undefined)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['junit.xml', 'report.html']);
  }, 300_000);

  it('puts JUnit suites in the order asked (a resumed campaign: kept results, then new ones, in selection order)', () => {
    const path = join(dir, 'ordered.xml');
    const junit = new JUnitReport(path);
    const rs = [5, 1, 9, 3, 2].map(synthetic); // e.g. 1, 3 and 9 ran before the interruption; 2 and 5 now
    const order = [4, 0, 3, 2, 1];
    rs.forEach((r, i) => junit.add(r, order[i]));
    junit.close();
    expect(readFileSync(path, 'utf8')).toBe(toJUnit([1, 2, 3, 9, 5].map(synthetic)));
    const mem = new MemoryParts();
    const disk = new SpooledParts(join(dir, 'o.html'));
    for (const [text, o] of [['c', 2], ['a', 0], ['d', undefined], ['b', 1], ['b2', 1]] as const) {
      mem.append('x', text, o);
      disk.append('x', text, o);
    }
    const read = (p: MemoryParts | SpooledParts): string => {
      const out: Buffer[] = [];
      p.emit('x', (c) => out.push(Buffer.from(c)));
      return Buffer.concat(out).toString('utf8');
    };
    expect(read(mem)).toBe('a\nb\nb2\nc\nd');
    expect(read(disk)).toBe('a\nb\nb2\nc\nd');
    disk.close();
  });

  it('keeps pieces in a folder beside the report that it removes on close (and a killed run\'s on start); the report stays, and takes no result after it', () => {
    const parts = new SpooledParts(join(dir, 'r.html'));
    expect(parts.dir.startsWith(join(dir, '.r.html.parts-'))).toBe(true);
    const big = `${'é'.repeat(700_000)}|`; // 1.4 MB: a chunk boundary falls inside a two-byte character
    parts.append('a', big);
    parts.append('a', 'second');
    const chunks: Buffer[] = [];
    parts.emit('a', (c) => chunks.push(Buffer.from(c)));
    expect(chunks.length).toBeGreaterThan(1);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(`${big}\nsecond`);
    expect(existsSync(parts.dir)).toBe(true);
    parts.close();
    expect(existsSync(parts.dir)).toBe(false);

    const path = join(dir, 'closed.html');
    // What a killed run left beside the report goes when the next report to that path starts.
    const left = new SpooledParts(path);
    left.append('section', 'from a run that was killed');
    const html = new HtmlReport(path);
    expect(existsSync(left.dir)).toBe(false);
    html.add(synthetic(1));
    html.close();
    html.close();
    expect(readFileSync(path, 'utf8')).toContain('1 scenario(s): 1 passed');
    expect(() => html.add(synthetic(2))).toThrow(/after close/);
    expect(readdirSync(dir).filter((f) => f.includes('closed.html'))).toEqual(['closed.html']);
  });
});
