/** `hil run --ui`: the dashboard of a real-time run shows the bench and the run's timeline as it happens. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtFile, describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';
import { until } from '../support/until';

const CLI = join(ROOT, 'dist', 'harness', 'cli', 'main.js');

function fetchJson(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    }).on('error', reject);
  });
}

describeIf(builtFile('harness', 'cli', 'main.js'), NEEDS_BUILD, 'hil run --ui', () => {
  jest.setTimeout(90_000);
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-run-ui-'));
    writeFileSync(
      join(dir, 'live.yaml'),
      ['scenario: live', 'duration: 8s', 'timeline:', '  - at: 1s', '    set: { inv1.irradiance: 500 }', 'expect:', '  - id: frames', '    atEnd: can.pack1.frames > 0', ''].join('\n'),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves the bench of the running scenario, with its timeline, behind the token', async () => {
    const child = spawn(process.execPath, [CLI, 'run', join(dir, 'live.yaml'), '--bench', 'fixtures/benches/ci.yaml', '--time-mode', 'real', '--ui'], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await until(() => /dashboard: (\S+)/.test(out), 'the dashboard URL', 30_000);
      const url = /dashboard: (\S+)/.exec(out)![1]!;
      const base = url.slice(0, url.indexOf('/?'));
      expect((await fetchJson(`${base}/api/state`)).status).toBe(403);
      let run: Array<{ type: string; text?: string }> = [];
      let bench = '';
      const deadline = Date.now() + 30_000;
      while (!run.some((r) => r.type === 'event' && r.text === 'set inv1.irradiance=500')) {
        if (Date.now() > deadline) throw new Error(`no timeline event on the page's API: ${JSON.stringify(run)}`);
        const r = await fetchJson(`${base}/api/state?${url.split('?')[1]}`);
        const state = JSON.parse(r.body) as { bench: string; run: typeof run };
        bench = state.bench;
        run = state.run;
        await new Promise((res) => setTimeout(res, 200)); // polling a server in another process: no event to wait on
      }
      expect(bench).toBe('ci');
      expect(run[0]!.type).toBe('scenario-start');
      expect(await exited).toBe(0);
    } finally {
      child.kill();
    }
  });
});
