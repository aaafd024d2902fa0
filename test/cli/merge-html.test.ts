import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';
import { CLI } from '../support/hil-cli';

jest.setTimeout(120_000);

const hil = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
const CI_BENCH = join(ROOT, 'fixtures', 'benches', 'ci.yaml');
const scenario = (id: string, fail: boolean): string =>
  [`scenario: ${id}`, 'duration: 10s', 'expect:', `  - { id: end, atEnd: "pack1.soc ${fail ? '> 99' : '> 1'}" }`, ''].join('\n');

describeIf(existsSync(CLI), NEEDS_BUILD, 'hil merge --html (real CLI)', () => {
  it('one report of two shards, failures first, with the plots of each shard', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-merge-html-'));
    try {
      const files = ['a-pass', 'b-fail'].map((id) => {
        const p = join(dir, `${id}.yaml`);
        writeFileSync(p, scenario(id, id.endsWith('fail')));
        return p;
      });
      for (const i of [1, 2]) expect(hil('run', ...files, '--bench', CI_BENCH, '--shard', `${i}/2`, '--out', join(dir, `s${i}`)).status).toBe(i === 1 ? 0 : 1);
      const html = join(dir, 'report.html');
      const r = hil('merge', join(dir, 's1', 'results.jsonl'), join(dir, 's2', 'results.jsonl'), '--html', html);
      expect(r.status).toBe(1);
      const page = readFileSync(html, 'utf8');
      expect(page.indexOf('b-fail')).toBeGreaterThan(0);
      expect(page.indexOf('b-fail')).toBeLessThan(page.indexOf('a-pass'));
      // A plot of pack1.soc for each shard's scenario (uPlot specs in the page), and the failure block first.
      expect((page.match(/<script type="application\/json" class="plot-data" data-for="s-\d+-p0">[^<]*"title":"pack1.soc"/g) ?? []).length).toBe(2);
      expect(page.indexOf('id="failures"')).toBeLessThan(page.indexOf('a-pass'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
