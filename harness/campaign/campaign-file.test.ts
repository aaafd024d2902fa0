import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../core/errors';
import type { ScenarioResult } from '../scenario/result';
import { globMatch, loadCampaign } from './campaign-file';
import { judgeCatalogue } from './catalogue';

const fixtures = resolve(__dirname, '..', '..', 'fixtures');

describe('campaign files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-campaign-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (text: string): string => {
    const p = join(dir, 'c.yaml');
    writeFileSync(p, text);
    return p;
  };

  it('loads the example: globs with tags, a sweep named by its parameters, the catalogue', async () => {
    const c = await loadCampaign(join(fixtures, 'campaigns', 'ems-thermal-and-comms.yaml'));
    const ids = c.scenarios.map((s) => s.id);
    expect(ids).toContain('bms-stops-answering');
    expect(ids).toContain('overtemp-fast-charge'); // tagged thermal
    expect(ids.filter((i) => i.startsWith('overtemp-fast-charge@'))).toEqual([
      'overtemp-fast-charge@ambient=30,pack1.soc=40',
      'overtemp-fast-charge@ambient=30,pack1.soc=80',
      'overtemp-fast-charge@ambient=38,pack1.soc=40',
      'overtemp-fast-charge@ambient=38,pack1.soc=80',
    ]);
    const v = c.scenarios.find((s) => s.id === 'overtemp-fast-charge@ambient=30,pack1.soc=80')!;
    expect(v.ambient).toBe(30);
    expect(v.devices.pack1).toEqual(expect.objectContaining({ soc: 80 }));
    const base = c.scenarios.find((s) => s.id === 'overtemp-fast-charge')!;
    expect(base.ambient).toBe(38); // the base scenario is untouched
    expect(base.devices.pack1?.soc).toBeUndefined();
    expect(c.parameters['overtemp-fast-charge@ambient=38,pack1.soc=40']).toEqual({ ambient: 38, 'pack1.soc': 40 });
    expect(c.file.requirements.map((r) => r.id)).toContain('EMS-ISL-01');
  });

  it('reports schema errors with file:line:column', async () => {
    const p = write(`campaign: x\nbench: ${join(fixtures, 'benches', 'ci.yaml')}\nrequirements:\n  - id: R1\n    title: t\n    clawse: "IEC 62619 7.2.3"\n`);
    const err = await loadCampaign(p).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/c\.yaml:4:5.*clause|c\.yaml:6:5: .*unknown key 'clawse'/);
  });

  it('lists every problem: a glob matching nothing, a sweep key naming no device, a judgedBy naming no scenario, a duplicate id', async () => {
    const p = write(`campaign: x
bench: ${join(fixtures, 'benches', 'ci.yaml')}
scenarios:
  - ${join(fixtures, 'scenarios')}/nothing-*.yaml
sweeps:
  - scenario: ${join(fixtures, 'scenarios', 'overtemp-fast-charge.yaml')}
    matrix:
      pack9.soc: [40]
requirements:
  - { id: R1, title: t, clause: c, judgedBy: [no-such-scenario/x] }
  - { id: R1, title: t, clause: c }
`);
    const msg = ((await loadCampaign(p).catch((e: unknown) => e)) as Error).message;
    expect(msg).toMatch(/c\.yaml:4:5: .*'.*nothing-\*\.yaml' matches no scenario file/);
    expect(msg).toMatch(/c\.yaml:8:18: .*the bench has no device 'pack9'/);
    expect(msg).toMatch(/'no-such-scenario\/x' names no scenario/);
    expect(msg).toMatch(/requirement 'R1' is also defined at .*c\.yaml:10/);
  });

  it('sweeps bench parameters: each combination runs on its own checked bench variant, the bench itself untouched', async () => {
    const p = write(`campaign: x
bench: ${join(fixtures, 'benches', 'ci.yaml')}
sweeps:
  - scenario: ${join(fixtures, 'scenarios', 'can-comms-loss-one-pack.yaml')}
    matrix:
      pack2.pack: [tesla-model-s-module, lfp-lishen-16s-202ah]
      inv2.params.ratedW: [3000, 4000]
      pack2.soh: [60]
requirements:
  - { id: R1, title: t, clause: c }
`);
    const c = await loadCampaign(p);
    expect(c.scenarios.map((s) => s.id)).toEqual([
      'can-comms-loss-one-pack@pack2.pack=tesla-model-s-module,inv2.params.ratedW=3000,pack2.soh=60',
      'can-comms-loss-one-pack@pack2.pack=tesla-model-s-module,inv2.params.ratedW=4000,pack2.soh=60',
      'can-comms-loss-one-pack@pack2.pack=lfp-lishen-16s-202ah,inv2.params.ratedW=3000,pack2.soh=60',
      'can-comms-loss-one-pack@pack2.pack=lfp-lishen-16s-202ah,inv2.params.ratedW=4000,pack2.soh=60',
    ]);
    const device = (id: string, name: string) => (c.benches[id] ?? c.bench).file.devices.find((d) => d.name === name)!;
    const [a, b, cc, d] = c.scenarios.map((s) => s.id) as [string, string, string, string];
    expect(device(cc, 'pack2').pack).toBe('lfp-lishen-16s-202ah');
    expect(device(d, 'inv2').params?.ratedW).toBe(4000);
    expect(device(a, 'pack2').pack).toBe('tesla-model-s-module');
    expect(device(b, 'inv2').params?.ratedW).toBe(4000);
    expect(c.scenarios.find((s) => s.id === a)!.devices.pack2).toEqual(expect.objectContaining({ soh: 60 }));
    // The campaign's own bench is not changed by its variants.
    expect(c.bench.file.devices.find((x) => x.name === 'pack2')!.pack).toBe('tesla-model-s-module');
    expect(c.bench.file.devices.find((x) => x.name === 'inv2')!.params?.ratedW).toBe(3000);
  });

  it('refuses a bench variant that does not hold, at the sweep key, saying what the bench check found', async () => {
    const p = write(`campaign: x
bench: ${join(fixtures, 'benches', 'ci.yaml')}
sweeps:
  - scenario: ${join(fixtures, 'scenarios', 'can-comms-loss-one-pack.yaml')}
    matrix:
      pack2.pack: [tesla-model-s-modul]
  - scenario: ${join(fixtures, 'scenarios', 'can-comms-loss-one-pack.yaml')}
    matrix:
      pack2.params.colour: [red]
  - scenario: ${join(fixtures, 'scenarios', 'can-comms-loss-one-pack.yaml')}
    matrix:
      pack2.wiring.x: [1]
requirements:
  - { id: R1, title: t, clause: c }
`);
    const msg = ((await loadCampaign(p).catch((e: unknown) => e)) as Error).message;
    expect(msg).toMatch(/c\.yaml:6:\d+: bench variant pack2\.pack=tesla-model-s-modul: .*ci\.yaml:\d+:\d+: .*unknown pack profile 'tesla-model-s-modul'.*did you mean 'tesla-model-s-module'/);
    expect(msg).toMatch(/c\.yaml:9:\d+: bench variant pack2\.params\.colour=red: .*ci\.yaml:\d+:\d+: .*colour/);
    expect(msg).toMatch(/c\.yaml:12:\d+: sweep parameter 'pack2\.wiring\.x': expected ambient, seed/);
  });

  it('matches glob patterns', () => {
    expect(globMatch('over*', 'overtemp-fast-charge')).toBe(true);
    expect(globMatch('a?c', 'abc')).toBe(true);
    expect(globMatch('a.c', 'abc')).toBe(false);
  });
});

