/**
 * Lock step (issue 16, docs/lockstep.md): the reference controller as its own process, driven through the lock-step
 * clock protocol (`hil run --time-mode lockstep`), gets the same verdicts - per scenario and per expectation - as
 * the same controller in-process in virtual time, and two lock-step runs write byte-identical traces (every CAN
 * candump file and Modbus transaction log, by SHA-256 of their uncompressed content).
 *
 * Virtual time, no wall-clock verdict: a busy machine makes it slower, never different. The whole example suite
 * takes about 75 s per lock-step run on the 2-core box (60x real time), so `npm test` runs a subset of three that
 * exercise start-up and discovery, CAN comms loss and Modbus exceptions (about 10 s per run);
 * `HIL_LOCKSTEP_SUITE=all` runs all of fixtures/scenarios.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { artifact, builtFile, describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';
import { CLI, records } from '../support/hil-cli';

const ALL = process.env.HIL_LOCKSTEP_SUITE === 'all';
const SUBSET = ['overtemp-fast-charge', 'can-comms-loss-one-pack', 'modbus-exceptions'];
const SCENARIOS = join(ROOT, 'fixtures', 'scenarios');
const scenarios = ALL ? readdirSync(SCENARIOS).filter((f) => f.endsWith('.yaml')).map((f) => join(SCENARIOS, f)) : SUBSET.map((s) => join(SCENARIOS, `${s}.yaml`));
const CI_BENCH = join(ROOT, 'fixtures', 'benches', 'ci.yaml');

jest.setTimeout(ALL ? 900_000 : 240_000);

interface Outcome {
  verdict: string;
  expectations: string[];
  lockstep?: boolean;
}

function outcomes(dir: string): Map<string, Outcome> {
  const out = new Map<string, Outcome>();
  for (const r of records(join(dir, 'results.jsonl'))) {
    if (r.type !== 'result') continue;
    const ex = r.expectations as Array<{ id: string; verdict: string }>;
    out.set(r.scenario as string, { verdict: r.verdict as string, expectations: ex.map((e) => `${e.id}:${e.verdict}`), ...(r.lockstep ? { lockstep: true } : {}) });
  }
  return out;
}

/** `scenario/file` -> SHA-256 of the uncompressed content, for every CAN trace and Modbus log of a run. */
function traceHashes(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const id of readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name)) {
    for (const f of readdirSync(join(dir, id))) {
      if (!/\.log\.gz$|^modbus-.*\.jsonl\.gz$/.test(f)) continue;
      out.set(`${id}/${f}`, createHash('sha256').update(gunzipSync(readFileSync(join(dir, id, f)))).digest('hex'));
    }
  }
  return out;
}

function run(args: string[]): void {
  const r = spawnSync(process.execPath, [CLI, 'run', ...scenarios, '--bench', CI_BENCH, ...args], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) throw new Error(`hil run ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
}

describeIf(builtFile('harness', 'cli', 'main.js'), NEEDS_BUILD, 'hil run --time-mode lockstep: the reference controller as a process, in virtual time', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-lockstep-'));
    run(['--virtual-time', '--out', join(dir, 'virtual')]);
    run(['--time-mode', 'lockstep', '--out', join(dir, 'lockstep-1')]);
    run(['--time-mode', 'lockstep', '--out', join(dir, 'lockstep-2')]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`${ALL ? 'all' : SUBSET.length} scenario(s): the same verdict and expectation verdicts as in-process virtual time`, () => {
    const virtual = outcomes(join(dir, 'virtual'));
    const lockstep = outcomes(join(dir, 'lockstep-1'));
    expect([...lockstep.keys()].sort()).toEqual([...virtual.keys()].sort());
    expect(virtual.size).toBe(scenarios.length);
    for (const [id, r] of lockstep) {
      expect({ id, lockstep: r.lockstep }).toEqual({ id, lockstep: true });
      expect({ id, verdict: r.verdict, expectations: r.expectations }).toEqual({ id, verdict: virtual.get(id)!.verdict, expectations: virtual.get(id)!.expectations });
      expect(virtual.get(id)!.lockstep).toBeUndefined();
    }
  });

  it('the controller ran as a process through the protocol: it was granted time, once per scenario it said hello and became ready', () => {
    const rs = records(join(dir, 'lockstep-1', 'results.jsonl'));
    const starts = rs.filter((r) => r.type === 'dut-start' && r.lockstep === true);
    expect(starts.map((r) => r.scenario).sort()).toEqual(SUBSET_OR_ALL().sort());
    const sessions = rs.filter((r) => r.type === 'lockstep');
    expect(sessions.map((r) => r.scenario).sort()).toEqual(SUBSET_OR_ALL().sort());
    for (const s of sessions) expect(s.grants as number).toBeGreaterThan(100);
    for (const id of SUBSET_OR_ALL()) expect(readFileSync(join(dir, 'lockstep-1', id, 'controller.log'), 'utf8')).toMatch(/controller ready/);
  });

  it('two lock-step runs write byte-identical CAN traces and Modbus logs', () => {
    const a = traceHashes(join(dir, 'lockstep-1'));
    const b = traceHashes(join(dir, 'lockstep-2'));
    // Every scenario traced both packs' buses and the Modbus endpoint.
    expect(a.size).toBe(scenarios.length * 3);
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    // A difference names its file and first differing line (both runs' text), and both runs' files are kept under
    // test-artifacts/lockstep/: a rare difference must be diagnosable from the one run that saw it.
    const differences = [...a].filter(([file, hash]) => b.get(file) !== hash).map(([file]) => firstDifference(dir, file));
    expect(differences).toEqual([]);
    // And they are not empty: the controller's own frames (0x305 heartbeat) are in them.
    const trace = gunzipSync(readFileSync(join(dir, 'lockstep-1', 'overtemp-fast-charge', 'pack1.log.gz'))).toString('utf8');
    expect(trace).toMatch(/ 305#/);
    expect(existsSync(join(dir, 'lockstep-1', 'overtemp-fast-charge', 'modbus-site.jsonl.gz'))).toBe(true);
  });
});

/** Where two lock-step runs' copies of `file` first differ (line number and both lines); both kept as artifacts. */
function firstDifference(dir: string, file: string): { file: string; line: number; run1: string; run2: string } {
  const text = (run: string): string => gunzipSync(readFileSync(join(dir, run, file))).toString('utf8');
  const one = text('lockstep-1').split('\n');
  const two = text('lockstep-2').split('\n');
  let i = 0;
  while (i < Math.max(one.length, two.length) && one[i] === two[i]) i++;
  for (const run of ['lockstep-1', 'lockstep-2']) copyFileSync(join(dir, run, file), artifact(join('lockstep', run, dirname(file)), basename(file)));
  return { file, line: i + 1, run1: one[i] ?? '(end of file)', run2: two[i] ?? '(end of file)' };
}

function SUBSET_OR_ALL(): string[] {
  return scenarios.map((p) => p.replace(/^.*\//, '').replace(/\.yaml$/, ''));
}
