import { ConfigError } from '../../core/errors';
import { INPUT_LIMITS } from '../config/limits';
import { InputProblems } from '../config/problems';
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

describe('scenario files: every problem, and the bounds the runner needs', () => {
  const all = (text: string): string[] => {
    try {
      parseScenario(text, 'x.yaml');
    } catch (err) {
      if (err instanceof InputProblems) return err.problems.map((p) => `${p.where} ${p.message}`);
      if (err instanceof ConfigError) return [err.message];
      throw err;
    }
    return [];
  };

  it('reports every problem of a file, not only the first, each at its place', () => {
    const p = all(`scenario: many
duration: 1m
step: 0.5ms
timeline:
  - at: 2m
    note: late
  - at: 1s
    set: { pack1.current: 1e308, inv1.irradiance: 500 }
  - at: 2s
    clear: nothing
expect:
  - id: a
    atEnd: pack1.soc >
  - id: a
    eventually: pack1.soc > 1
    by: 5m
`);
    expect(p).toEqual([
      'x.yaml:3:7 step must be between 1ms and 60s, got 0.5ms',
      'x.yaml:5:9 step at 2m is after the end of the scenario (1m)',
      expect.stringMatching(/^x\.yaml:8:27 pack1\.current 1e\+308 A is not physically plausible: expected -5000\.\.5000 A/),
      "x.yaml:10:12 clear: no fault with id 'nothing' is injected before this step (give the fault an id: ...)",
      'x.yaml:13:12 expression ends too soon at column 12 of expression "pack1.soc >"',
      "x.yaml:14:9 expectation id 'a' is used twice",
      "x.yaml:16:9 'by: 5m' is after the end of the scenario, so it can never be judged",
    ]);
  });

  it(`steps: at least ${INPUT_LIMITS.minStepMs} ms, at most ${INPUT_LIMITS.maxStepMs / 1000} s, at most ${INPUT_LIMITS.steps} of them`, () => {
    const s = (duration: string, step: string): string[] => all(`scenario: s\nduration: ${duration}\nstep: ${step}\nexpect: [{ id: e, atEnd: t > 0 }]\n`);
    expect(s('1m', '1ms')).toEqual([]);
    expect(s('1m', '60s')).toEqual([]);
    expect(s('1m', '0.999ms')[0]).toContain('step must be between 1ms and 60s');
    expect(s('1m', '60001ms')[0]).toContain('step must be between 1ms and 60s');
    expect(s('10000s', '1ms')).toEqual([]); // exactly 10,000,000 steps
    expect(s('10001s', '1ms')).toEqual([`x.yaml:3:7 2h47m in steps of 1ms is 10001000 plant steps; the limit is ${INPUT_LIMITS.steps} (use a coarser step)`]);
    expect(s('366d', '10s')).toEqual([]);
    expect(s('367d', '10s')[0]).toContain("duration '367d' is longer than 366d");
  });

  it('ids: not longer than a file name allows, no path separators, no reserved names', () => {
    expect(all(`scenario: ${'s'.repeat(INPUT_LIMITS.idLength)}\nduration: 1m\nexpect: [{ id: e, atEnd: t > 0 }]\n`)).toEqual([]);
    expect(all(`scenario: ${'s'.repeat(INPUT_LIMITS.idLength + 1)}\nduration: 1m\nexpect: [{ id: e, atEnd: t > 0 }]\n`)[0]).toContain('the limit is 100');
    expect(all('scenario: s\nduration: 1m\ntimeline:\n  - at: 1s\n    fault: { id: "../x", device: pack1, kind: comms-loss }\nexpect: [{ id: e, atEnd: t > 0 }]\n')[0]).toContain("must not contain '/'");
    expect(all('scenario: s\nduration: 1m\nexpect: [{ id: e, atEnd: pack1.hasOwnProperty > 0 }]\n')[0]).toContain("'hasOwnProperty' is a reserved name");
  });

  it('initial conditions and stimuli within their plausible ranges (edges included)', () => {
    const s = (yaml: string): string[] => all(`scenario: s\nduration: 1m\n${yaml}\nexpect: [{ id: e, atEnd: t > 0 }]\n`);
    expect(s('initial:\n  ambient: -60\n  devices:\n    pack1: { soc: 100, soh: 150, temperature: 100 }')).toEqual([]);
    expect(s('initial:\n  ambient: -61')[0]).toContain('ambient -61 degC is not physically plausible: expected -60..100 degC');
    expect(s('initial:\n  devices:\n    pack1: { soc: -0.5 }')[0]).toContain('pack1 initial soc -0.5 % is not physically plausible');
    expect(s('timeline:\n  - at: 1s\n    set: { pack1.current: -5000, inv1.irradiance: 2000, inv1.grid.voltage: 1000, inv1.grid.frequency: 100, inv1.dc.switch: 1 }')).toEqual([]);
    expect(s('timeline:\n  - at: 1s\n    set: { pack1.current: 5000.1 }')[0]).toContain('expected -5000..5000 A');
    expect(s('timeline:\n  - at: 1s\n    set: { inv1.dc.switch: 2 }')[0]).toContain('expected 0..1');
    expect(s('timeline:\n  - at: 1s\n    ramp: { target: inv1.grid.voltage, from: -1, to: 230, over: 5s }')[0]).toContain('inv1.grid.voltage (from) -1 V');
    // Names not in the table are left to the bench check.
    expect(s('timeline:\n  - at: 1s\n    set: { inv1.something: 1e9 }')).toEqual([]);
  });
});
