/**
 * How fast bad input is refused (issue 10: "each gets exit 2 ... fast"). In-process, through `inspect` (what
 * `hil run` checks first and `hil validate` reports), against the CI bench:
 *
 * 1. The worst cases a file can hold within the 1 MiB limit: 1 MiB of nested `[`, 500,000 nested `- `, 1 MiB of
 *    indentation nesting, a billion-laughs alias bomb, 1 MiB of flat values (past the 20,000-value limit), a
 *    1,000-character expression nested to the limit, and valid files at the limits' edges (1 MiB of comments, one
 *    1 MiB string, 9,900 keys in one mapping).
 * 2. Every file of the corpus (test/bad-input): median and slowest.
 *
 * Reference measured in the same run: checking fixtures/scenarios/overtemp-fast-charge.yaml (a valid scenario)
 * against the same bench. Figures are medians of `--runs` (default 5) and ratios to the reference, so they read the
 * same on a busy machine.
 *
 *   npm run build && node dist/scripts/bench-bad-input.js [--runs 5]
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspect } from '../harness/cli/commands/preflight';
import { INPUT_LIMITS } from '../harness/config/limits';

const root = resolve(__dirname, '..', '..');
const bench = join(root, 'fixtures', 'benches', 'ci.yaml');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg >= 0 ? Number(process.argv[runsArg + 1]) : 5;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

async function timeCheck(file: string, withBench: boolean): Promise<{ ms: number; problems: number; first: string }> {
  const t0 = performance.now();
  const r = await inspect({ paths: [file], ...(withBench ? { benchPath: bench } : {}), mode: 'real', dutOptions: [], dutArgs: [], benchesAmongPaths: true });
  const ms = performance.now() - t0;
  const problems = r.files.filter((f) => f.file === file).flatMap((f) => f.problems);
  return { ms, problems: problems.length, first: problems[0]?.message ?? '(no problem)' };
}

async function main(): Promise<void> {
  process.chdir(root);
  const dir = mkdtempSync(join(tmpdir(), 'hil-bench-bad-'));
  const head = 'scenario: worst\nduration: 1m\nexpect:\n  - id: ok\n    atEnd: t > 0\n';
  const room = INPUT_LIMITS.fileBytes - head.length - 16;
  const worst: Array<[string, string]> = [
    ['1 MiB of nested [', `${head}tags: ${'['.repeat(room / 2)}${']'.repeat(room / 2)}\n`],
    ['500,000 nested "- "', `${head}tags:\n${'- '.repeat(Math.floor(room / 2) - 4)}x\n`],
    ['indentation nesting, 1 MiB', `${head}initial:\n${Array.from({ length: 1400 }, (_, i) => `${' '.repeat(i + 1)}k:`).join('\n').slice(0, room)}\n`],
    ['billion laughs (9 x 9 aliases)', `${head}initial:\n  devices:\n    x0: &a0 [l, l, l, l, l, l, l, l, l]\n${Array.from({ length: 8 }, (_, i) => `    x${i + 1}: &a${i + 1} [${Array(9).fill(`*a${i}`).join(', ')}]\n`).join('')}`],
    ['1 MiB of flat values', `${head}tags: [${Array(Math.floor(room / 2)).fill('a').join(',')}]\n`],
    ['expression at the length and nesting limits', `scenario: worst\nduration: 1m\nexpect:\n  - id: deep\n    atEnd: "${'('.repeat(32)}${Array(120).fill('t').join('+')}${')'.repeat(32)} > 0 + ${'1+'.repeat(200)}1"\n`],
    ['1 MiB of comments (valid, at the size limit)', `${head}${'#'.repeat(room - 1)}\n`],
    ['1 MiB in one string (valid)', `${head}description: "${'x'.repeat(room - 20)}"\n`],
    ['9,900 keys in one mapping (valid, near the value limit)', `${head}initial:\n  devices:\n${Array.from({ length: 9_900 }, (_, i) => `    d${i}: {}`).join('\n')}\n`],
  ];
  const reference = join(root, 'fixtures', 'scenarios', 'overtemp-fast-charge.yaml');
  await timeCheck(reference, true); // warm-up: modules, the bench, the controller module
  const refs: number[] = [];
  for (let i = 0; i < runs; i++) refs.push((await timeCheck(reference, true)).ms);
  const ref = median(refs);
  console.log(`bad input refused: ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}; reference: a valid scenario checked against the CI bench, median ${ref.toFixed(1)} ms`);
  console.log('');
  console.log(`${'worst case within 1 MiB'.padEnd(56)} median ms   x reference   first problem`);
  for (const [name, text] of worst) {
    const file = join(dir, 'worst.yaml');
    writeFileSync(file, text);
    const xs: number[] = [];
    let last = { ms: 0, problems: 0, first: '' };
    for (let i = 0; i < runs; i++) {
      last = await timeCheck(file, true);
      xs.push(last.ms);
    }
    const m = median(xs);
    console.log(`${name.padEnd(56)} ${m.toFixed(1).padStart(9)}   ${(m / ref).toFixed(2).padStart(10)}   ${last.first.slice(0, 70)}`);
  }
  const corpus: Array<{ file: string; ms: number }> = [];
  for (const sub of ['scenarios', 'benches']) {
    const d = join(root, 'test', 'bad-input', sub);
    for (const f of readdirSync(d).filter((x) => x.endsWith('.yaml')).sort()) {
      const file = join(d, f);
      corpus.push({ file: `${sub}/${f}`, ms: (await timeCheck(file, sub === 'scenarios')).ms });
    }
  }
  corpus.sort((a, b) => a.ms - b.ms);
  const slowest = corpus[corpus.length - 1]!;
  console.log('');
  console.log(`corpus (${corpus.length} files): median ${median(corpus.map((c) => c.ms)).toFixed(1)} ms (${(median(corpus.map((c) => c.ms)) / ref).toFixed(2)} x reference), slowest ${slowest.ms.toFixed(1)} ms (${(slowest.ms / ref).toFixed(2)} x) ${slowest.file}`);
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
