import { accessSync, constants, existsSync, rmSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { ConfigError } from '../../core/errors';
import { packagePath } from '../../core/package-root';
import { inspectExecutable } from './elf-probe';

/**
 * Where libfaketime lives on the usual distributions (Debian/Ubuntu multiarch, Fedora, Alpine, a source build).
 * `HIL_LIBFAKETIME` names another path.
 */
const LIBFAKETIME_DIRS = [
  '/usr/lib/x86_64-linux-gnu/faketime',
  '/usr/lib/aarch64-linux-gnu/faketime',
  '/usr/lib/arm-linux-gnueabihf/faketime',
  '/usr/lib64/faketime',
  '/usr/lib/faketime',
  '/usr/local/lib/faketime',
];

/** The harness side of `--speed`: the programs it needs and how it starts the controller. */
export interface FaketimeLaunch {
  /** Full argv: the `faketime` wrapper, the alignment launcher, then the controller's own argv. */
  argv: string[];
  /** Variables to set for the controller. */
  env: Record<string, string>;
  /** Variables to remove from the inherited environment (they would change what the controller's clock does). */
  unsetEnv: string[];
}

/** The launcher's report (harness/dut/launcher/align-exec.py), all in ns. */
export interface AlignReport {
  faked_realtime_ns: number;
  faked_monotonic_ns: number;
  real_monotonic_ns: number;
  uncertainty_ns: number;
  pid?: number;
  error?: string;
}

/** Find a program on PATH (or check a path); `undefined` if there is no executable file of that name. */
export function which(program: string, path = process.env.PATH ?? ''): string | undefined {
  const candidates = program.includes('/') ? [resolve(program)] : path.split(delimiter).filter(Boolean).map((d) => join(d, program));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return undefined;
}

/** libfaketime.so.1, or `undefined`. */
export function findLibfaketime(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.HIL_LIBFAKETIME) return existsSync(env.HIL_LIBFAKETIME) ? env.HIL_LIBFAKETIME : undefined;
  for (const d of LIBFAKETIME_DIRS) if (existsSync(join(d, 'libfaketime.so.1'))) return join(d, 'libfaketime.so.1');
  return undefined;
}

/** Programs that run another one given on their command line, and how to skip their own arguments. */
const LAUNCHERS: Record<string, (args: readonly string[]) => number> = {
  // stdbuf -oL [-e0] [-i 0] PROGRAM
  stdbuf: (a) => skipOptions(a, ['-i', '-o', '-e']),
  // env [-i] [-u NAME] [NAME=value...] PROGRAM
  env: (a) => {
    let i = skipOptions(a, ['-u', '-C', '-S']);
    while (i < a.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(a[i]!)) i++;
    return i;
  },
  nice: (a) => skipOptions(a, ['-n']),
  setsid: (a) => skipOptions(a, []),
  ionice: (a) => skipOptions(a, ['-c', '-n', '-p']),
};

function skipOptions(a: readonly string[], withValue: string[]): number {
  let i = 0;
  while (i < a.length && a[i]!.startsWith('-')) {
    if (a[i] === '--') return i + 1;
    i += withValue.includes(a[i]!) ? 2 : 1;
  }
  return i;
}

/**
 * Why this controller command cannot be sped up by libfaketime, as one line, or `undefined` if nothing against it is
 * known. Looks at the program (through PATH), through launchers that run another program (`stdbuf -oL X`, `env A=1 X`,
 * `nice`, `setsid`, `ionice`), and, for a script, at its interpreter (`#!/usr/bin/env python3` -> python3).
 */
export function whyNotFaketimeCommand(argv: readonly string[], cwd?: string): string | undefined {
  let i = 0;
  for (let hops = 0; hops < 4 && i < argv.length; hops++) {
    const name = argv[i]!.split('/').pop()!;
    const launcher = LAUNCHERS[name];
    if (!launcher) break;
    const why = whyNotFaketime(argv[i]!, cwd); // the launcher itself must be reachable too
    if (why) return why;
    i += 1 + launcher(argv.slice(i + 1));
  }
  return i < argv.length ? whyNotFaketime(argv[i]!, cwd) : undefined;
}

