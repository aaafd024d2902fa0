import { INPUT_LIMITS } from '../config/limits';
import { nameProblem } from '../config/names';
import { ConfigError } from '../../core/errors';
import { capProblems, InputProblems, ProblemList, problemsOf, type Problem } from '../config/problems';
import { didYouMean } from '../../core/suggest';
import { readYamlSource, parseYamlSource, validateSource, type YamlSource } from '../config/yaml-file';
import { dutyProfile } from '../../emulators/bms/pack/duty';
import { formatDuration, parseDuration } from '../config/duration';
import { parseAgeSpan } from './age-span';
import { compileExpression, type Compiled } from './expression';
import { scenarioSchema } from './schema';
import type { Expectation, Scenario, ScenarioStep, StepAction } from './scenario';
import { INITIAL_RANGES, outOfRange, rangeOf, STIMULUS_RANGES } from './stimulus-limits';
import type { ExpectationSpec, ScenarioFile } from './types';

/** Default plant step: fine enough to judge 500 ms deadlines. */
export const DEFAULT_STEP_MS = 100;

/**
 * Load and compile a scenario file. Throws `InputProblems` (a `ConfigError`) listing every problem of the file,
 * each with `file:line:column`.
 */
export function loadScenario(file: string): Scenario {
  return compileScenario(readYamlSource(file));
}

/** Compile scenario text (for tests and tools). */
export function parseScenario(text: string, file = '(text)'): Scenario {
  return compileScenario(parseYamlSource(text, file));
}

/** Compile a scenario given as data (the TypeScript API): same checks as files, locations read `source`. */
export function compileScenarioData(data: ScenarioFile, source = '(api)'): Scenario {
  return compileScenario({ file: source, data, locate: () => source });
}

type ExprField = 'when' | 'then' | 'always' | 'eventually' | 'atEnd';

/** Compile a parsed scenario file (see `loadScenario`). */
export function compileScenario(src: YamlSource): Scenario {
  const r = compileScenarioLeniently(src);
  if (r.problems.length > 0) throw new InputProblems(capProblems(r.problems));
  return r.scenario!;
}

/**
 * Compile what can be compiled and list every problem: the scenario (without the steps and expectations that have
 * problems) is there unless the file's shape is wrong, so a checker can go on to check it against a bench and report
 * those problems too.
 */
export function compileScenarioLeniently(src: YamlSource): { scenario: Scenario | undefined; problems: Problem[] } {
  let f: ScenarioFile;
  try {
    f = validateSource<ScenarioFile>(src, scenarioSchema, 'scenario');
  } catch (err) {
    if (err instanceof ConfigError) return { scenario: undefined, problems: problemsOf(err) };
    throw err;
  }
  const problems = new ProblemList();
  const at = (p: string, key = false): string => src.locate(p, key);
  const name = (value: string | undefined, what: string, p: string): void => {
    if (value === undefined) return;
    const why = nameProblem(value, what);
    if (why) problems.add(at(p), why);
  };
  const dur = (v: string | number, p: string): number | undefined => problems.attempt(() => parseDuration(v, at(p)));

  name(f.scenario, 'scenario id', '/scenario');
  (f.requirements ?? []).forEach((r, i) => name(r, 'requirement id', `/requirements/${i}`));
  const durationMs = dur(f.duration, '/duration');
  if (durationMs !== undefined && durationMs <= 0) problems.add(at('/duration'), 'duration must be more than 0');
  let stepMs = DEFAULT_STEP_MS;
  if (f.step !== undefined) {
    const s = dur(f.step, '/step');
    if (s !== undefined && (s < INPUT_LIMITS.minStepMs || s > INPUT_LIMITS.maxStepMs)) {
      problems.add(at('/step'), `step must be between ${INPUT_LIMITS.minStepMs}ms and ${INPUT_LIMITS.maxStepMs / 1000}s, got ${String(f.step)}`);
    } else if (s !== undefined) stepMs = s;
  }
  if (durationMs !== undefined && durationMs > 0 && durationMs / stepMs > INPUT_LIMITS.steps) {
    problems.add(
      at(f.step !== undefined ? '/step' : '/duration'),
      `${formatDuration(durationMs)} in steps of ${formatDuration(stepMs)} is ${Math.ceil(durationMs / stepMs)} plant steps; the limit is ${INPUT_LIMITS.steps} (use a coarser step)`,
    );
  }
  const end = durationMs ?? Infinity;
  if (f.initial?.ambient !== undefined) addRange(problems, 'ambient', f.initial.ambient, STIMULUS_RANGES.ambient, at('/initial/ambient'));

  const timeline = compileTimeline(f, src, problems, end);

  const ids = new Set<string>();
  const expectations: Expectation[] = [];
  f.expect.forEach((e, i) => {
    const p = `/expect/${i}`;
    name(e.id, 'expectation id', `${p}/id`);
    if (e.requirement !== undefined) name(e.requirement, 'requirement id', `${p}/requirement`);
    if (ids.has(e.id)) problems.add(at(`${p}/id`), `expectation id '${e.id}' is used twice`);
    ids.add(e.id);
    const compiled = compileExpectation(e, p, src, problems, end);
    if (compiled) expectations.push(compiled);
  });

  // Values out of range are left out (of a scenario with problems), so a bench check does not report them again.
  const devices: Record<string, Record<string, number | string | boolean>> = {};
  const whereDevices: Record<string, string> = {};
  for (const [dev, values] of Object.entries(f.initial?.devices ?? {})) {
    const p = `/initial/devices/${escapePointer(dev)}`;
    whereDevices[dev] = at(p, true);
    name(dev, 'device name', p);
    devices[dev] = {};
    for (const [k, v] of Object.entries(values)) {
      const why = outOfRange(`${dev} initial ${k}`, v, rangeOf(INITIAL_RANGES, k, false));
      if (why) problems.add(at(`${p}/${escapePointer(k)}`), why);
      else devices[dev][k] = v;
    }
  }
  const scenario: Scenario = {
    id: f.scenario,
    title: f.title ?? f.scenario,
    ...(f.description ? { description: f.description } : {}),
    requirements: f.requirements ?? [],
    tags: f.tags ?? [],
    seed: f.seed ?? 1,
    durationMs: durationMs ?? 0,
    stepMs,
    timeMode: f.timeMode ?? 'any',
    ...(f.initial?.ambient !== undefined ? { ambient: f.initial.ambient } : {}),
    devices,
    timeline,
    expectations,
    source: src.file,
    where: { devices: whereDevices },
  };
  return { scenario, problems: problems.items };
}

