import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { VirtualClock } from '../../../core/clock';
import { ConfigError } from '../../../core/errors';
import { BenchInstance } from '../../bench/bench-instance';
import { benchFromSource, type Bench } from '../../bench/load-bench';
import { capProblems, formatProblem, ProblemList, problemsOf, type Problem } from '../../config/problems';
import { openFailure } from '../../config/read-text-file';
import { readYamlSource, type YamlSource } from '../../config/yaml-file';
import { preflightDut, type DutPlan, type DutRequest } from '../../dut/dut-preflight';
import { scenarioBenchProblems } from '../../scenario/bench-check';
import { compileScenarioLeniently } from '../../scenario/load-scenario';
import type { Scenario } from '../../scenario/scenario';

/** What to check: the same for `hil run` (before it starts anything) and `hil validate`. */
export interface InspectRequest extends DutRequest {
  /** Files and directories (their `*.yaml`/`*.yml` files, sorted) as given. */
  paths: readonly string[];
  /** `--bench`. */
  benchPath?: string;
  /** `hil validate` takes bench files among `paths`; `hil run` takes scenarios only. */
  benchesAmongPaths: boolean;
}

/** The problems of one file (or argument), in the order checked. */
export interface FileReport {
  file: string;
  kind: 'bench' | 'scenario' | 'path';
  problems: Problem[];
}

export interface Inspection {
  /** `--bench` first (if given), then every file of `paths`. */
  files: FileReport[];
  /** Command-line problems (`--dut-option`, `--dut-arg`, `--virtual-time` against this bench). */
  options: Problem[];
  /** The `--bench` bench, if it loaded. */
  bench?: Bench;
  /** Scenarios without problems (against the bench, when one is given). */
  scenarios: Scenario[];
  /** The controller of the `--bench` bench in this mode. */
  plan?: DutPlan;
}

/**
 * Check everything `hil run` would use, without opening a port, an adapter or a pty and without spawning anything:
 * the bench as deeply as a run brings it up (a dry bring-up on a virtual clock, nothing listening), the controller
 * (dut-preflight.ts), each file's every problem, each scenario against the bench, duplicate scenario ids.
 */
export async function inspect(req: InspectRequest): Promise<Inspection> {
  const out: Inspection = { files: [], options: [], scenarios: [] };
  if (req.benchPath !== undefined) {
    const r = await inspectBench(req.benchPath, undefined, req);
    out.files.push(r.report);
    out.options.push(...r.options);
    if (r.bench && r.report.problems.length === 0) {
      out.bench = r.bench;
      if (r.plan) out.plan = r.plan;
    }
  }
  const ids = new Map<string, string>();
  for (const entry of expandPaths(req.paths)) {
    if ('problem' in entry) {
      out.files.push({ file: entry.path, kind: 'path', problems: [entry.problem] });
      continue;
    }
    const file = entry.file;
    // The --bench file also named among the files is checked (and listed) once.
    if (req.benchPath !== undefined && resolve(file) === resolve(req.benchPath)) continue;
    let src: YamlSource;
    try {
      src = readYamlSource(file);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      out.files.push({ file, kind: 'scenario', problems: located(problemsOf(err), file) });
      continue;
    }
    if (isBenchData(src.data)) {
      if (!req.benchesAmongPaths) {
        out.files.push({ file, kind: 'bench', problems: [{ where: file, message: 'is a bench file; give it with --bench <file>' }] });
      } else {
        const r = await inspectBench(file, src, { mode: req.mode, dutOptions: [], dutArgs: [] });
        out.files.push(r.report);
      }
      continue;
    }
    const problems = new ProblemList();
    const compiled = compileScenarioLeniently(src);
    problems.addAll(compiled.problems);
    const scenario = compiled.scenario;
    if (scenario && out.bench) problems.addAll(await scenarioBenchProblems(out.bench, scenario));
    if (scenario) {
      const other = ids.get(scenario.id);
      if (other !== undefined) problems.add(src.locate('/scenario'), `scenario id '${scenario.id}' is also used by ${other}`);
      else ids.set(scenario.id, file);
    }
    if (scenario && problems.empty) out.scenarios.push(scenario);
    out.files.push({ file, kind: 'scenario', problems: capProblems(inFileOrder(located(problems.items, file))) });
  }
  return out;
}

