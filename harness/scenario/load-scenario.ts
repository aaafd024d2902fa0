import { ConfigError } from '../../core/errors';
import { readYamlSource, parseYamlSource, validateSource, type YamlSource } from '../config/yaml-file';
import { dutyProfile } from '../../emulators/bms/pack/duty';
import { parseAgeSpan } from './age-span';
import { parseDuration } from './duration';
import { compileExpression } from './expression';
import { scenarioSchema } from './schema';
import type { Expectation, Scenario, ScenarioStep, StepAction } from './scenario';
import type { ScenarioFile } from './types';

/** Default plant step: fine enough to judge 500 ms deadlines. */
export const DEFAULT_STEP_MS = 100;

/** Load and compile a scenario file. Throws `ConfigError` with `file:line:column` for any problem. */
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

function compileScenario(src: YamlSource): Scenario {
  const f = validateSource<ScenarioFile>(src, scenarioSchema, 'scenario');
  const at = (p: string): string => src.locate(p);
  const dur = (v: string | number, p: string): number => parseDuration(v, at(p));
  const durationMs = dur(f.duration, '/duration');
  if (durationMs <= 0) throw new ConfigError('duration must be more than 0', at('/duration'));
  const stepMs = f.step !== undefined ? dur(f.step, '/step') : DEFAULT_STEP_MS;
  if (stepMs <= 0 || stepMs > 60_000) throw new ConfigError('step must be between 1ms and 60s', at('/step'));

  const timeline: ScenarioStep[] = [];
  const faultIds = new Map<string, number>();
  (f.timeline ?? []).forEach((s, i) => {
    const p = `/timeline/${i}`;
    const atMs = dur(s.at, `${p}/at`);
    if (atMs > durationMs) {
      throw new ConfigError(`step at ${String(s.at)} is after the end of the scenario (${String(f.duration)})`, at(`${p}/at`));
    }
    const actions = (['set', 'ramp', 'fault', 'clear', 'age'] as const).filter((k) => s[k] !== undefined);
    if (actions.length > 1) {
      throw new ConfigError(`a timeline step does one thing; this one has ${actions.join(' and ')} (split it into steps)`, at(p));
    }
    let action: StepAction;
    if (s.set) action = { kind: 'set', values: s.set };
    else if (s.ramp) action = { kind: 'ramp', target: s.ramp.target, ...(s.ramp.from !== undefined ? { from: s.ramp.from } : {}), to: s.ramp.to, overMs: dur(s.ramp.over, `${p}/ramp/over`) };
    else if (s.fault) {
      const { id, device, kind, ...params } = s.fault;
      const fid = id ?? `${device}.${kind}#${i}`;
      if (faultIds.has(fid)) throw new ConfigError(`fault id '${fid}' is used twice`, at(`${p}/fault/id`));
      faultIds.set(fid, atMs);
      action = { kind: 'fault', id: fid, device, fault: kind, params };
    } else if (s.clear !== undefined) {
      const injected = faultIds.get(s.clear);
      if (injected === undefined) {
        throw new ConfigError(`clear: no fault with id '${s.clear}' is injected before this step (give the fault an id: ...)`, at(`${p}/clear`));
      }
      if (injected > atMs) throw new ConfigError(`clear: fault '${s.clear}' is injected later, at ${injected} ms`, at(`${p}/clear`));
      action = { kind: 'clear', id: s.clear };
    } else if (s.age) {
      const days = parseAgeSpan(s.age.for, at(`${p}/age/for`));
      dutyProfile(s.age.duty, at(`${p}/age/duty`));
      action = { kind: 'age', days, duty: s.age.duty, ...(s.age.devices ? { devices: s.age.devices } : {}) };
    } else if (s.note !== undefined) action = { kind: 'note', text: s.note };
    else throw new ConfigError('a timeline step needs one of: set, ramp, fault, clear, age, note', at(p));
    timeline.push({ atMs, action, where: at(p) });
  });
  timeline.sort((a, b) => a.atMs - b.atMs);

  const ids = new Set<string>();
  const expectations: Expectation[] = f.expect.map((e, i) => {
    const p = `/expect/${i}`;
    if (ids.has(e.id)) throw new ConfigError(`expectation id '${e.id}' is used twice`, at(`${p}/id`));
    ids.add(e.id);
    const forms = (['when', 'always', 'eventually', 'atEnd'] as const).filter((k) => e[k] !== undefined);
    if (forms.length !== 1) {
      throw new ConfigError(
        forms.length === 0
          ? `expectation '${e.id}' needs one of: when/within/then (reaction), always (invariant), eventually, atEnd`
          : `expectation '${e.id}' mixes ${forms.join(' and ')}; write one expectation per form`,
        at(p),
      );
    }
    const x = (k: 'when' | 'then' | 'always' | 'eventually' | 'atEnd') => compileExpression(e[k]!, at(`${p}/${k}`));
    const base = { id: e.id, where: at(p), ...(e.requirement ? { requirement: e.requirement } : {}), ...(e.description ? { description: e.description } : {}) };
    switch (forms[0]) {
      case 'when':
        if (e.within === undefined || e.then === undefined) {
          throw new ConfigError(`reaction '${e.id}' needs 'within' (a deadline) and 'then' (what must hold)`, at(p));
        }
        return { ...base, form: { kind: 'reaction', when: x('when'), withinMs: dur(e.within, `${p}/within`), then: x('then'), optional: e.optional ?? false } };
      case 'always':
        return {
          ...base,
          form: {
            kind: 'invariant',
            cond: x('always'),
            toleranceMs: e.tolerance !== undefined ? dur(e.tolerance, `${p}/tolerance`) : 0,
            afterMs: e.after !== undefined ? dur(e.after, `${p}/after`) : 0,
          },
        };
      case 'eventually':
        return { ...base, form: { kind: 'eventually', cond: x('eventually'), byMs: e.by !== undefined ? dur(e.by, `${p}/by`) : durationMs } };
      default:
        return { ...base, form: { kind: 'final', cond: x('atEnd') } };
    }
  });
  for (const [i, e] of f.expect.entries()) {
    const stray = (['within', 'then', 'optional', 'tolerance', 'after', 'by'] as const).filter((k) => e[k] !== undefined);
    const allowed = e.when !== undefined ? ['within', 'then', 'optional'] : e.always !== undefined ? ['tolerance', 'after'] : e.eventually !== undefined ? ['by'] : [];
    const bad = stray.filter((k) => !allowed.includes(k));
    if (bad.length > 0) throw new ConfigError(`'${bad[0]}' does not apply to this kind of expectation`, src.locate(`/expect/${i}/${bad[0]}`, true));
  }

  const devices = f.initial?.devices ?? {};
  const whereDevices: Record<string, string> = {};
  for (const name of Object.keys(devices)) whereDevices[name] = src.locate(`/initial/devices/${name}`, true);
  return {
    id: f.scenario,
    title: f.title ?? f.scenario,
    ...(f.description ? { description: f.description } : {}),
    requirements: f.requirements ?? [],
    tags: f.tags ?? [],
    seed: f.seed ?? 1,
    durationMs,
    stepMs,
    timeMode: f.timeMode ?? 'any',
    ...(f.initial?.ambient !== undefined ? { ambient: f.initial.ambient } : {}),
    devices,
    timeline,
    expectations,
    source: src.file,
    where: { devices: whereDevices },
  };
}
