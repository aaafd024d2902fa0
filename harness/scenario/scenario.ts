import type { Compiled } from './expression';

/** A validated, compiled scenario: durations in ms, expressions parsed, every item knows where it came from. */
export interface Scenario {
  id: string;
  title: string;
  description?: string;
  requirements: string[];
  tags: string[];
  seed: number;
  durationMs: number;
  stepMs: number;
  timeMode: 'real' | 'virtual' | 'any';
  ambient?: number;
  /** Initial conditions per bench device name. */
  devices: Record<string, Record<string, number | string | boolean>>;
  /** Sorted by time (stable for equal times). */
  timeline: ScenarioStep[];
  expectations: Expectation[];
  /** `file` or `(api)` for scenarios built in TypeScript. */
  source: string;
  /** Locations of things for later (bench binding) errors. */
  where: { devices: Record<string, string> };
}

export type StepAction =
  | { kind: 'set'; values: Record<string, number | string | boolean> }
  | { kind: 'ramp'; target: string; from?: number; to: number; overMs: number }
  | { kind: 'fault'; id: string; device: string; fault: string; params: Record<string, unknown> }
  | { kind: 'clear'; id: string }
  | { kind: 'note'; text: string }
  /** Age BMS packs by `days` of a duty profile at once (the scenario clock does not move); no `devices` = every BMS. */
  | { kind: 'age'; days: number; duty: string; devices?: string[] };

export interface ScenarioStep {
  atMs: number;
  action: StepAction;
  /** `file:line:column` (or `(api)`). */
  where: string;
  /** Where each key of a `set` was written (for bench-check errors). */
  keyWhere?: Record<string, string>;
}

export type ExpectationForm =
  | { kind: 'reaction'; when: Compiled; withinMs: number; then: Compiled; optional: boolean }
  | { kind: 'invariant'; cond: Compiled; toleranceMs: number; afterMs: number }
  | { kind: 'eventually'; cond: Compiled; byMs: number }
  | { kind: 'final'; cond: Compiled };

export interface Expectation {
  id: string;
  requirement?: string;
  description?: string;
  form: ExpectationForm;
  where: string;
  /** Where each expression was written (`when`, `then`, `always`, `eventually`, `atEnd`), for bench-check errors. */
  fieldWhere?: Partial<Record<'when' | 'then' | 'always' | 'eventually' | 'atEnd', string>>;
}

/** Every signal name the expectations read (for checking them against the bench's signal catalog). */
export function signalsRead(s: Scenario): Array<{ signal: string; where: string }> {
  const out: Array<{ signal: string; where: string }> = [];
  for (const e of s.expectations) {
    const f = e.form;
    const exprs = f.kind === 'reaction' ? [f.when, f.then] : [f.cond];
    for (const c of exprs) for (const signal of c.signals) out.push({ signal, where: e.where });
  }
  return out;
}
