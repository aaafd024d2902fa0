/**
 * Lock-step figures (issue 16, docs/lockstep.md): how fast a controller process runs in lock step, against the same
 * controller in-process on the virtual clock measured in the same run (the reference).
 *
 * For each scenario (default: the CI example suite, fixtures/scenarios, on fixtures/benches/ci.yaml), two `hil run`
 * one after the other: `--virtual-time` (the reference controller in-process) and `--time-mode lockstep` (the same
 * controller as its own process through protocols/lockstep/client.ts). Prints, per scenario and in total: simulated
 * time, the wall time of each, the speed over real time (simulated / wall) of each, and the lock-step cost as the
 * ratio of the two wall times; also the grants per simulated second (round trips between the processes). The wall
 * time includes bench bring-up and, in lock step, the controller process's start (node) and stop.
 *
 *   npm run bench:lockstep [-- --scenarios fixtures/scenarios/overtemp-fast-charge.yaml,...]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'harness', 'cli', 'main.js');
const BENCH = join(ROOT, 'fixtures', 'benches', 'ci.yaml');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

interface Figures {
  simulatedMs: number;
  wallMs: number;
  grants: number;
}

function runOne(scenario: string, mode: string[]): Figures {
  const out = mkdtempSync(join(tmpdir(), 'hil-bench-lockstep-'));
  try {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [CLI, 'run', scenario, '--bench', BENCH, ...mode, '--out', out, '--no-traces'], { cwd: ROOT, encoding: 'utf8' });
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0 && r.status !== 1) throw new Error(`hil run ${mode.join(' ')} ${scenario}: exit ${r.status}\n${r.stderr}`);
    const recs = readFileSync(join(out, 'results.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const result = recs.find((x) => x.type === 'result')!;
    const grants = (recs.find((x) => x.type === 'lockstep')?.grants as number | undefined) ?? 0;
    return { simulatedMs: result.simulatedMs as number, wallMs, grants };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function main(): void {
  const scenarios = arg('scenarios')?.split(',').map((s) => resolve(s)) ??
    readdirSync(join(ROOT, 'fixtures', 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => join(ROOT, 'fixtures', 'scenarios', f));
  console.log(`lock step vs in-process virtual time: ${scenarios.length} scenario(s), ${cpus().length} CPU(s), load ${loadavg()[0]!.toFixed(2)}`);
  console.log('scenario                          simulated   in-process (x real)   lock step (x real)   lock step / in-process   grants per sim s');
  let sim = 0;
  let wallV = 0;
  let wallL = 0;
  let grants = 0;
  for (const s of scenarios) {
    const v = runOne(s, ['--virtual-time']);
    const l = runOne(s, ['--time-mode', 'lockstep']);
    sim += l.simulatedMs;
    wallV += v.wallMs;
    wallL += l.wallMs;
    grants += l.grants;
    const id = s.replace(/^.*\//, '').replace(/\.yaml$/, '');
    console.log(
      `${id.padEnd(32)} ${(l.simulatedMs / 1000).toFixed(0).padStart(8)} s ${(v.wallMs / 1000).toFixed(1).padStart(9)} s (${(v.simulatedMs / v.wallMs).toFixed(0).padStart(4)}x) ${(l.wallMs / 1000).toFixed(1).padStart(10)} s (${(l.simulatedMs / l.wallMs).toFixed(0).padStart(4)}x) ${(l.wallMs / v.wallMs).toFixed(1).padStart(18)}x ${(l.grants / (l.simulatedMs / 1000)).toFixed(1).padStart(18)}`,
    );
  }
  console.log(
    `${'total'.padEnd(32)} ${(sim / 1000).toFixed(0).padStart(8)} s ${(wallV / 1000).toFixed(1).padStart(9)} s (${(sim / wallV).toFixed(0).padStart(4)}x) ${(wallL / 1000).toFixed(1).padStart(10)} s (${(sim / wallL).toFixed(0).padStart(4)}x) ${(wallL / wallV).toFixed(1).padStart(18)}x ${(grants / (sim / 1000)).toFixed(1).padStart(18)}`,
  );
}

main();
