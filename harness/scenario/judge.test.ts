import { Judge, MAX_REACTION_RECORDS, type ExpectationResult, type ExpectationStatus, type ExpectationVerdict, type RunEnd } from './judge';
import { compileScenarioData } from './load-scenario';
import type { ExpectationSpec } from './types';

/**
 * The judge, driven directly with synthetic signal traces (no bench, no clock): every expectation kind against the
 * edges that decide verdicts. A trace is a list of samples `[t, values]`; values carry over from one sample to the
 * next (set one to `undefined` to make it unknown, or NaN).
 */
type Values = Record<string, number | boolean | undefined>;
type Sample = [number, Values];

interface Run {
  results: ExpectationResult[];
  /** Per sample time, the ids `sample()` reported as newly failed (only samples that reported any). */
  failedAt: Record<number, string[]>;
}

function judge(specs: ExpectationSpec[], trace: Sample[], end: RunEnd = {}, afterLast: Values = {}): Run {
  const s = compileScenarioData({ scenario: 'synthetic', duration: '1h', expect: specs });
  const values: Values = {};
  const j = new Judge(s.expectations, (n) => values[n]);
  const failedAt: Record<number, string[]> = {};
  for (const [t, v] of trace) {
    Object.assign(values, v);
    const failed = j.sample(t);
    if (failed.length > 0) failedAt[t] = failed;
  }
  Object.assign(values, afterLast);
  return { results: j.finish(end), failedAt };
}

/** Samples every `step` ms from `from` to `to` inclusive, with `values` at the first one. */
function every(step: number, from: number, to: number, values: Values = {}): Sample[] {
  const out: Sample[] = [];
  for (let t = from; t <= to; t += step) out.push([t, t === from ? values : {}]);
  return out;
}

const reaction = (extra: Partial<ExpectationSpec> = {}): ExpectationSpec => ({ id: 'r', when: 'alarm', within: '500ms', then: 'limit == 0', ...extra });
const invariant = (extra: Partial<ExpectationSpec> = {}): ExpectationSpec => ({ id: 'i', always: 'i <= 100', tolerance: '2s', ...extra });
const eventually = (extra: Partial<ExpectationSpec> = {}): ExpectationSpec => ({ id: 'e', eventually: 'soc >= 90', by: '10s', ...extra });
const atEnd = (extra: Partial<ExpectationSpec> = {}): ExpectationSpec => ({ id: 'f', atEnd: 'soc > 50', ...extra });

const DIED: RunEnd = { cutShort: 'the controller exited during the scenario (exit code 7)' };
const INTERRUPTED: RunEnd = { cutShort: 'interrupted: SIGINT' };
const STOPPED: RunEnd = { cutShort: 'stopped at the first failure (--stop-on-fail)', stoppedAtFailure: true };

interface Case {
  name: string;
  spec: ExpectationSpec;
  trace: Sample[];
  end?: RunEnd;
  /** Values changed after the last sample, before finish (must not matter). */
  afterLast?: Values;
  status: ExpectationStatus;
  verdict: ExpectationVerdict;
  atMs?: number;
  /** Every fragment must appear in the message. */
  message?: string[];
  /** The whole message. */
  messageIs?: string;
  /** The sample time at which `sample()` reported the failure (none when decided at finish or not failed). */
  failedAtSample?: number;
  observed?: Values;
  reactions?: Array<[number, number | null, string]>;
}

