import type { ExpectationResult, ExpectationVerdict, Verdict } from '../scenario/judge';
import type { SeriesSet } from './series';

/** Everything one scenario run produced: the verdict and the evidence behind it. */
export interface ScenarioResult {
  scenario: string;
  title: string;
  source: string;
  bench: string;
  requirements: string[];
  /** `skip`: not run in this time mode (see `summary`). */
  verdict: Verdict | 'skip';
  /** One line: why (first failed expectation, or the error). */
  summary: string;
  startedAt: string;
  /**
   * The scenario's t=0 (the timeline starts once the controller is ready): every `t`, `atMs` and evidence time
   * counts from it. `epochMs`/`iso` are on the run's clock: the wall clock in real time, the virtual clock
   * (which starts at 2026-01-01T00:00:00Z) in virtual time - the clock that stamps the CAN traces, which carry the
   * same instant in a `# hil t=0` comment line; `controller.log` carries it as a `harness t=0` line. Absent when
   * the run never reached t=0 (skipped, or set-up failed).
   */
  t0?: { epochMs: number; iso: string; clock: 'wall' | 'virtual' };
  /** Set when the run was interrupted (`RunOptions.abort`): the reason. The expectations still open are not judged. */
  interrupted?: string;
  wallMs: number;
  simulatedMs: number;
  timeMode: 'real' | 'virtual';
  seed: number;
  expectations: ExpectationResult[];
  /** What exactly ran: versions and content hashes, so a verdict can be tied to its inputs later. */
  provenance?: Provenance;
  /**
   * Min/max time series of every signal the expectations read (harness/report/series.ts), for plots. Written to
   * `<out>/<scenario>/series.json` and drawn in the HTML report; left out of results.jsonl (it is large).
   */
  series?: SeriesSet;
  /** Harness or DUT errors (controller crash, adapter lost), each with simulated time. */
  errors: Array<{ atMs: number; message: string }>;
  evidence: {
    /** Last CAN frames before the first failure (candump lines with bus names). */
    frames: string[];
    /** Last Modbus writes before the first failure. */
    writes: string[];
    /** Last lines the controller printed. */
    dutOutput: string[];
    /** Timeline events that happened (faults, stimuli), with times. */
    events: string[];
  };
}

/** Versions and hashes behind a result (certification evidence). */
export interface Provenance {
  harnessVersion: string;
  node: string;
  platform: string;
  /** The bench file and the SHA-256 of its bytes. */
  bench: { file: string; sha256: string };
  /** The scenario file (or `(api)`) and the SHA-256 of its bytes (of its compiled form for API scenarios). */
  scenario: { file: string; sha256: string };
  /** How the controller was reached: the command (after substitution), the module, or none (a wired board). */
  dut: string;
}

/**
 * Worst verdict wins: error > fail > pass; `skip` (an expectation not counted) is left out. If everything was
 * skipped, nothing was judged: `error` (a scenario that judged nothing must not pass).
 */
export function combineVerdicts(verdicts: readonly ExpectationVerdict[]): Verdict {
  if (verdicts.includes('error')) return 'error';
  if (verdicts.includes('fail')) return 'fail';
  if (verdicts.length > 0 && verdicts.every((v) => v === 'skip')) return 'error';
  return 'pass';
}

/** Process exit code for a set of results (DESIGN.md): 0 all passed, 1 a scenario failed, 3 a harness error. */
export function exitCodeForResults(results: ScenarioResult[]): 0 | 1 | 3 {
  if (results.some((r) => r.verdict === 'fail')) return 1;
  if (results.some((r) => r.verdict === 'error')) return 3;
  return 0;
}
