import { ExitCode } from '../../core/errors';
import type { ExpectationResult, ExpectationVerdict, Verdict } from './judge';
import type { Provenance } from '../evidence/provenance';
import type { SeriesSet } from '../evidence/series';
import type { ControllerIdentity } from '../evidence/controller-identity';
import type { TrafficEvidence } from './traffic-evidence';

export type { Provenance };

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
  wallMs: number;
  simulatedMs: number;
  timeMode: 'real' | 'virtual';
  seed: number;
  expectations: ExpectationResult[];
  /** What exactly ran: versions and content hashes, so a verdict can be tied to its inputs later. */
  provenance?: Provenance;
  /**
   * What the controller said about itself: the BMS name a battery-CAN inverter heard, and its SunSpec model 1 where
   * the bench names its SunSpec endpoint (`sunspecNote` then says where it was read, or why not). Absent: neither.
   */
  controllerIdentity?: ControllerIdentity;
  /**
   * Min/max time series of every signal the expectations read (harness/report/series.ts), for plots. Written to
   * `<out>/<scenario>/series.json` and drawn in the HTML report; left out of results.jsonl (it is large).
   */
  series?: SeriesSet;
  /**
   * Set when a signal (SIGINT/SIGTERM) cut the run short: the verdict is `error`, what was judged so far is kept and
   * the expectations still pending are "not judged". Such a result is not finished: `hil run --resume` runs the
   * scenario again and `hil merge` refuses it.
   */
  interrupted?: { signal: string; atMs: number };
  /** The scenario declares `timeMode: virtual` but was run in real time on request (`--time-mode real`). */
  forcedRealTime?: true;
  /** Real time sped up k times (`hil run --speed k`; the controller under libfaketime). */
  speed?: number;
  /** Virtual time with the controller process in lock step (docs/lockstep.md). */
  lockstep?: true;
  /** Harness or DUT errors (controller crash, adapter lost), each with simulated time. */
  errors: Array<{ atMs: number; message: string }>;
  evidence: {
    /** Last CAN frames before the first failure (candump lines with bus names). */
    frames: string[];
    /** `frames` decoded with each bus's DBC (message and signal names, units), line for line; '' where not decodable. */
    framesDecoded?: string[];
    /** Last Modbus writes before the first failure. */
    writes: string[];
    /** `writes` as SunSpec point names with scaled values and units, line for line; '' where not decodable. */
    writesDecoded?: string[];
    /** Last lines the controller printed. */
    dutOutput: string[];
    /** Timeline events that happened (faults, stimuli), with times. */
    events: string[];
    /**
     * What the devices and the controller said over the run, for every verdict (a passing run too): per CAN bus the
     * frame count and each DBC message's count and last decoded value, per Modbus endpoint the request and write
     * counts and the last writes with their point names, and the trace files behind them. Bounded per scenario
     * (`TrafficEvidence`). Absent on a result that never brought its bench up (skipped, set-up failure).
     */
    traffic?: TrafficEvidence;
  };
}

/** Versions and hashes behind a result (certification evidence). */

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

/**
 * Process exit code for a set of results (DESIGN.md, `ExitCode` in core/errors): 1 if a scenario failed, else 3 if
 * one ended in an error, else 4 if one was skipped (not everything ran) unless `allowSkip`, else 0.
 */
export function exitCodeForResults(results: readonly ScenarioResult[], options: { allowSkip?: boolean } = {}): 0 | 1 | 3 | 4 {
  if (results.some((r) => r.verdict === 'fail')) return ExitCode.FAILED;
  if (results.some((r) => r.verdict === 'error')) return ExitCode.ERROR;
  if (!options.allowSkip && results.some((r) => r.verdict === 'skip')) return ExitCode.NOT_ALL_RAN;
  return ExitCode.PASSED;
}