// Reaction: when alarm rises, limit must be 0 within 500 ms. A 10 s run sampled every 100 ms unless said.
const reactionCases: Case[] = [
  {
    name: 'reaction: answered inside the window, reaction time recorded',
    spec: reaction(),
    trace: [[0, { alarm: false, limit: 50 }], [1000, { alarm: true }], [1200, {}], [1400, { limit: 0 }], [2000, {}]],
    status: 'pass',
    verdict: 'pass',
    messageIs: '1 trigger(s) answered in time, slowest after 400 ms (deadline 500 ms)',
    reactions: [[1000, 400, 'reacted']],
  },
  {
    name: 'reaction: trigger at t=0 (true at the first sample) counts as a trigger',
    spec: reaction(),
    trace: [[0, { alarm: true, limit: 50 }], [300, { limit: 0 }], ...every(100, 400, 2000)],
    status: 'pass',
    verdict: 'pass',
    reactions: [[0, 300, 'reacted']],
  },
  {
    name: 'reaction: trigger at t=0 with the answer already there is a 0 ms reaction',
    spec: reaction(),
    trace: [[0, { alarm: true, limit: 0 }], [1000, {}]],
    status: 'pass',
    verdict: 'pass',
    message: ['slowest after 0 ms'],
    reactions: [[0, 0, 'reacted']],
  },
  {
    name: 'reaction: the answer exactly at the deadline counts',
    spec: reaction(),
    trace: [[0, { alarm: false, limit: 50 }], [1000, { alarm: true }], [1500, { limit: 0 }], [2000, {}]],
    status: 'pass',
    verdict: 'pass',
    reactions: [[1000, 500, 'reacted']],
  },
  {
    name: 'reaction: no answer by the deadline fails at the first sample after it',
    spec: reaction(),
    trace: [[0, { alarm: false, limit: 50 }], ...every(100, 1000, 1500, { alarm: true }), [1600, { limit: 0 }], [2000, {}]],
    status: 'fail',
    verdict: 'fail',
    atMs: 1600,
    failedAtSample: 1600,
    message: [`'limit == 0' did not hold within 500 ms of 'alarm' becoming true at t=1.000s`],
    observed: { limit: 0 },
    reactions: [[1000, null, 'missed']],
  },
  {
    name: 'reaction: trigger at exactly end - within, no answer: the window fit, so it fails (at the deadline)',
    spec: reaction(),
    trace: [[0, { alarm: false, limit: 50 }], ...every(100, 9500, 10_000, { alarm: true })],
    status: 'fail',
    verdict: 'fail',
    atMs: 10_000,
    message: ['did not hold within 500 ms', 'at t=9.500s'],
    observed: { limit: 50 },
    reactions: [[9500, null, 'missed']],
  },
  {
    name: 'reaction: trigger at exactly end - within, answered at the last sample: pass',
    spec: reaction(),
    trace: [[0, { alarm: false, limit: 50 }], [9500, { alarm: true }], [10_000, { limit: 0 }]],
    status: 'pass',
    verdict: 'pass',
    reactions: [[9500, 500, 'reacted']],
  },
  {
    name: 'reaction: trigger less than within before the end, no answer: not exercised (never "slowest reaction 0 ms")',
    spec: reaction(),
    trace: [[0, { alarm: false, limit: 50 }], ...every(100, 9800, 10_000, { alarm: true })],
    status: 'not-exercised',
    verdict: 'error',
    message: [`not exercised: 'alarm' became true only less than 500 ms before the end (at t=9.800s)`, 'mark the expectation optional: true'],
    reactions: [[9800, null, 'open']],
  },
  {
    name: 'reaction: the same, optional: not exercised, not counted',
    spec: reaction({ optional: true }),
    trace: [[0, { alarm: false, limit: 50 }], ...every(100, 9800, 10_000, { alarm: true })],
    status: 'not-exercised',
    verdict: 'skip',
    message: ['not exercised', '(optional: not counted)'],
  },
  {
    name: 'reaction: an answered trigger plus one too late to judge: pass, the late one named, slowest from the answered',
    spec: reaction(),
    trace: [[0, { alarm: false, limit: 50 }], [1000, { alarm: true }], [1200, { limit: 0 }], [2000, { alarm: false, limit: 50 }], [9800, { alarm: true }], [10_000, {}]],
    status: 'pass',
    verdict: 'pass',
    message: ['1 trigger(s) answered in time, slowest after 200 ms', '1 trigger(s) less than 500 ms before the end, not judged'],
    reactions: [
      [1000, 200, 'reacted'],
      [9800, null, 'open'],
    ],
  },
  {
    name: 'reaction: trigger never fired: not exercised',
    spec: reaction(),
    trace: every(100, 0, 10_000, { alarm: false, limit: 50 }),
    status: 'not-exercised',
    verdict: 'error',
    message: [`not exercised: 'alarm' never became true`],
    reactions: [],
  },
  {
    name: 'reaction: trigger never fired, optional: not counted',
    spec: reaction({ optional: true }),
    trace: every(100, 0, 10_000, { alarm: false, limit: 50 }),
    status: 'not-exercised',
    verdict: 'skip',
  },
  {
    name: 'reaction: re-trigger while one is pending opens a second window; one answer serves both',
    spec: reaction(),
    trace: [[0, { alarm: false, limit: 50 }], [1000, { alarm: true }], [1100, { alarm: false }], [1200, { alarm: true }], [1500, { limit: 0 }], [3000, {}]],
    status: 'pass',
    verdict: 'pass',
    message: ['2 trigger(s) answered in time, slowest after 500 ms'],
    reactions: [
      [1000, 500, 'reacted'],
      [1200, 300, 'reacted'],
    ],
  },
  {
    name: 'reaction: re-trigger while pending, the first window closes unanswered: fail on the first trigger',
    spec: reaction({ within: '400ms' }),
    trace: [[0, { alarm: false, limit: 50 }], [1000, { alarm: true }], [1100, { alarm: false }], [1200, { alarm: true }], [1400, {}], [1500, { limit: 0 }], [3000, {}]],
    status: 'fail',
    verdict: 'fail',
    atMs: 1500,
    failedAtSample: 1500,
    message: ['did not hold within 400 ms', 'at t=1.000s'],
    reactions: [
      [1000, null, 'missed'],
      [1200, null, 'open'],
    ],
  },
  {
    name: 'reaction: `when` staying true is one trigger (edges, not levels)',
    spec: reaction(),
    trace: [[0, { alarm: false, limit: 50 }], [1000, { alarm: true }], [1200, { limit: 0 }], ...every(100, 1300, 3000)],
    status: 'pass',
    verdict: 'pass',
    reactions: [[1000, 200, 'reacted']],
  },
  {
    name: 'reaction: an unknown `when` sample is not an edge (true, unknown, true is one trigger)',
    spec: reaction(),
    trace: [[0, { alarm: true, limit: 0 }], [100, { alarm: undefined }], [200, { alarm: true }], [1000, {}]],
    status: 'pass',
    verdict: 'pass',
    reactions: [[0, 0, 'reacted']],
  },
  {
    name: 'reaction: `when` never has a value: not judged, naming the signal',
    spec: reaction(),
    trace: every(100, 0, 2000, { limit: 50 }),
    status: 'not-judged',
    verdict: 'error',
    message: [`not judged: no value for alarm during the whole run, so 'alarm' could not be watched`],
  },
  {
    name: 'reaction: `when` NaN all along is no value: not judged',
    spec: reaction(),
    trace: every(100, 0, 2000, { alarm: NaN, limit: 50 }),
    status: 'not-judged',
    verdict: 'error',
    message: ['no value for alarm'],
  },
  {
    name: 'reaction: `then` unknown through a whole window: that trigger is not judged',
    spec: reaction(),
    trace: [[0, { alarm: false }], ...every(100, 1000, 3000, { alarm: true })],
    status: 'not-judged',
    verdict: 'error',
    message: ['not judged: no value for limit throughout the window of 1 trigger(s) (the first at t=1.000s)'],
    reactions: [[1000, null, 'unknown']],
  },
  {
    name: 'reaction: `then` unknown through two windows: the count and the first trigger are named',
    spec: reaction(),
    trace: [[0, { alarm: false }], [1000, { alarm: true }], [1100, { alarm: false }], [2000, { alarm: true }], ...every(100, 2100, 3000)],
    status: 'not-judged',
    verdict: 'error',
    messageIs: 'not judged: no value for limit throughout the window of 2 trigger(s) (the first at t=1.000s)',
  },
  {
    name: 'reaction: `then` known false in the window, then NaN: a miss',
    spec: reaction(),
    trace: [[0, { alarm: false, limit: 50 }], [1000, { alarm: true }], [1100, { limit: NaN }], ...every(100, 1200, 1600)],
    status: 'fail',
    verdict: 'fail',
    failedAtSample: 1600,
    atMs: 1600,
  },
  {
    name: 'reaction: controller dead with a trigger pending: not judged, with the reason',
    spec: reaction(),
    trace: [[0, { alarm: false, limit: 50 }], [1000, { alarm: true }], [1200, {}]],
    end: DIED,
    status: 'not-judged',
    verdict: 'error',
    message: ['not judged: the run stopped after the sample at t=1.200s (the controller exited during the scenario (exit code 7))', '1 trigger(s) so far, 0 answered in time'],
    reactions: [[1000, null, 'open']],
  },
  {
    name: 'reaction: controller dead after every trigger was answered: still not judged (the rest of the run never happened)',
    spec: reaction(),
    trace: [[0, { alarm: false, limit: 50 }], [1000, { alarm: true }], [1200, { limit: 0 }], [5000, {}]],
    end: DIED,
    status: 'not-judged',
    verdict: 'error',
    message: ['1 trigger(s) so far, 1 answered in time'],
  },
  {
    name: 'reaction: a window that closed at the last sample before the controller died is a miss',
    spec: reaction(),
    trace: [[0, { alarm: false, limit: 50 }], ...every(100, 1000, 1500, { alarm: true })],
    end: DIED,
    status: 'fail',
    verdict: 'fail',
    atMs: 1500,
  },
  {
    name: 'reaction: interrupted run: not judged',
    spec: reaction(),
    trace: [[0, { alarm: false, limit: 50 }], [1000, {}]],
    end: INTERRUPTED,
    status: 'not-judged',
    verdict: 'error',
    message: ['(interrupted: SIGINT)'],
  },
  {
    name: 'reaction: left open by --stop-on-fail: not judged, not counted',
    spec: reaction(),
    trace: [[0, { alarm: false, limit: 50 }], [1000, { alarm: true }]],
    end: STOPPED,
    status: 'not-judged',
    verdict: 'skip',
  },
  {
    name: 'reaction: failed before the controller died: the failure stands',
    spec: reaction(),
    trace: [[0, { alarm: true, limit: 50 }], ...every(100, 100, 800)],
    end: DIED,
    status: 'fail',
    verdict: 'fail',
    atMs: 600,
    failedAtSample: 600,
  },
];

