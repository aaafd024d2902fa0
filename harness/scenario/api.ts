import { compileScenarioData } from './load-scenario';
import type { Scenario } from './scenario';
import type { ExpectationSpec, ScenarioFile, TimelineStep } from './types';

type Duration = string | number;
type Scalar = number | string | boolean;

/**
 * The scenario format as a TypeScript API, for jest tests (issue: "the same steps are available as a TypeScript
 * API"). It builds the same data a YAML file holds and compiles it with the same checks, so a scenario written
 * here behaves exactly like its YAML twin.
 *
 * ```ts
 * const s = scenario('ot-fast-charge', { seed: 7 })
 *   .duration('10m')
 *   .initial('pack1', { soc: 60 })
 *   .at('5m').fault('pack1', 'self-heating', { cell: 3, watts: 30 }, 'hot')
 *   .at('8m').clear('hot')
 *   .expectReaction('stop-charge', { when: 'pack1.alarm.overTemperature', within: '500ms', then: 'inv1.WMaxLimPct == 0' })
 *   .expectAlways('limit', 'pack1.current <= pack1.chargeCurrentLimit * 1.05', { tolerance: '2s' })
 *   .build();
 * const result = await runScenario(loadBench('fixtures/benches/ci.yaml'), s, { mode: 'virtual' });
 * ```
 */
export class ScenarioBuilder {
  private readonly data: ScenarioFile;
  private cursor: Duration = 0;

  constructor(id: string, options: Partial<Pick<ScenarioFile, 'title' | 'description' | 'requirements' | 'tags' | 'seed' | 'step' | 'timeMode'>> = {}) {
    this.data = { scenario: id, duration: '1m', expect: [], ...options };
  }

  duration(d: Duration): this {
    this.data.duration = d;
    return this;
  }

  ambient(degC: number): this {
    this.data.initial = { ...this.data.initial, ambient: degC };
    return this;
  }

  /** Initial conditions of a bench device (`soc`, `soh`, `temperature`, `irradiance`...). */
  initial(device: string, values: Record<string, Scalar>): this {
    const devices = { ...(this.data.initial?.devices ?? {}) };
    devices[device] = { ...(devices[device] ?? {}), ...values };
    this.data.initial = { ...this.data.initial, devices };
    return this;
  }

  /** Time of the steps that follow. */
  at(t: Duration): this {
    this.cursor = t;
    return this;
  }

  private step(s: Omit<TimelineStep, 'at'>): this {
    (this.data.timeline ??= []).push({ at: this.cursor, ...s });
    return this;
  }

  set(values: Record<string, Scalar>): this {
    return this.step({ set: values });
  }

  ramp(target: string, to: number, over: Duration, from?: number): this {
    return this.step({ ramp: { target, to, over, ...(from !== undefined ? { from } : {}) } });
  }

  fault(device: string, kind: string, params: Record<string, unknown> = {}, id?: string): this {
    return this.step({ fault: { ...params, device, kind, ...(id !== undefined ? { id } : {}) } });
  }

  clear(faultId: string): this {
    return this.step({ clear: faultId });
  }

  /** Age BMS packs by a span (`3y`, `6w`, days as a number) of a duty profile, at once (docs/aging.md). */
  age(span: Duration, duty: string, devices?: string[]): this {
    return this.step({ age: { for: span, duty, ...(devices ? { devices } : {}) } });
  }

  note(text: string): this {
    return this.step({ note: text });
  }

  private expectation(e: ExpectationSpec): this {
    this.data.expect.push(e);
    return this;
  }

  expectReaction(id: string, e: { when: string; within: Duration; then: string; optional?: boolean; requirement?: string; description?: string }): this {
    return this.expectation({ id, ...e });
  }

  expectAlways(id: string, cond: string, o: { tolerance?: Duration; after?: Duration; requirement?: string; description?: string } = {}): this {
    return this.expectation({ id, always: cond, ...o });
  }

  expectEventually(id: string, cond: string, o: { by?: Duration; requirement?: string; description?: string } = {}): this {
    return this.expectation({ id, eventually: cond, ...o });
  }

  expectAtEnd(id: string, cond: string, o: { requirement?: string; description?: string } = {}): this {
    return this.expectation({ id, atEnd: cond, ...o });
  }

  /** The scenario as a YAML file would hold it (to write it out, or to review). */
  toData(): ScenarioFile {
    return structuredClone(this.data);
  }

  /** Compile: throws `ConfigError` for what a YAML file would be refused for. */
  build(source = `(api:${this.data.scenario})`): Scenario {
    return compileScenarioData(this.toData(), source);
  }
}

/** Start a scenario in TypeScript. */
export function scenario(id: string, options?: ConstructorParameters<typeof ScenarioBuilder>[1]): ScenarioBuilder {
  return new ScenarioBuilder(id, options);
}
