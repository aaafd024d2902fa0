/**
 * Lock step (issue 16, docs/lockstep.md) with the reference clients in examples/: the Python controller on
 * examples/python/lockstep.py (standard library, /usr/bin/python3) and the C controller built with gcc on
 * examples/c/lockstep.h, each started by the harness on the `hil init` starter bench and its three scenarios in
 * lock step (virtual time); and what a controller that breaks the protocol gets: one clear error verdict, the run's
 * results and evidence kept.
 *
 * Virtual time: the verdicts do not depend on the machine's speed; the wall-clock bounds are failure bounds only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtFile, describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';
import { CLI, records } from '../support/hil-cli';
import { PYTHON } from '../support/peers';

jest.setTimeout(120_000);

const hil = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });

/** `hil init` for `command`, then its starter scenarios in lock step; returns the run and its results file. */
function starters(dir: string, command: string): { run: ReturnType<typeof hil>; results: Array<Record<string, unknown>> } {
  const init = hil('init', '--controller', command, '--dir', join(dir, 'bench'));
  expect(init.stderr).toBe('');
  expect(init.status).toBe(0);
  const out = join(dir, 'out');
  const run = hil('run', join(dir, 'bench', 'scenarios'), '--bench', join(dir, 'bench', 'bench.yaml'), '--time-mode', 'lockstep', '--out', out);
  return { run, results: records(join(out, 'results.jsonl')) };
}

function expectAllPassedInLockstep(r: ReturnType<typeof starters>): void {
  expect(r.run.stdout).toContain('3 scenario(s): 3 passed, 0 failed, 0 errors');
  expect(r.run.status).toBe(0);
  const results = r.results.filter((x) => x.type === 'result');
  expect(results.map((x) => [x.scenario, x.timeMode, x.lockstep]).sort()).toEqual([
    ['comms-loss', 'virtual', true],
    ['nominal', 'virtual', true],
    ['protection-alarm', 'virtual', true],
  ]);
  // The controller was driven through the protocol: many grants per scenario (one per wake-up or reply at least).
  for (const s of r.results.filter((x) => x.type === 'lockstep')) expect(s.grants as number).toBeGreaterThan(200);
}