// Invariant: i <= 100, violations up to 2 s forgiven.
const invariantCases: Case[] = [
  {
    name: 'invariant: holds throughout',
    spec: invariant(),
    trace: every(100, 0, 5000, { i: 50 }),
    status: 'pass',
    verdict: 'pass',
    atMs: 5000,
    messageIs: `'i <= 100' held throughout`,
  },
  {
    name: 'invariant: violated at t=0 with no tolerance: fails at 0',
    spec: invariant({ tolerance: undefined }),
    trace: [[0, { i: 120 }], [100, { i: 50 }]],
    status: 'fail',
    verdict: 'fail',
    atMs: 0,
    failedAtSample: 0,
    message: [`invariant 'i <= 100' was violated`],
    observed: { i: 120 },
  },
  {
    name: 'invariant: a violation lasting exactly the tolerance (first to last false sample) is forgiven',
    spec: invariant(),
    trace: [[0, { i: 50 }], ...every(100, 1000, 3000, { i: 120 }), [3100, { i: 50 }], [5000, {}]],
    status: 'pass',
    verdict: 'pass',
  },
  {
    name: 'invariant: one step beyond the tolerance fails there',
    spec: invariant(),
    trace: [[0, { i: 50 }], ...every(100, 1000, 3100, { i: 120 }), [3200, { i: 50 }]],
    status: 'fail',
    verdict: 'fail',
    atMs: 3100,
    failedAtSample: 3100,
    message: [`invariant 'i <= 100' was violated for more than 2000 ms (since t=1.000s)`],
    observed: { i: 120 },
  },
  {
    name: 'invariant: two short violations apart are each forgiven',
    spec: invariant(),
    trace: [[0, { i: 120 }], [1500, {}], [1600, { i: 50 }], [1700, { i: 120 }], [3200, {}], [3300, { i: 50 }]],
    status: 'pass',
    verdict: 'pass',
  },
  {
    name: 'invariant: a violation still open at the end, within the tolerance: pass, and said so',
    spec: invariant(),
    trace: [[0, { i: 50 }], ...every(100, 9000, 10_000, { i: 120 })],
    status: 'pass',
    verdict: 'pass',
    message: ['false since t=9.000s when the run ended (within the 2000 ms tolerance)'],
  },
  {
    name: 'invariant: false samples before `after` are not judged; the sample at `after` is',
    spec: invariant({ tolerance: undefined, after: '2s' }),
    trace: [[0, { i: 120 }], [1900, {}], [2000, {}]],
    status: 'fail',
    verdict: 'fail',
    atMs: 2000,
    failedAtSample: 2000,
  },
  {
    name: 'invariant: `after` holds off judging; true from then on passes and says from when',
    spec: invariant({ tolerance: undefined, after: '2s' }),
    trace: [[0, { i: 120 }], [1900, {}], [2000, { i: 50 }], [3000, {}]],
    status: 'pass',
    verdict: 'pass',
    messageIs: `'i <= 100' held throughout (from t=2.000s)`,
  },
  {
    name: 'invariant: the run ends before `after`: not judged',
    spec: invariant({ after: '20s' }),
    trace: every(100, 0, 10_000, { i: 50 }),
    status: 'not-judged',
    verdict: 'error',
    message: [`not judged: the run ended before t=20.000s ('after')`],
  },
  {
    name: 'invariant: its signal never has a value: not judged',
    spec: invariant(),
    trace: every(100, 0, 2000, {}),
    status: 'not-judged',
    verdict: 'error',
    message: ['not judged: no value for i during the whole run'],
  },
  {
    name: 'invariant: a NaN sample is unknown, not a violation (tolerance 0)',
    spec: invariant({ tolerance: undefined }),
    trace: [[0, { i: 50 }], [100, { i: NaN }], [200, { i: 50 }]],
    status: 'pass',
    verdict: 'pass',
  },
  {
    name: 'invariant: unknown samples inside a violation neither end nor restart it',
    spec: invariant(),
    trace: [[0, { i: 50 }], [1000, { i: 120 }], ...every(100, 1100, 2900, { i: NaN }), [3100, { i: 120 }]],
    status: 'fail',
    verdict: 'fail',
    atMs: 3100,
    failedAtSample: 3100,
    message: ['(since t=1.000s)'],
  },
  {
    name: 'invariant: controller dead mid-run: not judged, held until then',
    spec: invariant(),
    trace: every(100, 0, 3000, { i: 50 }),
    end: DIED,
    status: 'not-judged',
    verdict: 'error',
    message: ['the run stopped after the sample at t=3.000s', 'it held until then'],
  },
  {
    name: 'invariant: run stopped before anything was known: not judged yet',
    spec: invariant(),
    trace: [[0, {}]],
    end: INTERRUPTED,
    status: 'not-judged',
    verdict: 'error',
    message: ['it had not been judged yet'],
  },
  {
    name: 'invariant: stop-on-fail leaves it open: not counted',
    spec: invariant(),
    trace: every(100, 0, 3000, { i: 50 }),
    end: STOPPED,
    status: 'not-judged',
    verdict: 'skip',
  },
  {
    name: 'invariant: failed, then the controller died: the failure stands',
    spec: invariant({ tolerance: undefined }),
    trace: [[0, { i: 150 }], [100, { i: 50 }]],
    end: DIED,
    status: 'fail',
    verdict: 'fail',
    atMs: 0,
    failedAtSample: 0,
  },
];

