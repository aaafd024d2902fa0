/**
 * The controllers in examples/ (docs/your-controller.md), each started by the harness as a user would: `hil init`
 * with the example's command line, then the three starter scenarios at `--speed 10` (about 35 s each): the Python
 * controller (python-can socketcand + raw Modbus TCP) and the C controller (plain sockets, built here with cc).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/describe-if';
import { CLI } from '../support/hil-cli';
import { describeWithPeers, PYTHON } from '../support/peers';

jest.setTimeout(180_000);

const hil = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 170_000 });

function runStarters(dir: string, command: string): ReturnType<typeof hil> {
  const init = hil('init', '--controller', command, '--dir', dir);
  expect(init.stderr).toBe('');
  expect(init.status).toBe(0);
  return hil('run', join(dir, 'scenarios'), '--bench', join(dir, 'bench.yaml'), '--time-mode', 'real', '--speed', '10');
}

describeWithPeers(['python3-can', 'faketime'], 'examples/python/controller.py on the starter scenarios at --speed 10', () => {
  it('passes nominal, protection-alarm and comms-loss', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-example-py-'));
    try {
      const r = runStarters(dir, `${PYTHON} ${join(ROOT, 'examples', 'python', 'controller.py')} --can \${can.pack1.socketcand} --modbus \${modbus.site.tcp}`);
      expect(r.stdout).toContain('3 scenario(s): 3 passed, 0 failed, 0 errors');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const hasCc = spawnSync('sh', ['-c', 'command -v cc'], { stdio: 'ignore' }).status === 0;
if (!hasCc && process.env.CI !== 'true') process.stderr.write('[skip] examples/c/controller.c: no C compiler (cc); apt-get install gcc libc6-dev\n');
describeWithPeers(['faketime'], 'examples/c/controller.c (built with cc) on the starter scenarios at --speed 10', () => {
  (hasCc || process.env.CI === 'true' ? it : it.skip)('builds without warnings and passes nominal, protection-alarm and comms-loss (stdbuf -oL for its output)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-example-c-'));
    try {
      const bin = join(dir, 'controller');
      const cc = spawnSync('cc', ['-O2', '-Wall', '-Wextra', '-Werror', '-o', bin, join(ROOT, 'examples', 'c', 'controller.c'), '-lm'], { encoding: 'utf8' });
      expect(cc.stderr).toBe('');
      expect(cc.status).toBe(0);
      const r = runStarters(join(dir, 'bench'), `stdbuf -oL ${bin} --can \${can.pack1.socketcand} --modbus \${modbus.site.tcp}`);
      expect(r.stdout).toContain('3 scenario(s): 3 passed, 0 failed, 0 errors');
      expect(r.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