/** {@link whyNotFaketimeCommand} for one program. */
export function whyNotFaketime(program: string, cwd?: string): string | undefined {
  const path = which(program.includes('/') && !isAbsolute(program) && cwd ? resolve(cwd, program) : program);
  if (!path) return undefined; // the start itself reports a missing program
  let info = inspectExecutable(path);
  let shown = path;
  if (info.kind === 'script' && info.interpreter?.length) {
    const [interp, arg] = info.interpreter;
    const target = interp!.endsWith('/env') && arg ? which(arg) : which(interp!);
    if (target) {
      info = inspectExecutable(target);
      shown = `${path} (interpreter ${target})`;
    }
  }
  if (info.kind === 'go') {
    return `--speed: ${shown} is a Go program; Go reads the clock without libc, so libfaketime cannot speed it up (run it in real time, or use the lock-step clock protocol)`;
  }
  if (info.kind === 'static') {
    return `--speed: ${shown} is statically linked; LD_PRELOAD (libfaketime) does not reach it (link it dynamically, or run it in real time)`;
  }
  return undefined;
}

/**
 * The launch of a controller at `speed` x real time whose clocks start at `startMs` (epoch ms): through the
 * `faketime` wrapper (it preloads libfaketime.so.1 and gives all the controller's processes one shared fake-time
 * origin), then the alignment launcher, which reports the faked and the real clocks on fd `alignFd` and execs the
 * controller. Throws `ConfigError` (one line, exit 2) when faketime, libfaketime or python3 is missing or the
 * controller is a kind libfaketime cannot reach.
 */
export function faketimeLaunch(argv: readonly string[], speed: number, startMs: number, alignFd: number, cwd?: string): FaketimeLaunch {
  const wrapper = which('faketime');
  const lib = findLibfaketime();
  if (!wrapper || !lib) {
    const missing = [!wrapper ? 'the faketime program' : '', !lib ? 'libfaketime.so.1' : ''].filter(Boolean).join(' and ');
    throw new ConfigError(`--speed needs libfaketime: ${missing} not found (Debian/Ubuntu: apt-get install faketime libfaketime)`);
  }
  const python = which('/usr/bin/python3') ?? which('python3');
  if (!python) throw new ConfigError('--speed needs python3 for its clock-alignment launcher (harness/dut/launcher/align-exec.py): not found');
  const why = whyNotFaketimeCommand(argv, cwd);
  if (why) throw new ConfigError(why);
  return {
    argv: [wrapper, '-f', `@${(startMs / 1000).toFixed(6)} x${speed}`, python, launcherPath(), ...argv],
    env: {
      FAKETIME_FMT: '%s',
      // Without it, libfaketime re-reads FAKETIME every 10 s and restarts the clock from '@<start>'.
      FAKETIME_DONT_RESET: '1',
      HIL_ALIGN_FD: String(alignFd),
    },
    // Monotonic clocks must be faked too: timers, sleeps and poll timeouts run on them.
    unsetEnv: ['FAKETIME_DONT_FAKE_MONOTONIC', 'FAKETIME_NO_CACHE', 'FAKETIME_XRESET', 'FAKETIME_TIMESTAMP_FILE', 'FAKETIME_START_AFTER_SECONDS', 'FAKETIME_STOP_AFTER_SECONDS'],
  };
}

/** The launcher script shipped with the package (source, run by python3). */
export function launcherPath(): string {
  return packagePath('harness', 'dut', 'launcher', 'align-exec.py');
}

/** Parse the launcher's line; throws `Error` with the reason if it is not a usable report. */
export function parseAlignReport(line: string): AlignReport {
  let r: AlignReport;
  try {
    r = JSON.parse(line) as AlignReport;
  } catch {
    throw new Error(`the clock-alignment launcher sent an unreadable line: ${line.slice(0, 120)}`);
  }
  if (r.error) throw new Error(`the clock-alignment launcher failed: ${r.error}`);
  for (const k of ['faked_realtime_ns', 'faked_monotonic_ns', 'real_monotonic_ns', 'uncertainty_ns'] as const) {
    if (typeof r[k] !== 'number') throw new Error(`the clock-alignment launcher's report lacks ${k}`);
  }
  return r;
}

/**
 * Remove the shared-memory objects the `faketime` wrapper (pid `wrapperPid`) created, if they are left behind: the
 * wrapper removes them when it exits normally, not when it is killed along with the controller's process group.
 */
export function removeFaketimeShm(wrapperPid: number): void {
  for (const f of [`/dev/shm/faketime_shm_${wrapperPid}`, `/dev/shm/sem.faketime_sem_${wrapperPid}`]) {
    try {
      rmSync(f, { force: true });
    } catch {
      // not ours to worry about
    }
  }
}
