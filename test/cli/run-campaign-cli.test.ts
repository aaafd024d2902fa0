import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';
import { chrtAllows } from '../support/peers';
import { CLI, records } from '../support/hil-cli';

jest.setTimeout(120_000);

// The real CLI on the CI bench (reference controller in-process, virtual time), except the one --time-mode real test.
const hil = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
const CI_BENCH = join(ROOT, 'fixtures', 'benches', 'ci.yaml');

/** A short scenario for the CI bench: `atEnd` passes, or fails with `fail`. */
const scenario = (id: string, opts: { fail?: boolean; timeMode?: string; duration?: string } = {}) =>
  [
    `scenario: ${id}`,
    `duration: ${opts.duration ?? '20s'}`,
    ...(opts.timeMode ? [`timeMode: ${opts.timeMode}`] : []),
    'expect:',
    `  - { id: end, atEnd: "pack1.soc ${opts.fail ? '> 99' : '> 1'}" }`,
    '',
  ].join('\n');

describeIf(existsSync(CLI), NEEDS_BUILD, 'hil run / merge: pipes, time modes, skips, resume, merge (real CLI)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-campaign-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('hil run ... | head -1: EPIPE on stdout (and stderr) changes neither the exit code nor the results', () => {
    const a = write('a.yaml', scenario('a'));
    const b = write('b.yaml', scenario('b', { fail: true }));
    for (const [redirect, tag] of [['', 'stdout'], ['2>&1', 'both']] as const) {
      const out = join(dir, `out-${tag}`);
      const junit = join(dir, `junit-${tag}.xml`);
      // head exits after the first line ("[1/2] a (virtual) started"); every later write meets a closed pipe.
      const cmd = `"${process.execPath}" "${CLI}" run "${a}" "${b}" --bench "${CI_BENCH}" --out "${out}" --junit "${junit}" ${redirect} | head -1; echo "hil exit \${PIPESTATUS[0]}"`;
      const r = spawnSync('bash', ['-c', cmd], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
      expect(r.stdout).toBe('[1/2] a (virtual) started\nhil exit 1\n');
      expect(records(join(out, 'results.jsonl')).filter((x) => x.type === 'result').map((x) => `${String(x.scenario)}:${String(x.verdict)}`)).toEqual(['a:pass', 'b:fail']);
      expect(readFileSync(junit, 'utf8')).toContain('<testsuite name="b"');
    }
    // The same run with its output read to the end: the same exit code.
    expect(hil('run', a, b, '--bench', CI_BENCH).status).toBe(1);
  });

  it('--time-mode: bad values and contradictions are exit 2 in one line', () => {
    const a = write('a.yaml', scenario('a'));
    const bad = hil('run', a, '--bench', CI_BENCH, '--time-mode', 'fast');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("hil: --time-mode 'fast': expected one of real, virtual, lockstep, auto\n");
    const both = hil('run', a, '--bench', CI_BENCH, '--virtual-time', '--time-mode', 'real');
    expect(both.status).toBe(2);
    expect(both.stderr).toBe('hil: --virtual-time and --time-mode real contradict each other (--virtual-time means --time-mode virtual)\n');
  });

  it('a scenario that cannot run in the time mode is skipped with its reason and exit 4, unless --allow-skip', () => {
    // The CI bench without its in-process controller: virtual time is impossible.
    const bench = write('proc.yaml', readFileSync(CI_BENCH, 'utf8').replace(/^\s*module:.*$/m, '').replace(/^\s*moduleOptions:.*$/m, ''));
    const v = write('v.yaml', scenario('v-only', { timeMode: 'virtual', duration: '24h' }));
    const r = hil('run', v, '--bench', bench);
    expect(r.status).toBe(4);
    expect(r.stdout).toContain(
      `SKIP v-only (${v}): declares timeMode: virtual, but the bench's controller runs only as a process (dut.command, no dut.module); force it to real time with --time-mode real (it then takes 24h00m)`,
    );
    expect(r.stdout).toContain('1 scenario(s): 0 passed, 0 failed, 0 errors, 1 skipped');
    expect(r.stderr).toBe('hil: 1 scenario(s) skipped (listed above with the reason): not everything ran, exit code 4 (--allow-skip accepts skips)\n');
    expect(hil('run', v, '--bench', bench, '--allow-skip').status).toBe(0);
    // In virtual time a real-time-only scenario is skipped, the others run.
    const real = write('r.yaml', scenario('r-only', { timeMode: 'real' }));
    const a = write('a.yaml', scenario('a'));
    const mixed = hil('run', a, real, '--bench', CI_BENCH, '--time-mode', 'virtual', '--junit', join(dir, 'j.xml'));
    expect(mixed.status).toBe(4);
    expect(mixed.stdout).toContain('SKIP r-only');
    expect(mixed.stdout).toContain('declares timeMode: real and this run is in virtual time');
    expect(readFileSync(join(dir, 'j.xml'), 'utf8')).toMatch(/<skipped message="declares timeMode: real/);
  });

  it('--time-mode real forces a virtual-only scenario to real time, printing its real duration first', () => {
    const v = write('v.yaml', scenario('v-forced', { timeMode: 'virtual', duration: '2s' }));
    const r = hil('run', v, '--bench', CI_BENCH, '--time-mode', 'real', '--junit', join(dir, 'j.xml'));
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('real time: 1 scenario(s), 2s of wall-clock time in total (plus controller start-up):');
    expect(lines[1]).toMatch(/^ +2s {2}v-forced \(declared timeMode: virtual; forced to real time\)$/);
    expect(lines).toContain('[1/1] v-forced (real, forced) started');
    const junit = readFileSync(join(dir, 'j.xml'), 'utf8');
    expect(junit).toContain('<property name="timeMode" value="real"/>');
    expect(junit).toContain('<property name="forcedRealTime" value="true"/>');
  });

  it('--realtime: a bad priority is exit 2; in virtual time not asked; in real time SCHED_FIFO as chrt allows here, in the manifest', () => {
    const r1 = write('r1.yaml', scenario('rt', { timeMode: 'real', duration: '1s' }));
    const bad = hil('run', r1, '--bench', CI_BENCH, '--realtime', '0');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('hil: --realtime 0: expected a priority from 1 to 99\n');
    const virtual = hil('run', write('v.yaml', scenario('v')), '--bench', CI_BENCH, '--realtime');
    expect(virtual.status).toBe(0);
    expect(virtual.stderr).toBe('hil: real-time scheduling: not asked (every scenario runs in virtual time)\n');
    const out = join(dir, 'out');
    const real = hil('run', r1, '--bench', CI_BENCH, '--realtime', '15', '--out', out);
    expect(real.status).toBe(0);
    // What this machine allows, asked of chrt itself on a sleeping child (a container may refuse even root).
    const allowed = chrtAllows(15);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { extra?: { scheduling?: { state: string } } };
    if (allowed) {
      expect(real.stderr).toMatch(/^hil: real-time scheduling: SCHED_FIFO priority 15 for the harness's threads( \(.+\))?\n$/);
      expect(manifest.extra?.scheduling).toMatchObject({ state: 'on', policy: 'SCHED_FIFO', priority: 15 });
    } else {
      expect(real.stderr).toMatch(/^hil: real-time scheduling not set \(.+\): timers may wake 1-3 ms late/);
      expect(manifest.extra?.scheduling).toMatchObject({ state: 'refused' });
    }
  });

  it('--resume continues a run killed mid-record: the cut line is dropped, finished results kept, the rest run and appended', () => {
    const a = write('a.yaml', scenario('a'));
    const b = write('b.yaml', scenario('b'));
    const out = join(dir, 'out');
    expect(hil('run', a, b, '--bench', CI_BENCH, '--out', out).status).toBe(0);
    // Make it look killed while writing b's result: keep everything before it, and half of that line.
    const log = join(out, 'results.jsonl');
    const lines = readFileSync(log, 'utf8').split('\n');
    const bResult = lines.findIndex((l) => l.startsWith('{"type":"result","scenario":"b"'));
    const aResult = JSON.parse(lines.find((l) => l.startsWith('{"type":"result","scenario":"a"'))!) as { startedAt: string };
    writeFileSync(log, [...lines.slice(0, bResult), lines[bResult]!.slice(0, 40)].join('\n'));
    const merged = hil('merge', log);
    expect(merged.status).toBe(2);
    expect(merged.stderr).toContain(`${log}:${bResult + 1}: damaged record: cut short (the writer was stopped mid-record); continue that run with hil run --resume --out ${out}`);
    expect(merged.stderr).toMatch(new RegExp(`${log}:\\d+: scenario 'b' started but has no result`));

    const r = hil('run', a, b, '--bench', CI_BENCH, '--out', out, '--resume', '--junit', join(dir, 'j.xml'), '--html', join(dir, 'r.html'));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`resume: dropped line ${bResult + 1} of ${log}, a record the stopped run never finished`);
    expect(r.stdout).toContain(`resume: 1 scenario(s) already judged in ${log} (kept), 1 to run`);
    expect(r.stdout).toContain('[1/1] b (virtual) started');
    const results = records(log).filter((x) => x.type === 'result');
    expect(results.map((x) => x.scenario)).toEqual(['a', 'b']);
    expect(results[0]!.startedAt).toBe(aResult.startedAt); // kept as it was, not run again
    expect([...readFileSync(join(dir, 'j.xml'), 'utf8').matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1])).toEqual(['a', 'b']);
    // The kept result is read again from results.jsonl into the reports, whole: its traffic evidence too.
    const html = readFileSync(join(dir, 'r.html'), 'utf8');
    expect(html.match(/<section id="s-\d+"/g)).toHaveLength(2);
    expect(html.match(/<details class="ev traffic">/g)).toHaveLength(2);
    expect(hil('merge', log).status).toBe(0);
  });

  it('hil merge: shards 1 and 3 of 3 without 2 are refused; an empty file is refused; complete shards merge', () => {
    const files = ['s1', 's2', 's3', 's4'].map((id) => write(`${id}.yaml`, scenario(id, { fail: id === 's4' })));
    const shard = (i: number): string => {
      const out = join(dir, `shard-${i}`);
      expect(hil('run', ...files, '--bench', CI_BENCH, '--shard', `${i}/3`, '--out', out).status).toBe(i === 1 ? 1 : 0); // s4 is in shard 1
      return join(out, 'results.jsonl');
    };
    const [one, three] = [shard(1), shard(3)];
    const missing = hil('merge', one, three, '--junit', join(dir, 'merged.xml'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(`hil: missing shard(s) 2/3: have 1/3 (${one}), 3/3 (${three})\n`);
    expect(existsSync(join(dir, 'merged.xml'))).toBe(false);
    const empty = write('empty.jsonl', '');
    const e = hil('merge', one, empty);
    expect(e.status).toBe(2);
    expect(e.stderr).toContain(`${empty}: empty: no results in it`);
    const two = shard(2);
    const ok = hil('merge', one, two, three, '--junit', join(dir, 'merged.xml'), '--out', join(dir, 'merged.jsonl'));
    expect(ok.status).toBe(1); // s4 failed
    expect(ok.stdout).toContain('4 scenario(s): 3 passed, 1 failed, 0 errors');
    // The merged file is itself a complete results file.
    expect(hil('merge', join(dir, 'merged.jsonl')).status).toBe(1);
  });
});
