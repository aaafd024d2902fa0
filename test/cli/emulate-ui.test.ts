/** `hil emulate --ui` as a user starts it: the built CLI, piped (no terminal), the dashboard URL on stdout. */
import { spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { builtFile, describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';
import { until } from '../support/until';
import { chrtAllows } from '../support/peers';

const CLI = join(ROOT, 'dist', 'harness', 'cli', 'main.js');

function status(url: string, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describeIf(builtFile('harness', 'cli', 'main.js'), NEEDS_BUILD, 'hil emulate --ui', () => {
  jest.setTimeout(60_000);

  it('prints a loopback URL with a token, refuses requests without it, logs page actions on its output, stops cleanly', async () => {
    const child = spawn(process.execPath, [CLI, 'emulate', '--bench', 'fixtures/benches/ci.yaml', '--status', '0', '--ui'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await until(() => /dashboard: (\S+)/.test(out), 'the dashboard URL');
      const url = /dashboard: (\S+)/.exec(out)![1]!;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32}$/);
      const base = url.slice(0, url.indexOf('/?'));
      expect((await status(`${base}/api/state`)).status).toBe(403);
      expect((await status(url)).status).toBe(200);
      const r = await status(`${base}/api/actions?${url.split('?')[1]}`, 'POST', JSON.stringify({ type: 'set', key: 'inv1.irradiance', value: 400 }));
      expect(r.status).toBe(200);
      await until(() => /ui: t=\d+\.\d{3}s \{"type":"set","key":"inv1.irradiance","value":400\} -> ok/.test(out), 'the action on the output');
      child.stdin.end('quit\n');
      expect(await exited).toBe(0);
      expect(out).toContain('stopped');
    } finally {
      child.kill();
    }
  });

  it('a bad --ui-port is a configuration error (exit 2), the bench closed again', () => {
    const r = spawnSync(process.execPath, [CLI, 'emulate', '--bench', 'fixtures/benches/ci.yaml', '--ui', '--ui-port', '70000'], { cwd: ROOT, input: '', encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--ui-port 70000: expected 0..65535');
  });

  it('--realtime: a bad priority is exit 2 before the bench starts; a good one is SCHED_FIFO as chrt allows here, or one line why not', () => {
    const emulate = (...extra: string[]) =>
      spawnSync(process.execPath, [CLI, 'emulate', '--bench', 'fixtures/benches/ci.yaml', '--status', '0', ...extra], { cwd: ROOT, input: 'quit\n', encoding: 'utf8', timeout: 30_000 });
    const bad = emulate('--realtime', '120');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('hil: --realtime 120: expected a priority from 1 to 99\n');
    expect(bad.stdout).not.toContain('is up');
    // The oracle: chrt itself on a sleeping child (a container may refuse even root).
    const allowed = chrtAllows(11);
    const good = emulate('--realtime', '11');
    expect(good.status).toBe(0);
    expect(good.stdout).toContain("bench 'ci' is up");
    expect(good.stderr).toMatch(allowed ? /^real-time scheduling: SCHED_FIFO priority 11 for the harness's threads/m : /^real-time scheduling not set \(/m);
  });
});