describe('requirement catalogue verdicts', () => {
  const result = (scenario: string, verdict: ScenarioResult['verdict'], expectations: Array<[string, 'pass' | 'fail', string?]>, requirements: string[] = []): ScenarioResult =>
    ({
      scenario,
      requirements,
      verdict,
      errors: [],
      expectations: expectations.map(([id, v, requirement]) => ({ id, verdict: v, ...(requirement ? { requirement } : {}) })),
    }) as unknown as ScenarioResult;

  it('judges by the expectations naming a requirement and by judgedBy; nothing behind it is "not covered"', () => {
    const results = [
      result('s1', 'fail', [['e1', 'pass', 'R1'], ['e2', 'fail', 'R2']]),
      result('sweep@a=1', 'pass', [['x', 'pass']]),
      result('sweep@a=2', 'fail', [['x', 'fail']]),
      result('s3', 'skip', [], ['R4']),
    ];
    const v = judgeCatalogue(
      [
        { id: 'R1', title: '', clause: 'c' },
        { id: 'R2', title: '', clause: 'c' },
        { id: 'R3', title: '', clause: 'c', judgedBy: ['sweep/x'] },
        { id: 'R4', title: '', clause: 'c' },
        { id: 'R5', title: '', clause: 'c' },
      ],
      results,
    );
    expect(v.map((r) => [r.id, r.verdict, r.evidence.length])).toEqual([
      ['R1', 'pass', 1],
      ['R2', 'fail', 1],
      ['R3', 'fail', 2],
      ['R4', 'untested', 1],
      ['R5', 'not covered', 0],
    ]);
    expect(v[2]!.evidence.map((e) => e.scenario)).toEqual(['sweep@a=1', 'sweep@a=2']);
  });
});