/** All problems of an inspection, files first, each `where: message`. */
export function allProblems(i: Inspection): Problem[] {
  return [...i.files.flatMap((f) => f.problems), ...i.options];
}

/**
 * `hil run`'s check before it starts anything: throws one `ConfigError` (exit 2) listing every problem of every
 * file and option, one per line; otherwise the bench, the scenarios and the checked controller options.
 */
export async function preflightRun(req: Omit<InspectRequest, 'benchesAmongPaths'> & { benchPath: string }): Promise<{ bench: Bench; scenarios: Scenario[]; dutOptions?: Record<string, unknown> }> {
  const i = await inspect({ ...req, benchesAmongPaths: false });
  const problems = allProblems(i);
  if (problems.length > 0) {
    const lines = problems.map(formatProblem);
    throw new ConfigError(lines.length === 1 ? lines[0]! : `${lines.length} problems; nothing was started:\n  ${lines.join('\n  ')}`);
  }
  if (i.scenarios.length === 0) throw new ConfigError(`no scenario files in ${req.paths.join(', ')}`);
  const opts = i.plan?.moduleOptions;
  return { bench: i.bench!, scenarios: i.scenarios, ...(opts && Object.keys(opts).length > 0 ? { dutOptions: opts } : {}) };
}

async function inspectBench(path: string, src: YamlSource | undefined, req: DutRequest): Promise<{ report: FileReport; options: Problem[]; bench?: Bench; plan?: DutPlan }> {
  const report: FileReport = { file: path, kind: 'bench', problems: [] };
  const fileProblems = new ProblemList();
  const bench = fileProblems.attempt(() => benchFromSource(src ?? readYamlSource(path)), path);
  const options: Problem[] = [];
  let plan: DutPlan | undefined;
  if (bench) {
    // The devices as a run creates them (the checks only the emulators make), on a dry bench: nothing opened.
    await fileProblems.attemptAsync(async () => {
      const inst = await BenchInstance.start(bench, { clock: new VirtualClock(0), mode: 'virtual', seed: 1, serveNetwork: false });
      await inst.close();
    }, path);
    const dut = preflightDut(bench, req);
    plan = dut.plan;
    for (const p of dut.problems) (p.where?.startsWith('--') ? options : fileProblems.items).push(p);
  }
  report.problems = capProblems(inFileOrder(located(fileProblems.items, path)));
  return { report, options, ...(bench ? { bench } : {}), ...(plan ? { plan } : {}) };
}

/** Sorted by line and column (stable; problems of the file as a whole first). */
function inFileOrder(problems: Problem[]): Problem[] {
  const key = (p: Problem): [number, number] => {
    const m = /:(\d+):(\d+)$/.exec(p.where ?? '');
    return m ? [Number(m[1]), Number(m[2])] : [0, 0];
  };
  return problems
    .map((p, i) => ({ p, i, k: key(p) }))
    .sort((a, b) => a.k[0] - b.k[0] || a.k[1] - b.k[1] || a.i - b.i)
    .map((x) => x.p);
}

function located(problems: readonly Problem[], file: string): Problem[] {
  return problems.map((p) => ({ where: p.where ?? file, message: p.message }));
}

function isBenchData(data: unknown): boolean {
  return typeof data === 'object' && data !== null && !Array.isArray(data) && Object.prototype.hasOwnProperty.call(data, 'bench');
}

/** Files as given, directories as their `*.yaml`/`*.yml` files (sorted, not recursive); a problem for a bad path. */
function expandPaths(paths: readonly string[]): Array<{ file: string } | { path: string; problem: Problem }> {
  const out: Array<{ file: string } | { path: string; problem: Problem }> = [];
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      out.push({ path: p, problem: { where: p, message: e.code === 'ENOENT' ? 'no such file or directory' : openFailure(e) } });
      continue;
    }
    if (isDir) {
      const files = readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort();
      if (files.length === 0) out.push({ path: p, problem: { where: p, message: 'no .yaml or .yml files in this directory' } });
      out.push(...files.map((f) => ({ file: join(p, f) })));
    } else out.push({ file: p });
  }
  return out;
}
