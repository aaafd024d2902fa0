/** A scenario file as written (after schema validation). Durations are strings like "500ms" or seconds. */
export interface ScenarioFile {
  /** Identifier, unique in a campaign (used in reports). */
  scenario: string;
  title?: string;
  description?: string;
  /** Requirement references the whole scenario traces to. */
  requirements?: string[];
  tags?: string[];
  /** Seed for every random choice (faults with probability, noise, irradiance transients). Default 1. */
  seed?: number;
  duration: string | number;
  /** Plant step in simulated time (default 100ms). */
  step?: string | number;
  /** Run only in this time mode (`virtual` stories are too long for real time, for instance). */
  timeMode?: 'real' | 'virtual' | 'any';
  initial?: {
    /** Ambient temperature, degC. */
    ambient?: number;
    /** Per-device initial conditions, keyed by the bench's device name. */
    devices?: Record<string, Record<string, number | string | boolean>>;
  };
  timeline?: TimelineStep[];
  expect: ExpectationSpec[];
}

/** One entry of the timeline: at a time, exactly one action. */
export interface TimelineStep {
  at: string | number;
  /** Set stimuli: `ambient`, `<device>.<input>` (e.g. `pv1.irradiance`, `load1.power`). */
  set?: Record<string, number | string | boolean>;
  /** Ramp a stimulus linearly to a value over a duration. */
  ramp?: { target: string; from?: number; to: number; over: string | number };
  /** Inject a fault through a device's fault hooks. */
  fault?: { id?: string; device: string; kind: string; [param: string]: unknown };
  /** Clear a fault injected earlier, by its id. */
  clear?: string;
  /** A note that goes into the event log. */
  note?: string;
  /**
   * Age BMS packs by `for` (`3y`, `18mo`, `6w`, `90d`; a number is days) of a duty profile (docs/aging.md), at once,
   * without the controller in the loop: the scenario clock does not move. `devices`: default every BMS on the bench.
   */
  age?: { for: string | number; duty: string; devices?: string[] };
}

/** An expectation on the controller; exactly one of the forms below. */
export interface ExpectationSpec {
  id: string;
  requirement?: string;
  description?: string;
  /** Reaction: each time `when` becomes true, `then` must hold within `within`. */
  when?: string;
  within?: string | number;
  then?: string;
  /** Reaction only: the trigger may never occur in this run (otherwise an untriggered reaction is an error: not exercised). */
  optional?: boolean;
  /** Invariant: holds over the whole run (after `after`), violations shorter than `tolerance` forgiven. */
  always?: string;
  tolerance?: string | number;
  after?: string | number;
  /** Liveness: becomes true at some point no later than `by` (default: the end). */
  eventually?: string;
  by?: string | number;
  /** Final-state check at the end of the run. */
  atEnd?: string;
}