// Eventually: soc >= 90 by 10 s.
const eventuallyCases: Case[] = [
  {
    name: 'eventually: true before the deadline passes at that moment',
    spec: eventually(),
    trace: [[0, { soc: 80 }], [4000, { soc: 91 }], [5000, { soc: 80 }], [12_000, {}]],
    status: 'pass',
    verdict: 'pass',
    atMs: 4000,
    message: [`'soc >= 90' became true at t=4.000s`],
  },
  {
    name: 'eventually: true at t=0',
    spec: eventually(),
    trace: [[0, { soc: 95 }], [1000, {}]],
    status: 'pass',
    verdict: 'pass',
    atMs: 0,
  },
  {
    name: 'eventually: true exactly at the deadline counts',
    spec: eventually(),
    trace: [[0, { soc: 80 }], [10_000, { soc: 90 }], [10_100, {}]],
    status: 'pass',
    verdict: 'pass',
    atMs: 10_000,
  },
  {
    name: 'eventually: true only after the deadline fails at the first sample past it',
    spec: eventually(),
    trace: [[0, { soc: 80 }], [10_000, {}], [10_100, { soc: 95 }], [11_000, {}]],
    status: 'fail',
    verdict: 'fail',
    atMs: 10_100,
    failedAtSample: 10_100,
    message: [`'soc >= 90' never became true by t=10.000s`],
    observed: { soc: 95 },
  },
  {
    name: 'eventually: never true, the run ends exactly at the deadline: fails there',
    spec: eventually(),
    trace: every(100, 0, 10_000, { soc: 80 }),
    status: 'fail',
    verdict: 'fail',
    atMs: 10_000,
    observed: { soc: 80 },
  },
  {
    name: 'eventually: the deadline lies beyond the end of the run: not judged',
    spec: eventually({ by: '20s' }),
    trace: every(100, 0, 10_000, { soc: 80 }),
    status: 'not-judged',
    verdict: 'error',
    message: ['not judged: the run ended before the deadline t=20.000s'],
  },
  {
    name: 'eventually: no sample at all: the run ended before the deadline',
    spec: eventually(),
    trace: [],
    status: 'not-judged',
    verdict: 'error',
    messageIs: 'not judged: the run ended before the deadline t=10.000s',
  },
  {
    name: 'eventually: no value up to the deadline: not judged',
    spec: eventually(),
    trace: every(100, 0, 11_000, {}),
    status: 'not-judged',
    verdict: 'error',
    message: ['not judged: no value for soc up to t=10.000s'],
  },
  {
    name: 'eventually: NaN until the deadline is no value',
    spec: eventually(),
    trace: every(100, 0, 10_000, { soc: NaN }),
    status: 'not-judged',
    verdict: 'error',
  },
  {
    name: 'eventually: known false once, NaN after: fails at the deadline',
    spec: eventually(),
    trace: [[0, { soc: 80 }], ...every(100, 100, 10_000, { soc: NaN })],
    status: 'fail',
    verdict: 'fail',
    atMs: 10_000,
  },
  {
    name: 'eventually: controller dead before the deadline: not judged',
    spec: eventually(),
    trace: every(100, 0, 5000, { soc: 80 }),
    end: DIED,
    status: 'not-judged',
    verdict: 'error',
    message: ['it had not become true by then (deadline t=10.000s)'],
  },
  {
    name: 'eventually: interrupted after it came true: the pass stands',
    spec: eventually(),
    trace: [[0, { soc: 80 }], [3000, { soc: 95 }], [5000, {}]],
    end: INTERRUPTED,
    status: 'pass',
    verdict: 'pass',
    atMs: 3000,
  },
];

