import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describeIf, NEEDS_BUILD } from '../support/describe-if';

const root = resolve(__dirname, '..', '..');
const cli = join(root, 'dist', 'harness', 'cli', 'main.js');
const hil = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 60_000 });

// These run the built CLI as a user does (npm test builds before jest).

describeIf(existsSync(cli), NEEDS_BUILD, 'hil run / validate (exit codes as in DESIGN.md)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('validate: good files exit 0; a broken file exits 2 naming file:line:column', () => {
    const ok = hil('validate', 'fixtures/benches/ci.yaml', 'fixtures/benches/lab.yaml', 'fixtures/scenarios/sunny-day-degraded-pack.yaml', '--bench', 'fixtures/benches/ci.yaml');
    expect(ok.status).toBe(0);
    const broken = join(dir, 'broken.yaml');
    writeFileSync(broken, 'scenario: b\nduration: 1m\nexpect:\n  - id: x\n    alway: pack1.soc > 0\n');
    const bad = hil('validate', broken);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toContain(`${broken}:5:5: scenario: unknown key 'alway'`);
    expect(hil('validate', join(dir, 'missing.yaml')).status).toBe(2);
  });

  it('run: bad input exits 2 before anything starts', () => {
    const s = join(dir, 'bad-device.yaml');
    writeFileSync(s, 'scenario: b\nduration: 1m\ntimeline:\n  - at: 10s\n    fault: { device: pack7, kind: comms-loss }\nexpect:\n  - { id: x, atEnd: "t > 0" }\n');
    const r = hil('run', s, '--bench', 'fixtures/benches/ci.yaml', '--virtual-time');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${s}:4:5: fault 'pack7.comms-loss#0': no device 'pack7'`);
    expect(r.stdout).not.toContain('started');
  });

  it('run: a passing scenario exits 0 and writes JUnit and JSON lines; a failing one exits 1', () => {
    const junit = join(dir, 'junit.xml');
    const pass = hil('run', 'fixtures/scenarios/sunny-day-degraded-pack.yaml', '--bench', 'fixtures/benches/ci.yaml', '--virtual-time', '--junit', junit, '--out', join(dir, 'out'));
    expect(pass.status).toBe(0);
    expect(readFileSync(junit, 'utf8')).toContain('<testsuite name="sunny-day-degraded-pack"');
    expect(readFileSync(join(dir, 'out', 'results.jsonl'), 'utf8')).toContain('"type":"result"');
    const f = join(dir, 'fail.yaml');
    writeFileSync(f, 'scenario: f\nduration: 30s\nexpect:\n  - { id: never-full, atEnd: "pack1.soc > 99" }\n');
    const fail = hil('run', f, '--bench', 'fixtures/benches/ci.yaml', '--virtual-time');
    expect(fail.status).toBe(1);
    expect(fail.stdout).toContain("never-full: at the end, 'pack1.soc > 99' is false");
    expect(fail.stdout).toMatch(/observed: pack1\.soc=\d/);
  });

  it('run: a lab bench whose adapter is missing exits 2 with one clear line', () => {
    const r = hil('run', 'fixtures/scenarios/sunny-day-degraded-pack.yaml', '--bench', 'fixtures/benches/lab.yaml');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/not (found|available)/);
  });
});
