import { ConfigError } from '../../core/errors';
import { onePackBench } from '../../test/support/benches';
import { parseAgeSpan } from './age-span';
import { scenario } from './api';
import { parseScenario } from './load-scenario';
import { runScenario } from './runner';

const aged = (span: string, extra = ''): string => `
scenario: aged
duration: 5s
step: 1s
timeMode: virtual
timeline:
  - at: 0
    age: { for: ${span}, duty: solar-self-consumption${extra} }
expect:
  - id: aged
    atEnd: pack1.soh < 78
`;

describe('scenario step age', () => {
  it('ages the packs at once, then the run goes on with them; the clock does not move', async () => {
    const r = await runScenario(onePackBench('lone-pack'), parseScenario(aged('3y'), 'aged.yaml'), { mode: 'virtual' });
    expect(r.errors).toEqual([]);
    expect(r.expectations.map((e) => [e.id, e.verdict])).toEqual([['aged', 'pass']]);
    expect(r.simulatedMs).toBe(5000);
    const ev = r.evidence.events.find((e) => e.includes('age 1095.8 days'));
    expect(ev).toMatch(/^t=0\.000s age .*pack1 SOH \d+\.\d+ -> \d+\.\d+ %/);
  });

  it('without aging the same expectation fails (the check can fail)', async () => {
    const r = await runScenario(onePackBench('lone-pack'), parseScenario(aged('1d'), 'aged.yaml'), { mode: 'virtual' });
    expect(r.expectations.map((e) => [e.id, e.verdict])).toEqual([['aged', 'fail']]);
  });

  it('refuses an unknown duty and a bad span with file:line:column', () => {
    expect(() => parseScenario(aged('3y').replace('solar-self-consumption', 'lazy'), 'a.yaml')).toThrow(/a\.yaml:8:\d+: unknown duty profile 'lazy'/);
    expect(() => parseScenario(aged('3 years'), 'a.yaml')).toThrow(/a\.yaml:8:\d+: '3 years' is not an aging span/);
    expect(() => parseScenario(aged('3y', ', devices: []'), 'a.yaml')).toThrow(ConfigError);
  });

  it('refuses a device that is not a BMS when checked against the bench', async () => {
    const s = parseScenario(aged('1y', ', devices: [nope]'), 'a.yaml');
    await expect(runScenario(onePackBench('lone-pack'), s, { mode: 'virtual' })).rejects.toThrow(/a\.yaml:7:5: age: no device 'nope' on this bench/);
  });

  it('parses spans in days', () => {
    expect(parseAgeSpan('3y')).toBeCloseTo(1095.75);
    expect(parseAgeSpan('1y6mo')).toBeCloseTo(547.875);
    expect(parseAgeSpan('6w')).toBe(42);
    expect(parseAgeSpan(30)).toBe(30);
    expect(() => parseAgeSpan('40y')).toThrow(/more than 30 years/);
    expect(() => parseAgeSpan(0)).toThrow(ConfigError);
  });

  it('has a TypeScript API twin', () => {
    const s = scenario('aged').duration('5s').at(0).age('2y', 'peak-shaving', ['pack1']).expectAtEnd('x', 'pack1.soh > 0').build();
    expect(s.timeline[0]!.action).toEqual({ kind: 'age', days: 730.5, duty: 'peak-shaving', devices: ['pack1'] });
  });
});
