import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtFile, describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';
import { CLI } from '../support/hil-cli';

const hil = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
const built = builtFile('harness', 'cli', 'main.js') && builtFile('examples', 'controllers', 'reference', 'controller.js');

describeIf(built, NEEDS_BUILD, 'hil campaign and hil verify (built CLI)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-campaign-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs a campaign into a sealed evidence folder that hil verify checks (0 intact, 1 changed, 2 bad input)', () => {
    const campaign = join(dir, 'c.yaml');
    writeFileSync(
      campaign,
      `campaign: cli-check
bench: ${join(ROOT, 'fixtures', 'benches', 'ci.yaml')}
sweeps:
  - scenario: ${join(ROOT, 'fixtures', 'scenarios', 'overtemp-fast-charge.yaml')}
    matrix: { ambient: [30, 38] }
requirements:
  - { id: EMS-THM-01, title: stops on over-temperature, clause: "IEC 62619:2022 7.2.3" }
  - { id: R-NONE, title: nothing judges it, clause: "IEEE 1547.1-2020 5.10" }
`,
    );
    const out = join(dir, 'evidence');
    const r = hil('campaign', campaign, '--out', out, '--virtual-time', '--realtime');
    expect(r.status).toBe(0);
    // Nothing runs in real time: the run says so and the manifest records it.
    expect(r.stderr).toBe('hil: real-time scheduling: not asked (every scenario runs in virtual time)\n');
    expect(r.stdout).toMatch(/PASS\s+EMS-THM-01 \[IEC 62619:2022 7\.2\.3\]/);
    expect(r.stdout).toMatch(/NOT COVERED\s+R-NONE/);
    const report = JSON.parse(readFileSync(join(out, 'campaign-report.json'), 'utf8')) as { requirements: Array<{ id: string; verdict: string; evidence: Array<{ scenario: string; link: string }> }> };
    const thm = report.requirements.find((q) => q.id === 'EMS-THM-01')!;
    expect(new Set(thm.evidence.map((e) => e.link))).toEqual(new Set(['overtemp-fast-charge@ambient=30/', 'overtemp-fast-charge@ambient=38/']));
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { inputs: Array<{ kind: string; sha256: string | null }>; seeds: Record<string, number>; harness: { gitCommit: string } };
    expect(manifest.inputs.map((i) => i.kind)).toEqual(expect.arrayContaining(['bench', 'scenario', 'dbc', 'pack', 'controller']));
    expect(manifest.inputs.every((i) => typeof i.sha256 === 'string' && i.sha256.length === 64)).toBe(true);
    expect(Object.keys(manifest.seeds)).toEqual(['overtemp-fast-charge@ambient=30', 'overtemp-fast-charge@ambient=38']);
    expect(manifest.harness.gitCommit).toMatch(/^([0-9a-f]{40}|unknown)$/);
    expect((manifest as { extra?: { scheduling?: unknown } }).extra?.scheduling).toEqual({ state: 'not-asked', reason: 'every scenario runs in virtual time' });

    const ok = hil('verify', out);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/file\(s\) intact/);
    appendFileSync(join(out, 'campaign-report.md'), 'edited\n');
    const bad = hil('verify', out);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('CHANGED  campaign-report.md');
    expect(hil('verify', join(dir, 'nope')).status).toBe(2);
  }, 120_000);

  it('refuses a bad campaign file with file:line:column and exit 2, running nothing', () => {
    const campaign = join(dir, 'bad.yaml');
    writeFileSync(campaign, `campaign: bad\nbench: ${join(ROOT, 'fixtures', 'benches', 'ci.yaml')}\nscenarios: [x.yaml]\nrequirements:\n  - { id: R1, title: t }\n`);
    const r = hil('campaign', campaign, '--out', join(dir, 'bad-out'), '--virtual-time');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:5:5: .*missing 'clause'/);
    const prio = hil('campaign', campaign, '--out', join(dir, 'bad-out'), '--realtime', '0');
    expect(prio.status).toBe(2);
    expect(prio.stderr).toBe('hil: --realtime 0: expected a priority from 1 to 99\n');
  });
});