const hasPython = existsSync(PYTHON);
describeIf(
  builtFile('harness', 'cli', 'main.js') && hasPython,
  hasPython ? NEEDS_BUILD : `${PYTHON} is missing (apt-get install python3)`,
  'examples/python/lockstep.py: a Python controller in lock step',
  () => {
  it('passes nominal, protection-alarm and comms-loss in virtual time', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-ls-py-'));
    try {
      expectAllPassedInLockstep(starters(dir, `${PYTHON} ${join(ROOT, 'examples', 'python', 'lockstep_controller.py')} --can \${can.pack1.socketcand} --modbus \${modbus.site.tcp}`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('outside lock step it is the plain monotonic clock and select', () => {
    const code = [
      'import lockstep',
      'ls = lockstep.Lockstep.from_env({})',
      't0 = ls.now()',
      'assert not ls.active',
      'assert ls.select([], 0.02) == []',
      'assert ls.now() - t0 >= 19, ls.now() - t0',
      'print("ok")',
    ].join('\n');
    const r = spawnSync(PYTHON, ['-c', code], { cwd: join(ROOT, 'examples', 'python'), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ok');
  });
  },
  { failInCi: true },
);

const hasGcc = spawnSync('sh', ['-c', 'command -v gcc'], { stdio: 'ignore' }).status === 0;
describeIf(
  builtFile('harness', 'cli', 'main.js') && hasGcc,
  hasGcc ? NEEDS_BUILD : 'gcc is missing (apt-get install gcc libc6-dev)',
  'examples/c/lockstep.h: the C example controller built with gcc, in lock step',
  () => {
    it('builds without warnings and passes nominal, protection-alarm and comms-loss in virtual time', () => {
      const dir = mkdtempSync(join(tmpdir(), 'hil-ls-c-'));
      try {
        const bin = join(dir, 'controller');
        const cc = spawnSync('gcc', ['-std=c11', '-O2', '-Wall', '-Wextra', '-Werror', '-o', bin, join(ROOT, 'examples', 'c', 'controller.c'), '-lm'], { encoding: 'utf8' });
        expect(cc.stderr).toBe('');
        expect(cc.status).toBe(0);
        expectAllPassedInLockstep(starters(dir, `${bin} --can \${can.pack1.socketcand} --modbus \${modbus.site.tcp}`));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('the header alone compiles as strict C11 (-pedantic), and outside lock step it is the plain clock and poll', () => {
      const dir = mkdtempSync(join(tmpdir(), 'hil-ls-h-'));
      try {
        const src = join(dir, 'min.c');
        writeFileSync(
          src,
          [
            '#include "lockstep.h"',
            'int main(void) {',
            '  static ls_t ls;',
            '  int r = ls_open(&ls);',
            '  if (r != 1) return 10 + r; /* 1: not started in lock step */',
            '  double t0 = ls_now(&ls);',
            '  struct pollfd none[1];',
            '  if (ls_poll(&ls, none, 0, 20) != 0) return 20;',
            '  return ls_now(&ls) - t0 >= 19 ? 0 : 30; /* a real 20 ms wait on the monotonic clock */',
            '}',
            '',
          ].join('\n'),
        );
        const bin = join(dir, 'min');
        const cc = spawnSync('gcc', ['-std=c11', '-pedantic', '-Wall', '-Wextra', '-Werror', '-I', join(ROOT, 'examples', 'c'), '-o', bin, src], { encoding: 'utf8' });
        expect(cc.stderr).toBe('');
        expect(cc.status).toBe(0);
        const env = { ...process.env };
        delete env.HIL_LOCKSTEP_FD;
        expect(spawnSync(bin, [], { env }).status).toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
  { failInCi: true },
);

/** A controller that says hello, reports ready, answers `answers` grants, then does `then`. */
function misbehaving(dir: string, answers: number, then: 'hang' | 'garbage'): string {
  const file = join(dir, 'misbehaving.py');
  writeFileSync(
    file,
    [
      'import json, os, socket, sys, time',
      'ch = socket.socket(fileno=int(os.environ["HIL_LOCKSTEP_FD"]))',
      'ch.sendall(b\'{"type":"hello","protocol":1}\\n\')',
      'f = ch.makefile("rb")',
      'n = 0',
      'for line in f:',
      '    g = json.loads(line)',
      '    if g["type"] != "grant": break',
      `    if n == ${answers}:`,
      then === 'hang' ? '        print("not answering any more", file=sys.stderr, flush=True); time.sleep(3600)' : '        ch.sendall(b"this is not json\\n"); time.sleep(3600)',
      '    n += 1',
      '    ch.sendall((json.dumps({"type": "done", "wake": g["now"] + 1000, "rx": g["rx"], "tx": 0, "conns": 0, "ready": True}) + "\\n").encode())',
    ].join('\n'),
  );
  const bench = join(dir, 'bench.yaml');
  writeFileSync(
    bench,
    [
      'bench: misbehaving',
      'can:',
      '  pack1: { hub: { socketcand: "127.0.0.1:0", bus: pack1 } }',
      'devices:',
      '  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1 }',
      'dut:',
      `  command: [${JSON.stringify(PYTHON)}, ${JSON.stringify(file)}]`,
      '  clock: lockstep',
      '  readyTimeout: 2s',
      '  livenessTimeout: off',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'short.yaml'), 'scenario: short\ntimeMode: virtual\nduration: 60s\nexpect:\n  - { id: soc-known, always: "pack1.soc > 0" }\n');
  return bench;
}

describeIf(builtFile('harness', 'cli', 'main.js') && hasPython, hasPython ? NEEDS_BUILD : `${PYTHON} is missing`, 'a controller that breaks the lock-step protocol', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-ls-bad-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('one that stops answering: an error verdict naming the timeout, its stderr, what was judged and the traces kept', () => {
    const bench = misbehaving(dir, 20, 'hang');
    const out = join(dir, 'out');
    // dut.clock: lockstep and no module: the default time mode runs it in lock step without asking.
    const r = hil('run', join(dir, 'short.yaml'), '--bench', bench, '--out', out);
    expect(r.status).toBe(3);
    const result = records(join(out, 'results.jsonl')).find((x) => x.type === 'result')!;
    expect(result.verdict).toBe('error');
    expect(result.lockstep).toBe(true);
    expect(result.summary).toMatch(/^lock step: the controller did not send its report for the grant at \S+ within 2000 ms of wall-clock time/);
    expect(result.summary).toMatch(/not answering any more/);
    // Time stopped where the controller did: about 20 wake-ups of 1 s after t=0, not the scenario's 60 s.
    expect(result.simulatedMs as number).toBeGreaterThan(10_000);
    expect(result.simulatedMs as number).toBeLessThan(30_000);
    const [e] = result.expectations as Array<{ id: string; verdict: string }>;
    expect(e).toMatchObject({ id: 'soc-known' });
    expect(existsSync(join(out, 'short', 'pack1.log.gz'))).toBe(true);
    expect(readFileSync(join(out, 'short', 'controller.log'), 'utf8')).toMatch(/not answering any more/);
  });

  it('one that writes something else than JSON lines: an error verdict saying so', () => {
    const bench = misbehaving(dir, 5, 'garbage');
    const out = join(dir, 'out');
    const r = hil('run', join(dir, 'short.yaml'), '--bench', bench, '--time-mode', 'lockstep', '--out', out);
    expect(r.status).toBe(3);
    const result = records(join(out, 'results.jsonl')).find((x) => x.type === 'result')!;
    expect(result.verdict).toBe('error');
    expect(result.summary).toMatch(/lock step: not a JSON line: 'this is not json'/);
  });
});
