import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { procStatFields } from '../proc-stat';

/**
 * Real-time scheduling for the harness (Linux): SCHED_FIFO at a chosen priority for every thread the process has,
 * set with util-linux's `chrt --all-tasks` (in every Debian install), with `--reset-on-fork` so that threads and
 * processes started afterwards (the libuv thread pool, the trace worker, the controller under test) keep the
 * normal policy.
 *
 * Why: on a machine that is not idle, a thread of the normal policy that sleeps is sometimes woken 1-3 ms late (the
 * kernel lets the task that runs finish its turn first), and a preemption of a few ms lands on whatever the harness
 * was doing. The event loop times every frame and reply: one late wake-up in a batch of 192 periodic CAN frames
 * makes 2 % of their intervals late. Under SCHED_FIFO the thread runs as soon as it is runnable (docs/performance.md,
 * "Cyclic CAN timing"). All threads, not the event loop's alone: V8's garbage collector has the loop wait for its
 * helper threads, and at normal priority on a loaded machine those wait behind everything else (p99 3 ms instead of
 * 0.15 ms beside six busy processes, measured). Linux keeps 5 % of every second for other tasks by default
 * (`sched_rt_runtime_us`), so a runaway real-time thread cannot take a core away for good.
 */

/** What {@link requestRealtimePriority} found. */
export type RealtimeResult =
  | { state: 'on'; policy: 'SCHED_FIFO'; priority: number; note?: string }
  /** Not asked for: `reason` says why when the caller knows (nothing runs in real time, not Linux, ...). */
  | { state: 'not-asked'; reason?: string }
  /** The system refused (no CAP_SYS_NICE, no rtprio limit, no `chrt`): `note` says so in one line. */
  | { state: 'refused'; note: string };

export interface RealtimeRequest {
  /** SCHED_FIFO priority, 1-99 (`chrt -m` lists the range). */
  priority: number;
  /** Process whose threads to set (default this one). */
  pid?: number;
  platform?: NodeJS.Platform;
  /** The `chrt` program (default `chrt` on the PATH). */
  chrt?: string;
}

/** SCHED_FIFO priority when none is named: above every normal task, below the kernel's interrupt threads (50). */
export const DEFAULT_REALTIME_PRIORITY = 10;

/** A priority outside 1-99. */
export class RealtimePriorityError extends Error {
  override readonly name = 'RealtimePriorityError';
}

/** Parse a priority given on a command line or in a file: an integer 1-99, else {@link RealtimePriorityError}. */
export function parseRealtimePriority(value: string | number): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 99) {
    throw new RealtimePriorityError(`real-time priority ${String(value)}: expected an integer from 1 to 99 (SCHED_FIFO)`);
  }
  return n;
}

/**
 * The priority after a `--realtime` flag in a script's arguments: the next argument when it is a priority, else
 * {@link DEFAULT_REALTIME_PRIORITY} (the flag given bare, or followed by another flag).
 */
export function realtimeArg(next: string | undefined): number {
  return next !== undefined && /^\d+$/.test(next) ? parseRealtimePriority(next) : DEFAULT_REALTIME_PRIORITY;
}

/**
 * The command prefix that runs a program, all its threads, under SCHED_FIFO at `priority` (`chrt --fifo P`), or none
 * when `priority` is undefined: for benchmarks that run peers (python-can, pymodbus, socat) as the harness runs.
 */
export function fifoPrefix(priority: number | undefined): string[] {
  return priority === undefined ? [] : ['chrt', '--fifo', String(priority)];
}

/** Policy and real-time priority of a thread, from `/proc/<pid>/stat` (fields 41 and 40; proc(5)). */
export function readScheduling(pid: number = process.pid): { policy: number; priority: number } | undefined {
  const rest = procStatFields(pid);
  if (!rest) return undefined;
  // Field 40 (rt_priority) is rest[37], field 41 (policy) rest[38].
  const priority = Number(rest[37]);
  const policy = Number(rest[38]);
  return Number.isInteger(priority) && Number.isInteger(policy) ? { policy, priority } : undefined;
}

const SCHED_FIFO = 1;

function run(file: string, args: string[]): Promise<{ code: number | null; stderr: string; missing: boolean }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 5000 }, (err, _stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stderr: String(stderr).trim(), missing: !!err && err.code === 'ENOENT' });
    });
  });
}

/**
 * Put the threads of `pid` (default this process) on SCHED_FIFO at `priority`, reset on fork. Never throws for
 * what the system refuses: the result says what happened, in one line where it did not work, and the process runs
 * on as it was. Throws {@link RealtimePriorityError} for a priority outside 1-99.
 */
export async function requestRealtimePriority(request: RealtimeRequest): Promise<RealtimeResult> {
  const priority = parseRealtimePriority(request.priority);
  const platform = request.platform ?? process.platform;
  if (platform !== 'linux') return { state: 'not-asked', reason: `${platform} is not Linux` };
  const pid = request.pid ?? process.pid;
  const chrt = request.chrt ?? 'chrt';
  const r = await run(chrt, ['--fifo', '--reset-on-fork', '--all-tasks', '--pid', String(priority), String(pid)]);
  const advice = 'timers may wake 1-3 ms late on a busy machine; allow it with CAP_SYS_NICE or an rtprio limit (ulimit -r, limits.conf)';
  if (r.missing) return { state: 'refused', note: `real-time scheduling not set (no '${chrt}' program; it is in util-linux): ${advice}` };
  if (r.code !== 0) {
    const why = r.stderr.split('\n')[0] || `${chrt} exited with ${String(r.code)}`;
    return { state: 'refused', note: `real-time scheduling not set (${why}): ${advice}` };
  }
  const now = readScheduling(pid);
  if (!now || now.policy !== SCHED_FIFO || now.priority !== priority) {
    const seen = now ? `policy ${now.policy}, priority ${now.priority}` : 'unreadable';
    return { state: 'refused', note: `real-time scheduling not set (${chrt} succeeded but /proc/${pid}/stat says ${seen}): ${advice}` };
  }
  const result: RealtimeResult = { state: 'on', policy: 'SCHED_FIFO', priority };
  if (readRtRuntime() === -1) {
    result.note = 'real-time throttling is off (kernel.sched_rt_runtime_us = -1): a runaway real-time thread could hold a core';
  }
  return result;
}

function readRtRuntime(): number | undefined {
  try {
    return Number(readFileSync('/proc/sys/kernel/sched_rt_runtime_us', 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** One line for a run's log: what the scheduling is. */
export function describeRealtime(r: RealtimeResult): string {
  if (r.state === 'on') return `real-time scheduling: SCHED_FIFO priority ${r.priority} for the harness's threads${r.note ? ` (${r.note})` : ''}`;
  if (r.state === 'refused') return r.note;
  return `real-time scheduling: not asked (${r.reason ?? 'normal policy'})`;
}