// atEnd: soc > 50 at the last sample.
const atEndCases: Case[] = [
  {
    name: 'atEnd: true at the last sample',
    spec: atEnd(),
    trace: [[0, { soc: 40 }], [10_000, { soc: 60 }]],
    status: 'pass',
    verdict: 'pass',
    atMs: 10_000,
    message: [`'soc > 50' holds at the end`],
  },
  {
    name: 'atEnd: false at the last sample (true before) fails there',
    spec: atEnd(),
    trace: [[0, { soc: 60 }], [10_000, { soc: 40 }]],
    status: 'fail',
    verdict: 'fail',
    atMs: 10_000,
    message: [`at the end, 'soc > 50' is false`],
    observed: { soc: 40 },
  },
  {
    name: 'atEnd: judged on the last sample, not on what changed after it',
    spec: atEnd(),
    trace: [[0, { soc: 60 }], [10_000, {}]],
    afterLast: { soc: 10 },
    status: 'pass',
    verdict: 'pass',
  },
  {
    name: 'atEnd: the last sample has no value: not judged',
    spec: atEnd(),
    trace: [[0, { soc: 60 }], [10_000, { soc: undefined }]],
    status: 'not-judged',
    verdict: 'error',
    message: ['not judged: no value for soc at the end'],
    observed: { soc: undefined },
  },
  {
    name: 'atEnd: several signals without a value are all named',
    spec: atEnd({ atEnd: 'x + y > soc' }),
    trace: [[0, { soc: 1 }]],
    status: 'not-judged',
    verdict: 'error',
    messageIs: 'not judged: no value for x, y at the end',
  },
  {
    name: 'atEnd: NaN arithmetic with every signal known: not judged, said so',
    spec: atEnd({ atEnd: 'a / b > 1' }),
    trace: [[0, { a: 0, b: 0 }]],
    status: 'not-judged',
    verdict: 'error',
    message: [`'a / b > 1' is not a number (NaN) at the end`],
  },
  {
    name: 'atEnd: controller dead: the end was never reached',
    spec: atEnd(),
    trace: [[0, { soc: 60 }], [3000, {}]],
    end: DIED,
    status: 'not-judged',
    verdict: 'error',
    message: ['the end was never reached'],
  },
  {
    name: 'atEnd: stop-on-fail: not counted',
    spec: atEnd(),
    trace: [[0, { soc: 60 }]],
    end: STOPPED,
    status: 'not-judged',
    verdict: 'skip',
  },
  {
    name: 'atEnd: no sample at all: not judged',
    spec: atEnd(),
    trace: [],
    status: 'not-judged',
    verdict: 'error',
    message: ['not judged: the run took no sample'],
  },
  {
    name: 'any kind: the run stopped before t=0: not judged, saying so',
    spec: invariant(),
    trace: [],
    end: { cutShort: 'cannot start the controller' },
    status: 'not-judged',
    verdict: 'error',
    message: ['not judged: the run stopped before t=0 (cannot start the controller)'],
  },
];

