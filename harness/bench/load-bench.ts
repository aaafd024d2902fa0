import { ProblemList } from '../config/problems';
import { readYamlSource, parseYamlSource, validateSource, type YamlSource } from '../config/yaml-file';
import { parseDuration } from '../config/duration';
import { ConfigError } from '../../core/errors';
import { checkBenchFile } from './check-bench';
import { splitHostPort } from './host-port';
import { benchSchema } from './schema';
import { benchServerLimits, type BenchServerLimits } from './server-limits';
import type { BenchFile } from './types';

/** A validated bench: the file's content plus where each device was written (for later errors). */
export interface Bench {
  file: BenchFile;
  source: string;
  where: {
    device: Record<string, string>;
    dut: string;
    /** `file:line:column` of any JSON pointer in the bench file (of its nearest parent). */
    locate?: (pointer: string, key?: boolean) => string;
  };
  readyTimeoutMs: number;
  stopTimeoutMs: number;
  /**
   * Hang detection: a controller with no sign of life (no CAN frame, no Modbus request, no output line) for this long
   * in scenario time ends the scenario with an error verdict. 0: off. See `DutSpec.livenessTimeout`.
   */
  livenessTimeoutMs: number;
  /** Connection limits of the Modbus TCP endpoints and socketcand hubs (only those the file sets). */
  serverLimits: BenchServerLimits;
  /** `dut.identity.sunspec`, parsed: where the controller serves SunSpec model 1 (absent: not declared). */
  sunspecIdentity?: SunSpecIdentityEndpoint;
}

/** The controller's SunSpec endpoint (`dut.identity.sunspec`), parsed and checked. */
export interface SunSpecIdentityEndpoint {
  host: string;
  port: number;
  unitId: number;
  /** Wall-clock bound of each request and of the connection attempts, ms. */
  timeoutMs: number;
}

/** Default of `dut.identity.sunspec.timeout`. */
export const DEFAULT_IDENTITY_TIMEOUT_MS = 2_000;

/** Default of `dut.livenessTimeout`: far above any polling or heartbeat period a controller of this field uses. */
export const DEFAULT_LIVENESS_TIMEOUT_MS = 30_000;

/**
 * Load and check a bench file as deeply as can be done without opening anything (see `checkBenchFile`). Throws
 * `InputProblems` (a `ConfigError`) listing every problem of the file, each with `file:line:column`.
 */
export function loadBench(path: string): Bench {
  return benchFromSource(readYamlSource(path));
}

/** Check bench text (tests, tools). */
export function parseBench(text: string, file = '(text)'): Bench {
  return benchFromSource(parseYamlSource(text, file));
}

/** Check a parsed bench file (see `loadBench`). */
export function benchFromSource(src: YamlSource): Bench {
  const f = validateSource<BenchFile>(src, benchSchema, 'bench');
  const problems = new ProblemList();
  const at = (p: string, key = false): string => src.locate(p, key);
  checkBenchFile(f, src, problems);
  const timeout = (k: 'readyTimeout' | 'stopTimeout', dflt: number): number =>
    f.dut?.[k] !== undefined ? (problems.attempt(() => parseDuration(f.dut![k], at(`/dut/${k}`))) ?? dflt) : dflt;
  const readyTimeoutMs = timeout('readyTimeout', 15_000);
  const stopTimeoutMs = timeout('stopTimeout', 5_000);
  const sunspecIdentity = problems.attempt(() => sunspecEndpoint(f, at));
  problems.throwIfAny();
  const whereDevice: Record<string, string> = {};
  f.devices.forEach((d, i) => (whereDevice[d.name] = at(`/devices/${i}`)));
  if (f.dut?.readyLine !== undefined && f.dut.readyWhen !== undefined) problems.add(at('/dut/readyWhen', true), 'dut: give readyLine or readyWhen, not both');
  if (f.dut?.readyWhen === 'first-frame' && !f.can) problems.add(at('/dut/readyWhen'), 'dut.readyWhen first-frame: the bench has no CAN bus');
  if (f.dut?.readyWhen === 'first-modbus-connection' && !f.modbus) problems.add(at('/dut/readyWhen'), 'dut.readyWhen first-modbus-connection: the bench has no Modbus endpoint');
  const serverLimits = problems.attempt(() => benchServerLimits(f, at));
  const livenessTimeoutMs = problems.attempt(() => livenessTimeout(f, at('/dut/livenessTimeout')));
  problems.throwIfAny();
  return {
    file: f,
    source: src.file,
    where: { device: whereDevice, dut: at('/dut'), locate: (p, key) => src.locate(p, key) },
    readyTimeoutMs,
    stopTimeoutMs,
    livenessTimeoutMs: livenessTimeoutMs!,
    serverLimits: serverLimits!,
    ...(sunspecIdentity ? { sunspecIdentity } : {}),
  };
}

/** `dut.identity.sunspec` parsed (host, port, unit, timeout); the port was checked by `checkBenchFile`. */
function sunspecEndpoint(f: BenchFile, at: (p: string) => string): SunSpecIdentityEndpoint | undefined {
  const s = f.dut?.identity?.sunspec;
  if (!s) return undefined;
  const [host, port] = splitHostPort(s.tcp);
  const where = at('/dut/identity/sunspec/timeout');
  const timeoutMs = s.timeout !== undefined ? parseDuration(s.timeout, where) : DEFAULT_IDENTITY_TIMEOUT_MS;
  if (timeoutMs <= 0) throw new ConfigError('dut.identity.sunspec.timeout must be above 0 (a bound on each request, wall clock)', where);
  return { host: host.replace(/^\[(.*)\]$/, '$1'), port: Number(port), unitId: s.unitId ?? 1, timeoutMs };
}

/**
 * `dut.livenessTimeout`: a duration, or `off`/`0` to disable. Applies by default when the harness starts the
 * controller (`command` or `module`); for a wired board (no `command`, no `module`) only when written.
 */
function livenessTimeout(f: BenchFile, where: string): number {
  const v = f.dut?.livenessTimeout;
  if (v === 'off') return 0;
  if (v !== undefined) return parseDuration(v, where);
  return f.dut?.command || f.dut?.module ? DEFAULT_LIVENESS_TIMEOUT_MS : 0;
}
