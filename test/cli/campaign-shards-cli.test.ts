import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtFile, describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';
import { CLI } from '../support/hil-cli';

const hil = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
const built = builtFile('harness', 'cli', 'main.js') && builtFile('examples', 'controllers', 'reference', 'controller.js');

interface CampaignReport {
  requirements: Array<{ id: string; verdict: string; evidence: Array<{ scenario: string; expectation: string; verdict: string; link: string }> }>;
}

describeIf(built, NEEDS_BUILD, 'hil campaign: a sweep over bench parameters, sharded, and one catalogue over the merged shards (built CLI)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-campaign-shards-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs each pack of the sweep on its own bench, and hil merge --campaign judges the catalogue over both shards', () => {
    // The expectation holds for a 16s LFP pack (about 52 V) and not for the 6s Tesla module (about 24 V): the verdicts
    // show which pack each combination really ran on.
    const scenario = join(dir, 'pack2-voltage.yaml');
    writeFileSync(
      scenario,
      `scenario: pack2-voltage
title: pack2 is a 48 V pack
timeMode: virtual
seed: 5
duration: 20s
initial: { ambient: 25 }
expect:
  - id: pack2-is-48v
    requirement: R-48V
    always: pack2.voltage > 40
`,
    );
    const campaign = join(dir, 'c.yaml');
    writeFileSync(
      campaign,
      `campaign: shards-check
bench: ${join(ROOT, 'fixtures', 'benches', 'ci.yaml')}
scenarios: [${join(ROOT, 'fixtures', 'scenarios', 'bms-stops-answering.yaml')}]
sweeps:
  - scenario: ${scenario}
    matrix: { pack2.pack: [tesla-model-s-module, lfp-lishen-16s-202ah] }
requirements:
  - { id: R-48V, title: pack2 is a 48 V pack, clause: "bench check" }
  - { id: EMS-COM-01, title: loss of BMS communication stops battery operation, clause: "IEC 62619:2022 8.2.2" }
  - { id: R-NONE, title: nothing judges it, clause: "IEEE 1547.1-2020 5.10" }
`,
    );
    const s1 = hil('campaign', campaign, '--out', join(dir, 's1'), '--virtual-time', '--shard', '1/2');
    const s2 = hil('campaign', campaign, '--out', join(dir, 's2'), '--virtual-time', '--shard', '2/2');
    expect(s1.stderr).not.toMatch(/Error|problem/);
    // Round-robin: shard 1 has bms-stops-answering and the LFP combination, shard 2 the Tesla one.
    const results = (d: string) =>
      readFileSync(join(dir, d, 'results.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; scenario?: string; verdict?: string })
        .filter((r) => r.type === 'result')
        .map((r) => [r.scenario, r.verdict]);
    expect(results('s1')).toEqual([
      ['bms-stops-answering', 'pass'],
      ['pack2-voltage@pack2.pack=lfp-lishen-16s-202ah', 'pass'],
    ]);
    expect(results('s2')).toEqual([['pack2-voltage@pack2.pack=tesla-model-s-module', 'fail']]);
    expect(s2.status).toBe(1);
    // The variant's pack profile is an input of the shard that ran it.
    const manifest = JSON.parse(readFileSync(join(dir, 's2', 'manifest.json'), 'utf8')) as { inputs: Array<{ kind: string; file: string }> };
    expect(manifest.inputs.filter((i) => i.kind === 'pack').map((i) => i.file.split('/').pop())).toEqual(expect.arrayContaining(['tesla-model-s-module.json']));

    const merged = hil('merge', join(dir, 's1', 'results.jsonl'), join(dir, 's2', 'results.jsonl'), '--campaign', campaign, '--report-dir', join(dir, 'merged'));
    expect(merged.stderr).toBe('');
    expect(merged.status).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, 'merged', 'campaign-report.json'), 'utf8')) as CampaignReport;
    const req = (id: string) => report.requirements.find((r) => r.id === id)!;
    expect(req('R-48V').verdict).toBe('fail');
    expect(req('R-48V').evidence.map((e) => [e.link, e.verdict]).sort()).toEqual([
      ['../s1/pack2-voltage@pack2.pack=lfp-lishen-16s-202ah/', 'pass'],
      ['../s2/pack2-voltage@pack2.pack=tesla-model-s-module/', 'fail'],
    ]);
    expect(req('EMS-COM-01').verdict).toBe('pass');
    expect(req('R-NONE').verdict).toBe('not covered');
    expect(readFileSync(join(dir, 'merged', 'campaign-report.md'), 'utf8')).toMatch(/\| R-48V \| bench check \| .* \| \*\*FAIL\*\* \|/);

    // One shard alone is not the campaign: refused, nothing written.
    const alone = hil('merge', join(dir, 's1', 'results.jsonl'), '--campaign', campaign, '--report-dir', join(dir, 'alone'));
    expect(alone.status).toBe(2);
    expect(alone.stderr).toMatch(/missing shard\(s\) 2\/2/);
  }, 120_000);
});