describe('Judge: table of synthetic cases (every kind x every edge)', () => {
  const cases = [...reactionCases, ...invariantCases, ...eventuallyCases, ...atEndCases];
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const { results, failedAt } = judge([c.spec], c.trace, c.end, c.afterLast);
    const r = results[0]!;
    expect({ status: r.status, verdict: r.verdict }).toEqual({ status: c.status, verdict: c.verdict });
    expect(r.id).toBe(c.spec.id);
    if (c.atMs !== undefined) expect(r.atMs).toBe(c.atMs);
    for (const m of c.message ?? []) expect(r.message).toContain(m);
    if (c.messageIs !== undefined) expect(r.message).toBe(c.messageIs);
    expect(failedAt).toEqual(c.failedAtSample !== undefined ? { [c.failedAtSample]: [c.spec.id] } : {});
    if (c.observed) expect(r.observed).toEqual(c.observed);
    if (c.reactions) expect(r.reactions!.map((x) => [x.triggeredAtMs, x.reactedAfterMs, x.outcome])).toEqual(c.reactions);
    expect('reactionsOmitted' in r).toBe(false);
    if (r.status !== 'fail') expect(r.observed === undefined || r.status === 'not-judged').toBe(true);
    if (r.status === 'pass' || r.status === 'not-exercised') expect(r.message).not.toMatch(/^not judged/);
  });
});

