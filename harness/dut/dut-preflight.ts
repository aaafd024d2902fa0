import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { knownPlaceholders, placeholderSpans } from '../bench/placeholders';
import { lockstepUnsupported, resolveModule } from '../bench/check-bench';
import type { Bench } from '../bench/load-bench';
import type { Problem } from '../config/problems';
import { didYouMean } from '../../core/suggest';
import { resolveControllerOptions } from './controller-options';
import type { ControllerModule } from './controller-session';

/** How the run is asked for on the command line. */
export interface DutRequest {
  /**
   * `--time-mode`: in `auto` a scenario of `timeMode: any` runs in virtual time where the bench has `dut.module`, so the
   * module is the controller whenever there is one. `lockstep`: virtual time with the process in lock step.
   */
  mode: 'real' | 'virtual' | 'lockstep' | 'auto';
  /** `--dut-option key=value` as typed. */
  dutOptions: readonly string[];
  /** `--dut-arg <arg>` as typed. */
  dutArgs: readonly string[];
}

/** What the controller will be in this run, and the checked options for an in-process one. */
export interface DutPlan {
  kind: 'module' | 'process' | 'none';
  /** Bench `moduleOptions` merged with `--dut-option`, typed as the module declares (module only). */
  moduleOptions?: Record<string, unknown>;
}

/**
 * Everything about the controller that can be checked before a port is opened or a process spawned, for `hil run`
 * and `hil validate` alike. Returns the plan and every problem:
 * - virtual time with only a process controller (`dut.command` without `dut.module`);
 * - `--dut-option` for a process controller or with no controller (a process takes `--dut-arg`), `--dut-arg` for
 *   an in-process one or with none;
 * - unknown `${...}` placeholders in `dut.command` and `--dut-arg`;
 * - the controller program not found or not executable (real time);
 * - the module: missing, failing to load, not exporting `createController`; its options (bench `moduleOptions`
 *   and `--dut-option`) against the schema it declares (`controllerOptions`), keys and values.
 * Loading the module runs its top-level code, as the run itself would.
 */
export function preflightDut(bench: Bench, req: DutRequest): { plan: DutPlan; problems: Problem[] } {
  const problems: Problem[] = [];
  const dut = bench.file.dut;
  const locate = (pointer: string, key = false): string => bench.where.locate?.(pointer, key) ?? bench.where.dut;
  const lockstep = !!dut?.command && (req.mode === 'lockstep' || (req.mode !== 'real' && dut.clock === 'lockstep' && !dut.module));
  const kind: DutPlan['kind'] = lockstep ? 'process' : dut?.module && (req.mode !== 'real' || !dut.command) ? 'module' : dut?.command ? 'process' : 'none';
  if (req.mode === 'lockstep' && !dut?.command) {
    problems.push({ where: locate('/dut'), message: `--time-mode lockstep: bench '${bench.file.bench}' has no controller process ('dut.command') to run in lock step` });
  }
  if (req.mode === 'lockstep' && dut?.command) {
    for (const why of lockstepUnsupported(bench.file)) problems.push({ where: locate('/dut'), message: `--time-mode lockstep counts bytes on socketcand hubs and Modbus TCP only: ${why} (docs/lockstep.md)` });
  }
  if (req.mode === 'virtual' && kind === 'process' && !lockstep) {
    problems.push({
      where: locate('/dut'),
      message: `--virtual-time: bench '${bench.file.bench}' starts its controller as a process ('dut.command'), which cannot follow virtual time; give the bench an in-process controller module ('dut.module') or run in real time`,
    });
  }
  const timeName = req.mode === 'lockstep' ? 'lock step' : req.mode === 'virtual' ? 'virtual time' : req.mode === 'auto' ? 'the default time mode (--time-mode auto)' : 'real time';
  for (const o of kind === 'module' ? [] : req.dutOptions) {
    problems.push({
      where: `--dut-option ${o}`,
      message:
        kind === 'process'
          ? `in ${timeName} bench '${bench.file.bench}' runs its controller as a process ('dut.command'), which takes no --dut-option; pass it arguments with --dut-arg${dut?.module ? ', or run its in-process module with --virtual-time' : ''}`
          : `bench '${bench.file.bench}' has no controller to take options (no 'dut')`,
    });
  }
  for (const a of kind === 'process' ? [] : req.dutArgs) {
    problems.push({
      where: `--dut-arg ${a}`,
      message:
        kind === 'module'
          ? `in ${timeName} bench '${bench.file.bench}' runs its controller in-process ('dut.module'), which takes no --dut-arg; give it options with --dut-option`
          : `bench '${bench.file.bench}' has no controller command to take arguments (no 'dut.command')`,
    });
  }
  const known = knownPlaceholders(bench.file);
  if (kind === 'process') {
    for (const a of req.dutArgs) {
      for (const { key } of placeholderSpans(a)) {
        if (!known.includes(key)) problems.push({ where: `--dut-arg ${a}`, message: `unknown placeholder \${${key}}${didYouMean(key, known)} (this bench has: ${known.join(', ') || 'none'})` });
      }
    }
  }
  if (dut?.command && (req.mode !== 'virtual' || lockstep)) {
    const program = dut.command[0]!;
    if (!findProgram(program, dut.cwd)) {
      problems.push({ where: locate('/dut/command/0'), message: `the controller program '${program}' is not found${program.includes('/') ? '' : ' on PATH'} or is not executable` });
    }
  }
  const plan: DutPlan = { kind };
  if (dut?.module) {
    // Checked whenever the bench has one (hil validate checks both modes); its options only matter in-process.
    const loaded = loadModule(dut.module, locate('/dut/module'), problems);
    if (loaded) {
      const { options, problems: optionProblems } = resolveControllerOptions(
        loaded.controllerOptions,
        {
          ...(dut.moduleOptions ? { moduleOptions: dut.moduleOptions } : {}),
          whereModuleOption: (key) => locate(`/dut/moduleOptions/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, true),
          cli: kind === 'module' ? req.dutOptions : [],
        },
        dut.module,
      );
      problems.push(...optionProblems.map((p) => ({ where: p.where ?? locate('/dut/module'), message: p.message })));
      if (kind === 'module') plan.moduleOptions = options;
    }
  }
  return { plan, problems };
}

function loadModule(modulePath: string, where: string, problems: Problem[]): ControllerModule | undefined {
  const file = resolveModule(modulePath);
  if (file === undefined) {
    problems.push({ where, message: `dut.module '${modulePath}' not found (${resolve(modulePath)}; paths are relative to the directory hil runs in)` });
    return undefined;
  }
  let mod: ControllerModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(file) as ControllerModule;
  } catch (err) {
    problems.push({ where, message: `cannot load the controller module '${modulePath}': ${String((err as Error)?.message ?? err).split('\n')[0]}` });
    return undefined;
  }
  if (typeof mod?.createController !== 'function') {
    problems.push({ where, message: `controller module '${modulePath}' does not export createController(io, options)` });
    return undefined;
  }
  return mod;
}

/** Whether `program` can be executed: a path (relative to `cwd`), or a name found on PATH. */
function findProgram(program: string, cwd: string | undefined): boolean {
  if (process.platform === 'win32') return true; // PATHEXT and .cmd shims: left to the spawn itself
  const candidates = program.includes('/') ? [isAbsolute(program) ? program : resolve(cwd ?? '.', program)] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, program));
  return candidates.some((c) => {
    try {
      accessSync(c, constants.X_OK);
      return statSync(c).isFile();
    } catch {
      return false;
    }
  });
}
