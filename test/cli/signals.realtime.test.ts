import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeIf, NEEDS_BUILD } from '../support/describe-if';
import { CLI, pidFrom, processGone, records, waitUntil, writeMisbehavingBench } from '../support/hil-cli';
import { HilProcess } from './can-cli-support';

jest.setTimeout(120_000);

// Real-time runs of the real CLI with a controller process (wall-clock sensitive: they wait for events with
// generous bounds and assert no durations). Interrupts, process groups, hang detection, --resume after a signal.

const scenario = (id: string, duration: string) =>
  [
    `scenario: ${id}`,
    `duration: ${duration}`,
    'timeline:',
    '  - { at: 0s, note: timeline started }',
    'expect:',
    '  - { id: soc-positive, always: "pack1.soc > 0" }',
    '  - { id: soc-reached, eventually: "pack1.soc > 0", by: 4s }',
    '  - { id: soc-at-end, atEnd: "pack1.soc > 0" }',
    '',
  ].join('\n');

type Rec = Record<string, unknown> & { expectations?: Array<{ id: string; verdict: string; message: string }> };

describeIf(existsSync(CLI), NEEDS_BUILD, 'hil run: signals, process groups, hung controllers (real CLI, real time)', () => {
  let dir: string;
  let hil: HilProcess | undefined;
  const pids: number[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-signals-'));
  });
  afterEach(async () => {
    await hil?.kill();
    hil = undefined;
    for (const pid of pids.splice(0)) {
      try {
        process.kill(pid, 'SIGKILL'); // only if a test failed and left it behind
      } catch {
        // gone, as it should be
      }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** Start `hil run` on a 60 s scenario and wait until its timeline has started and the controller is up. */
  async function startLongRun(controllerArgs: string[], dutExtra: string[] = []): Promise<{ out: string; controller: number; child?: number }> {
    const bench = writeMisbehavingBench(dir, controllerArgs, dutExtra);
    const file = join(dir, 'long-run.yaml');
    writeFileSync(file, scenario('long-run', '60s'));
    const out = join(dir, 'out');
    hil = new HilProcess(CLI, ['run', file, '--bench', bench, '--out', out, '--junit', join(dir, 'junit.xml')]);
    const controller = await pidFrom(join(dir, 'controller.pid'));
    pids.push(controller);
    const child = controllerArgs.includes('--child') ? await pidFrom(join(dir, 'child.pid')) : undefined;
    if (child !== undefined) pids.push(child);
    await waitUntil(() => records(join(out, 'results.jsonl')).some((r) => r.text === 'note: timeline started'), 'the timeline to start');
    return { out, controller, ...(child !== undefined ? { child } : {}) };
  }

  const resultOf = (out: string): Rec => records(join(out, 'results.jsonl')).filter((r) => r.type === 'result').pop() as Rec;
  const verdicts = (r: Rec): Record<string, string> => Object.fromEntries(r.expectations!.map((e) => [e.id, e.verdict]));

  it('SIGINT: the scenario is recorded as interrupted, the controller group (ignoring SIGTERM, with a child) is killed, exit 130', async () => {
    const run = await startLongRun(['--ignore-term', '--child', '--child-ignores-term']);
    hil!.child.kill('SIGINT');
    expect(await hil!.exitCode()).toBe(130);
    const r = resultOf(run.out);
    expect(r).toMatchObject({ verdict: 'error', interrupted: { signal: 'SIGINT' } });
    // What was decided stays; what needed the rest of the run is not judged.
    expect(verdicts(r)).toEqual({ 'soc-positive': 'error', 'soc-reached': 'pass', 'soc-at-end': 'error' });
    expect(r.expectations!.find((e) => e.id === 'soc-at-end')!.message).toMatch(/^not judged: the run stopped .*\(interrupted by SIGINT\)/);
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toContain('type="Interrupted"');
    expect(junit).toContain('<property name="interrupted" value="SIGINT at t=');
    expect(junit).toMatch(/<error message="not judged: the run stopped [^"]*\(interrupted by SIGINT\)/);
    expect(hil!.lines.out.join('\n')).toContain('INTERRUPTED by SIGINT');
    // No orphans: the controller ignored SIGTERM, its child too; both were SIGKILLed with the group.
    expect(processGone(run.controller)).toBe(true);
    expect(processGone(run.child!)).toBe(true);
    expect(readFileSync(join(run.out, 'long-run', 'controller.log'), 'utf8')).toContain('SIGTERM ignored');
  });

  it('SIGTERM: exit 143; a child that outlives its controller (it ignores SIGTERM) is killed with the group', async () => {
    const run = await startLongRun(['--child', '--child-ignores-term']);
    hil!.child.kill('SIGTERM');
    expect(await hil!.exitCode()).toBe(143);
    expect(resultOf(run.out)).toMatchObject({ verdict: 'error', interrupted: { signal: 'SIGTERM' } });
    expect(processGone(run.controller)).toBe(true);
    expect(processGone(run.child!)).toBe(true);
  });

  it('a stopped controller (SIGSTOP) is hung: an error verdict and exit 3, not a fail; it is killed afterwards', async () => {
    const run = await startLongRun([]);
    process.kill(run.controller, 'SIGSTOP');
    expect(await hil!.exitCode()).toBe(3);
    const r = resultOf(run.out);
    expect(r.verdict).toBe('error');
    expect(r.summary).toMatch(/^the controller is hung: its process \(pid \d+\) has been stopped \(state T/);
    expect(Object.values(verdicts(r))).not.toContain('fail');
    expect(verdicts(r)['soc-at-end']).toBe('error');
    expect(processGone(run.controller)).toBe(true);
  });

  it('a silent controller (no frame, no request, no output) is hung after dut.livenessTimeout: exit 3', async () => {
    const run = await startLongRun(['--silent'], ['livenessTimeout: 2s']);
    expect(await hil!.exitCode()).toBe(3);
    const r = resultOf(run.out);
    expect(r.verdict).toBe('error');
    expect(r.summary).toMatch(/^the controller is hung: no sign of life for 2\.\d+s \(no CAN frame, no Modbus request, no output since t=0\.000s; dut\.livenessTimeout is 2s\)/);
    expect(processGone(run.controller)).toBe(true);
  });

  it('--resume after a SIGTERM keeps the finished result, runs the interrupted scenario again, and appends', async () => {
    const bench = writeMisbehavingBench(dir, []);
    writeFileSync(join(dir, 'a-short.yaml'), scenario('a-short', '1s').replace(/, by: 4s/, ', by: 1s'));
    writeFileSync(join(dir, 'b-cut.yaml'), scenario('b-cut', '5s'));
    const out = join(dir, 'out');
    const args = ['run', join(dir, 'a-short.yaml'), join(dir, 'b-cut.yaml'), '--bench', bench, '--out', out, '--junit', join(dir, 'junit.xml')];
    hil = new HilProcess(CLI, args);
    const log = join(out, 'results.jsonl');
    await waitUntil(() => records(log).some((r) => r.scenario === 'b-cut' && r.text === 'note: timeline started'), "b-cut's timeline to start");
    hil.child.kill('SIGTERM');
    expect(await hil.exitCode()).toBe(143);
    const first = records(log).filter((r) => r.type === 'result');
    expect(first.map((r) => `${String(r.scenario)}:${String(r.verdict)}`)).toEqual(['a-short:pass', 'b-cut:error']);

    // Without --resume the directory is refused (one line, exit 2).
    const again = new HilProcess(CLI, args);
    expect(await again.exitCode()).toBe(2);
    expect(again.lines.err).toEqual([expect.stringMatching(/^hil: --out .* is not empty \(it holds the results of an earlier run\): continue that run with --resume/)]);

    hil = new HilProcess(CLI, [...args, '--resume']);
    expect(await hil.exitCode()).toBe(0);
    expect(hil.lines.out).toContain(`resume: 1 scenario(s) already judged in ${log} (kept), 1 to run`);
    const results = records(log).filter((r) => r.type === 'result');
    expect(results.map((r) => `${String(r.scenario)}:${String(r.verdict)}`)).toEqual(['a-short:pass', 'b-cut:error', 'b-cut:pass']);
    expect(records(log).filter((r) => r.type === 'run').map((r) => r.resumed ?? false)).toEqual([false, true]);
    const junit = readFileSync(join(dir, 'junit.xml'), 'utf8');
    expect(junit).toContain('<testsuite name="a-short"');
    expect(junit).toContain('<testsuite name="b-cut"');
    expect(junit).not.toContain('Interrupted');
    expect(readdirSync(out).sort()).toEqual(['SHA256SUMS', 'a-short', 'b-cut', 'b-cut.attempt-1', 'manifest.json', 'results.jsonl']);
    // The continued file is complete: hil merge accepts it.
    const merge = new HilProcess(CLI, ['merge', log]);
    expect(await merge.exitCode()).toBe(0);
  });
});
