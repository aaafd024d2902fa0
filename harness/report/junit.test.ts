import type { ExpectationResult } from '../scenario/judge';
import { combineVerdicts, type ScenarioResult } from '../scenario/result';
import { onePackBench } from '../../test/support/benches';
import { parseScenario } from '../scenario/load-scenario';
import { runScenario } from '../scenario/runner';
import { toJUnit } from './junit';

const x = (id: string, status: ExpectationResult['status'], verdict: ExpectationResult['verdict'], message: string): ExpectationResult => ({
  id,
  status,
  verdict,
  message,
  where: `s.yaml:${id.length}:5`,
});

const base = (over: Partial<ScenarioResult>): ScenarioResult => ({
  scenario: 's',
  title: 's',
  source: 's.yaml',
  bench: 'ci',
  requirements: [],
  verdict: 'error',
  summary: '',
  startedAt: '2026-12-01T00:00:00.000Z',
  wallMs: 1500,
  simulatedMs: 60_000,
  timeMode: 'virtual',
  seed: 1,
  expectations: [],
  errors: [],
  evidence: { frames: [], writes: [], dutOutput: [], events: [] },
  ...over,
});

describe('JUnit', () => {
  const result = base({
    t0: { epochMs: Date.UTC(2026, 0, 1, 0, 0, 5), iso: '2026-01-01T00:00:05.000Z', clock: 'virtual' },
    interrupted: { signal: 'SIGINT', atMs: 1200 },
    expectations: [
      x('ok', 'pass', 'pass', 'held'),
      x('bad', 'fail', 'fail', 'too hot'),
      x('late', 'not-exercised', 'error', 'not exercised: late trigger'),
      x('dead', 'not-judged', 'error', 'not judged: the run stopped'),
      x('opt', 'not-exercised', 'skip', 'not exercised (optional: not counted)'),
    ],
    errors: [{ atMs: 1200, message: 'interrupted: SIGINT' }],
  });
  const xml = toJUnit([result, base({ scenario: 'other', verdict: 'skip', summary: 'runs in virtual time only' })]);

  it('maps each status to its element and type', () => {
    const testcase = (id: string): string => new RegExp(`<testcase [^>]*name="${id}"[^>]*>([\\s\\S]*?)</testcase>`).exec(xml)![1]!;
    expect(testcase('ok').trim()).toBe('');
    expect(testcase('bad')).toContain('<failure message="too hot" type="ExpectationFailed">');
    expect(testcase('late')).toContain('<error message="not exercised: late trigger" type="NotExercised">');
    expect(testcase('dead')).toContain('<error message="not judged: the run stopped" type="NotJudged">');
    expect(testcase('opt')).toContain('<skipped message="not exercised (optional: not counted)"/>');
    expect(testcase('harness')).toContain('type="Interrupted"'); // the run's error is its interrupt
  });

  it('counts tests, failures, errors and skipped per suite and in total', () => {
    expect(xml).toContain('<testsuites name="hil" tests="7" failures="1" errors="3" skipped="2" time="3.000">');
    expect(xml).toContain('<testsuite name="s" tests="6" skipped="1" failures="1" errors="3"');
    expect(xml).toContain('<testsuite name="other" tests="1" skipped="1" failures="0" errors="0"');
  });

  it("records the scenario's t=0 and an interruption as properties", () => {
    expect(xml).toContain('<property name="t0" value="2026-01-01T00:00:05.000Z"/>');
    expect(xml).toContain(`<property name="t0EpochMs" value="${Date.UTC(2026, 0, 1, 0, 0, 5)}"/>`);
    expect(xml).toContain('<property name="t0Clock" value="virtual"/>');
    expect(xml).toContain('<property name="interrupted" value="SIGINT at t=1.200s"/>');
    expect(xml.match(/name="t0"/g)).toHaveLength(1);
  });
});

describe('combineVerdicts', () => {
  it.each([
    [['pass', 'pass'], 'pass'],
    [['pass', 'fail'], 'fail'],
    [['fail', 'error', 'pass'], 'error'],
    [['skip', 'pass'], 'pass'],
    [['skip', 'fail'], 'fail'],
    [['skip', 'skip'], 'error'],
    [[], 'pass'],
  ] as const)('%j -> %s', (vs, want) => {
    expect(combineVerdicts(vs)).toBe(want);
  });
});


describe('JUnit as CI servers read it', () => {
  it('one classname per scenario, time on every testcase, file and line apart, controller output and traffic in system-out', async () => {
    const s = parseScenario(
      ['scenario: lone', 'duration: 3s', 'expect:', '  - id: frames', '    requirement: REQ-1', '    atEnd: can.pack1.frames > 0', '  - id: never', '    atEnd: can.pack1.frames < 0', ''].join('\n'),
      '/x/lone.yaml',
    );
    const r = await runScenario(onePackBench('junit'), s, { mode: 'virtual' });
    r.wallMs = 3000;
    r.evidence.dutOutput = ['ctl: started', 'ctl: <limits> & done'];
    const xml = toJUnit([r]);
    const cases = [...xml.matchAll(/<testcase ([^>]*)>/g)].map((m) => m[1]!);
    expect(cases).toHaveLength(2);
    for (const c of cases) expect(c).toMatch(/^classname="lone" /);
    expect(cases[0]).toMatch(/name="frames \[REQ-1\]" time="1\.500" file="\/x\/lone\.yaml" line="4"$/);
    expect(cases[1]).toMatch(/name="never" time="1\.500" file="\/x\/lone\.yaml" line="7"$/);
    expect(xml).toContain('<failure message=');
    expect(xml).toContain('<system-out>controller output (last lines):\nctl: started\nctl: &lt;limits&gt; &amp; done\ntraffic: 1 CAN bus(es), ');
    // The run's traffic follows: the bus, its frame count as the expectation observed it (+ the frames of the last step).
    const frames = Number(/CAN pack1 \([^)]*\): (\d+) frame\(s\)/.exec(xml)![1]);
    expect(frames).toBeGreaterThanOrEqual(r.expectations[1]!.observed!['can.pack1.frames'] as number);
    expect(xml).toMatch(/<system-out>[^<]*<\/system-out>\n  <\/testsuite>/);
  });
});