function compileTimeline(f: ScenarioFile, src: YamlSource, problems: ProblemList, end: number): ScenarioStep[] {
  const at = (p: string, key = false): string => src.locate(p, key);
  const name = (value: string, what: string, p: string): void => {
    const why = nameProblem(value, what);
    if (why) problems.add(at(p), why);
  };
  const timeline: ScenarioStep[] = [];
  const faultIds = new Map<string, number>();
  (f.timeline ?? []).forEach((s, i) => {
    const p = `/timeline/${i}`;
    const atMs = problems.attempt(() => parseDuration(s.at, at(`${p}/at`)));
    if (atMs === undefined) return;
    if (atMs > end) problems.add(at(`${p}/at`), `step at ${String(s.at)} is after the end of the scenario (${String(f.duration)})`);
    const actions = (['set', 'ramp', 'fault', 'clear', 'age'] as const).filter((k) => s[k] !== undefined);
    if (actions.length > 1) {
      problems.add(at(p), `a timeline step does one thing; this one has ${actions.join(' and ')} (split it into steps)`);
      return;
    }
    let action: StepAction;
    const keyWhere: Record<string, string> = {};
    if (s.set) {
      for (const [k, v] of Object.entries(s.set)) {
        const kp = `${p}/set/${escapePointer(k)}`;
        keyWhere[k] = at(kp, true);
        name(k, 'stimulus', kp);
        addRange(problems, k, v, rangeOf(STIMULUS_RANGES, k, k !== 'ambient'), at(kp));
      }
      action = { kind: 'set', values: s.set };
    } else if (s.ramp) {
      const overMs = problems.attempt(() => parseDuration(s.ramp!.over, at(`${p}/ramp/over`)));
      name(s.ramp.target, 'ramp target', `${p}/ramp/target`);
      const range = rangeOf(STIMULUS_RANGES, s.ramp.target, s.ramp.target !== 'ambient');
      if (s.ramp.from !== undefined) addRange(problems, `${s.ramp.target} (from)`, s.ramp.from, range, at(`${p}/ramp/from`));
      addRange(problems, `${s.ramp.target} (to)`, s.ramp.to, range, at(`${p}/ramp/to`));
      if (overMs === undefined) return;
      action = { kind: 'ramp', target: s.ramp.target, ...(s.ramp.from !== undefined ? { from: s.ramp.from } : {}), to: s.ramp.to, overMs };
    } else if (s.fault) {
      const { id, device, kind, ...params } = s.fault;
      name(device, 'fault device', `${p}/fault/device`);
      if (id !== undefined) name(id, 'fault id', `${p}/fault/id`);
      for (const k of Object.keys(params)) name(k, 'fault parameter', `${p}/fault/${escapePointer(k)}`);
      const fid = id ?? `${device}.${kind}#${i}`;
      if (faultIds.has(fid)) problems.add(at(`${p}/fault/id`), `fault id '${fid}' is used twice`);
      faultIds.set(fid, atMs);
      action = { kind: 'fault', id: fid, device, fault: kind, params };
    } else if (s.clear !== undefined) {
      const injected = faultIds.get(s.clear);
      if (injected === undefined) {
        const ids = (f.timeline ?? []).flatMap((t, j) => (t.fault ? [t.fault.id ?? `${t.fault.device}.${t.fault.kind}#${j}`] : []));
        problems.add(at(`${p}/clear`), `clear: no fault with id '${s.clear}' is injected before this step (give the fault an id: ...)${didYouMean(s.clear, ids)}`);
      } else if (injected > atMs) problems.add(at(`${p}/clear`), `clear: fault '${s.clear}' is injected later, at ${injected} ms`);
      action = { kind: 'clear', id: s.clear };
    } else if (s.age) {
      const age = s.age;
      const days = problems.attempt(() => parseAgeSpan(age.for, at(`${p}/age/for`)));
      const duty = problems.attempt(() => dutyProfile(age.duty, at(`${p}/age/duty`)));
      if (days === undefined || duty === undefined) return;
      action = { kind: 'age', days, duty: age.duty, ...(age.devices ? { devices: age.devices } : {}) };
    } else if (s.note !== undefined) action = { kind: 'note', text: s.note };
    else {
      problems.add(at(p), 'a timeline step needs one of: set, ramp, fault, clear, age, note');
      return;
    }
    timeline.push({ atMs, action, where: at(p), ...(Object.keys(keyWhere).length > 0 ? { keyWhere } : {}) });
  });
  return timeline.sort((a, b) => a.atMs - b.atMs);
}

