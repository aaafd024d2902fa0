import { ProblemList } from '../config/problems';
import { readYamlSource, parseYamlSource, validateSource, type YamlSource } from '../config/yaml-file';
import { parseDuration } from '../scenario/duration';
import { checkBenchFile } from './check-bench';
import { benchSchema } from './schema';
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
}

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
  const at = (p: string): string => src.locate(p);
  checkBenchFile(f, src, problems);
  const timeout = (k: 'readyTimeout' | 'stopTimeout', dflt: number): number =>
    f.dut?.[k] !== undefined ? (problems.attempt(() => parseDuration(f.dut![k], at(`/dut/${k}`))) ?? dflt) : dflt;
  const readyTimeoutMs = timeout('readyTimeout', 15_000);
  const stopTimeoutMs = timeout('stopTimeout', 5_000);
  problems.throwIfAny();
  const whereDevice: Record<string, string> = {};
  f.devices.forEach((d, i) => (whereDevice[d.name] = at(`/devices/${i}`)));
  return { file: f, source: src.file, where: { device: whereDevice, dut: at('/dut'), locate: (p, key) => src.locate(p, key) }, readyTimeoutMs, stopTimeoutMs };
}
