import { ConfigError } from '../../core/errors';
import { parseScenario } from './load-scenario';

const good = `
scenario: ot-fast-charge
title: Over-temperature during fast charge
requirements: [REQ-7]
seed: 7
duration: 10m
step: 200ms
initial:
  ambient: 30
  devices:
    pack1: { soc: 60, soh: 72 }
timeline:
  - at: 5m
    fault: { id: hot, device: pack1, kind: self-heating, cell: 12, watts: 30 }
  - at: 1m
    set: { pv1.irradiance: 900 }
  - at: 8m
    clear: hot
expect:
  - id: stop-charging
    requirement: REQ-7.1
    when: pack1.alarm.overTemperature
    within: 500ms
    then: pack1.current <= 0
  - id: limit
    always: pack1.current <= pack1.chargeCurrentLimit * 1.05
    tolerance: 2s
  - id: end
    atEnd: pack1.soc > 20
`;

function errorOf(text: string): ConfigError {
  try {
    parseScenario(text, 'x.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('scenario files', () => {
  it('compile: durations in ms, timeline sorted, expressions parsed', () => {
    const s = parseScenario(good, 'good.yaml');
    expect(s.durationMs).toBe(600_000);
    expect(s.stepMs).toBe(200);
    expect(s.timeline.map((t) => t.atMs)).toEqual([60_000, 300_000, 480_000]);
    expect(s.timeline[1]!.action).toEqual({ kind: 'fault', id: 'hot', device: 'pack1', fault: 'self-heating', params: { cell: 12, watts: 30 } });
    const r = s.expectations[0]!.form;
    expect(r.kind).toBe('reaction');
    if (r.kind === 'reaction') expect(r.withinMs).toBe(500);
    expect(s.expectations[1]!.form).toMatchObject({ kind: 'invariant', toleranceMs: 2000 });
    expect(s.timeline[0]!.where).toBe('good.yaml:15:5');
  });

  it('unknown key: file:line:column and the allowed keys', () => {
    const e = errorOf(good.replace('    tolerance: 2s', '    tolerence: 2s'));
    expect(e.location).toBe('x.yaml:27:5');
    expect(e.message).toContain(`unknown key 'tolerence'`);
    expect(e.message).toContain('tolerance');
  });

  it('YAML syntax error is located', () => {
    const e = errorOf('scenario: a\nduration: [1\n');
    expect(e.location).toMatch(/^x\.yaml:\d+:\d+$/);
    expect(e.message).toContain('YAML syntax');
  });

  it('bad duration, bad expression, clear without fault, two actions in one step', () => {
    expect(errorOf(good.replace('within: 500ms', 'within: soon')).message).toContain(`'soon' is not a duration`);
    const ex = errorOf(good.replace('then: pack1.current <= 0', 'then: pack1.current <= '));
    expect(ex.message).toContain('expression ends too soon');
    expect(ex.location).toBe('x.yaml:24:11');
    expect(errorOf(good.replace('clear: hot', 'clear: cold')).message).toContain(`no fault with id 'cold'`);
    expect(errorOf(good.replace("    set: { pv1.irradiance: 900 }", "    set: { pv1.irradiance: 900 }\n    clear: hot")).message).toContain('does one thing');
  });

  it('missing required keys and a step after the end', () => {
    expect(errorOf('scenario: a\nexpect: []\n').message).toContain(`missing 'duration'`);
    expect(errorOf(good.replace('- at: 8m', '- at: 11m')).message).toContain('after the end');
  });
});