describe('Judge: the whole', () => {
  it('returns results in declaration order, with requirement and location', () => {
    const { results } = judge(
      [atEnd({ id: 'z', requirement: 'REQ-9' }), invariant({ id: 'a' })],
      [[0, { soc: 60, i: 50 }]],
    );
    expect(results.map((r) => [r.id, r.requirement, r.where])).toEqual([
      ['z', 'REQ-9', '(api)'],
      ['a', undefined, '(api)'],
    ]);
    expect('requirement' in results[1]!).toBe(false);
  });

  it('reports each failure once, at the sample that decided it, and stops judging a decided expectation', () => {
    const s = compileScenarioData({ scenario: 's', duration: '1m', expect: [invariant({ id: 'a', tolerance: undefined }), eventually({ id: 'b', by: '1s' })] });
    const values: Values = { i: 50, soc: 95 };
    let reads = 0;
    const j = new Judge(s.expectations, (n) => {
      reads++;
      return values[n];
    });
    expect(j.sample(0)).toEqual([]);
    expect(j.anyFailed).toBe(false);
    values.i = 150;
    expect(j.sample(100)).toEqual(['a']);
    expect(j.anyFailed).toBe(true);
    const before = reads;
    expect(j.sample(200)).toEqual([]);
    expect(reads).toBe(before);
    const [a, b] = j.finish();
    expect([a!.status, a!.atMs, b!.status, b!.atMs]).toEqual(['fail', 100, 'pass', 0]);
  });

  it('anyFailed counts only failures (not errors, not passes)', () => {
    const s = compileScenarioData({ scenario: 's', duration: '1m', expect: [eventually({ by: '100ms' })] });
    const j = new Judge(s.expectations, () => undefined);
    j.sample(0);
    j.sample(200);
    expect(j.anyFailed).toBe(false);
    expect(j.finish()[0]!.status).toBe('not-judged');
  });

  it('a trigger that flaps every sample is counted beyond the records kept', () => {
    const trace: Sample[] = [];
    for (let k = 0; k < 2 * (MAX_REACTION_RECORDS + 5); k++) trace.push([k * 100, { alarm: k % 2 === 0, limit: 0 }]);
    const [r] = judge([reaction()], trace).results;
    expect(r!.status).toBe('pass');
    expect(r!.reactions).toHaveLength(MAX_REACTION_RECORDS);
    expect(r!.reactionsOmitted).toBe(5);
    expect(r!.message).toContain(`${MAX_REACTION_RECORDS + 5} trigger(s) answered in time`);
  });

  it('a failing reaction lists its omitted triggers too', () => {
    const trace: Sample[] = [];
    for (let k = 0; k < 2 * (MAX_REACTION_RECORDS + 2); k++) trace.push([k * 100, { alarm: k % 2 === 0, limit: 0 }]);
    const t = trace.length * 100;
    trace.push([t, { alarm: true, limit: 50 }], [t + 600, {}]);
    const [r] = judge([reaction()], trace).results;
    expect(r!.status).toBe('fail');
    expect(r!.reactionsOmitted).toBe(3);
  });

  it('the slowest reaction is the maximum, not the last', () => {
    const { results } = judge(
      [reaction()],
      [[0, { alarm: true, limit: 50 }], [400, { limit: 0 }], [500, { alarm: false }], [1000, { alarm: true, limit: 50 }], [1100, { limit: 0 }], [2000, {}]],
    );
    expect(results[0]!.message).toContain('2 trigger(s) answered in time, slowest after 400 ms');
  });

  it('an optional reaction that was exercised is judged like any other', () => {
    const { results } = judge([reaction({ optional: true })], [[0, { alarm: true, limit: 50 }], ...every(100, 100, 700)]);
    expect([results[0]!.status, results[0]!.verdict]).toEqual(['fail', 'fail']);
  });

  it('sample times with floating-point noise still meet their deadline and tolerance', () => {
    // 33.3 ms steps summed ten times give 333.00000000000006, not 333.
    const trace: Sample[] = [[0, { alarm: true, limit: 50, i: 120 }]];
    let t = 0;
    for (let k = 0; k < 9; k++) trace.push([(t += 33.3), {}]);
    trace.push([(t += 33.3), { limit: 0 }], [t + 33.3, { i: 50 }]);
    expect(t).not.toBe(333);
    const { results } = judge([reaction({ within: '333ms' }), invariant({ tolerance: '333ms' })], trace);
    expect(results.map((r) => r.status)).toEqual(['pass', 'pass']);
  });
});