function compileExpectation(e: ExpectationSpec, p: string, src: YamlSource, problems: ProblemList, end: number): Expectation | undefined {
  const at = (q: string, key = false): string => src.locate(q, key);
  const forms = (['when', 'always', 'eventually', 'atEnd'] as const).filter((k) => e[k] !== undefined);
  if (forms.length !== 1) {
    problems.add(
      at(p),
      forms.length === 0
        ? `expectation '${e.id}' needs one of: when/within/then (reaction), always (invariant), eventually, atEnd`
        : `expectation '${e.id}' mixes ${forms.join(' and ')}; write one expectation per form`,
    );
    return undefined;
  }
  const allowed = e.when !== undefined ? ['within', 'then', 'optional'] : e.always !== undefined ? ['tolerance', 'after'] : e.eventually !== undefined ? ['by'] : [];
  const stray = (['within', 'then', 'optional', 'tolerance', 'after', 'by'] as const).filter((k) => e[k] !== undefined && !allowed.includes(k));
  for (const k of stray) problems.add(at(`${p}/${k}`, true), `'${k}' does not apply to this kind of expectation`);

  const fieldWhere: Partial<Record<ExprField, string>> = {};
  let ok = stray.length === 0;
  const x = (k: ExprField): Compiled | undefined => {
    fieldWhere[k] = at(`${p}/${k}`);
    const c = problems.attempt(() => compileExpression(e[k]!, fieldWhere[k]));
    if (!c) ok = false;
    for (const s of c?.signals ?? []) {
      const why = nameProblem(s, 'signal');
      if (why) {
        problems.add(fieldWhere[k], why);
        ok = false;
      }
    }
    return c;
  };
  const d = (k: 'within' | 'tolerance' | 'after' | 'by', dflt: number): number => {
    if (e[k] === undefined) return dflt;
    const v = problems.attempt(() => parseDuration(e[k], at(`${p}/${k}`)));
    if (v === undefined) ok = false;
    else if ((k === 'by' || k === 'after') && v > end) {
      problems.add(at(`${p}/${k}`), `'${k}: ${String(e[k])}' is after the end of the scenario, so it can never be judged`);
      ok = false;
    }
    return v ?? dflt;
  };
  const base = { id: e.id, where: at(p), ...(e.requirement ? { requirement: e.requirement } : {}), ...(e.description ? { description: e.description } : {}) };
  let form: Expectation['form'] | undefined;
  switch (forms[0]) {
    case 'when': {
      if (e.within === undefined || e.then === undefined) {
        problems.add(at(p), `reaction '${e.id}' needs 'within' (a deadline) and 'then' (what must hold)`);
        return undefined;
      }
      const when = x('when');
      const then = x('then');
      const withinMs = d('within', 0);
      if (when && then) form = { kind: 'reaction', when, withinMs, then, optional: e.optional ?? false };
      break;
    }
    case 'always': {
      const cond = x('always');
      const toleranceMs = d('tolerance', 0);
      const afterMs = d('after', 0);
      if (cond) form = { kind: 'invariant', cond, toleranceMs, afterMs };
      break;
    }
    case 'eventually': {
      const cond = x('eventually');
      const byMs = d('by', end);
      if (cond) form = { kind: 'eventually', cond, byMs };
      break;
    }
    default: {
      const cond = x('atEnd');
      if (cond) form = { kind: 'final', cond };
    }
  }
  return ok && form ? { ...base, form, fieldWhere } : undefined;
}

function addRange(problems: ProblemList, what: string, value: unknown, range: Parameters<typeof outOfRange>[2], where: string): void {
  const why = outOfRange(what, value, range);
  if (why) problems.add(where, why);
}

function escapePointer(k: string): string {
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
}
