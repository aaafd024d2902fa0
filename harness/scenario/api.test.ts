import { stringify } from 'yaml';
import { ConfigError } from '../../core/errors';
import { scenario } from './api';
import { parseScenario } from './load-scenario';

describe('scenario TypeScript API', () => {
  const build = () =>
    scenario('ot', { seed: 7, requirements: ['REQ-1'] })
      .duration('10m')
      .ambient(30)
      .initial('pack1', { soc: 60 })
      .at('5m')
      .fault('pack1', 'self-heating', { cell: 3, watts: 30 }, 'hot')
      .at('8m')
      .clear('hot')
      .at('1m')
      .set({ 'inv1.irradiance': 900 })
      .expectReaction('stop', { when: 'pack1.alarm.overTemperature', within: '500ms', then: 'inv1.WMaxLimPct == 0' })
      .expectAlways('limit', 'pack1.current <= pack1.chargeCurrentLimit * 1.05', { tolerance: '2s' })
      .expectAtEnd('end', 'pack1.soc > 20');

  it('compiles to the same scenario as its YAML twin', () => {
    const fromApi = build().build('x.yaml');
    const fromYaml = parseScenario(stringify(build().toData()), 'x.yaml');
    const strip = (s: typeof fromApi) => ({
      ...s,
      timeline: s.timeline.map(({ keyWhere: _k, ...t }) => ({ ...t, where: '' })),
      expectations: s.expectations.map(({ fieldWhere: _f, ...e }) => ({ ...e, where: '' })),
      where: { devices: {} },
    });
    expect(strip(fromApi)).toEqual(strip(fromYaml));
    expect(fromApi.timeline.map((t) => t.atMs)).toEqual([60_000, 300_000, 480_000]);
  });

  it('refuses what a file would be refused for', () => {
    expect(() => scenario('x').duration('1m').at('2m').note('late').expectAtEnd('e', 't > 0').build()).toThrow(ConfigError);
    expect(() => scenario('x').duration('1m').expectAtEnd('e', 'a >').build()).toThrow(/expression ends too soon/);
    expect(() => scenario('x').duration('1m').build()).toThrow(/must NOT have fewer than 1 items/);
  });
});
