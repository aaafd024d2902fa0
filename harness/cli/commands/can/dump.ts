import { DecodeError } from '../../../../core/errors';
import type { CanBusOptions, CanFilter } from '../../../../protocols/can/bus';
import { formatDecoded, loadDbc, type Database } from '../../../../protocols/can/dbc';
import type { CanFrame } from '../../../../protocols/can/frame';
import { formatCandumpLine } from '../../../../protocols/can/trace';
import type { CliIo } from './cli-io';
import { pumpFrames, type PumpEnd } from './frame-pump';
import { openMedium } from './open-medium';
import { whenAborted } from './stop-signal';

/** How `dump` prints times: candump -L's absolute seconds, seconds since the previous frame, or nothing. */
export type TimestampMode = 'abs' | 'delta' | 'none';

/** Options for {@link runDump}. */
export interface DumpOptions {
  medium: string;
  /** DBC file: decoded signals go on the line after each frame the database knows. */
  dbc?: string;
  filters?: readonly CanFilter[];
  /** Stop after this many frames (after filtering). */
  count?: number;
  /** Stop when no frame arrived for this long (ms). */
  idleTimeoutMs?: number;
  /** Default `abs`. */
  timestamps?: TimestampMode;
  /** Stop request (the CLI's SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Passed to the medium (a clock for tests). */
  busOptions?: CanBusOptions;
}

/** Counters of a dump. `exitCode` is 1 when `count` frames did not arrive before the idle timeout. */
export interface DumpResult {
  frames: number;
  decoded: number;
  /** Frames whose id the DBC does not know (printed raw). */
  unknown: number;
  /** Frames the DBC knows that did not decode (too short), reported inline. */
  decodeErrors: number;
  end: PumpEnd;
  exitCode: 0 | 1 | 3;
}

/**
 * `hil can dump`: print every frame of a medium like `candump -L` (`(1700000000.123456) can0 351#1402...`), the
 * same line format `hil can replay` reads, optionally with the DBC's decoding of each frame on the next line
 * (indented). The DBC is loaded before the medium is opened, so a bad DBC fails first (`ConfigError` with
 * file:line:column). A frame too short for its message prints `  ! <reason>` and the dump goes on.
 *
 * Writes `dump: listening on <medium>` to `err` once the bus is open, and a summary line at the end. Ends on
 * `count`, idle timeout, the signal, or the medium closing by itself (exit code 3, a lost peer).
 */
export async function runDump(options: DumpOptions, io: CliIo): Promise<DumpResult> {
  const db = options.dbc !== undefined ? loadDbc(options.dbc) : undefined;
  const bus = await openMedium(options.medium, { ...options.busOptions, ...(options.filters ? { filters: options.filters } : {}) }, (l) => io.err(`dump: ${l}`));
  const result: DumpResult = { frames: 0, decoded: 0, unknown: 0, decodeErrors: 0, end: 'stopped', exitCode: 0 };
  const mode = options.timestamps ?? 'abs';
  let previous: number | undefined;
  try {
    io.err(`dump: listening on ${options.medium}${db ? ` with ${db.messages.length} DBC messages` : ''} (Ctrl-C to stop)`);
    const { frames, end } = await pumpFrames(bus, {
      ...(options.count !== undefined ? { count: options.count } : {}),
      ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
      stop: whenAborted(options.signal),
      onFrame: (frame) => {
        io.out(formatLine(frame, bus.channel, mode, previous));
        previous = frame.timestamp ?? previous;
        if (db) decodeLine(db, frame, io, result);
      },
    });
    result.frames = frames;
    result.end = end;
  } finally {
    await bus.close();
  }
  const extra: string[] = [];
  if (db) extra.push(`${result.decoded} decoded`, `${result.unknown} not in the DBC`, `${result.decodeErrors} decode error${result.decodeErrors === 1 ? '' : 's'}`);
  if (bus.stats.rxOverflow) extra.push(`${bus.stats.rxOverflow} lost to a full receive queue`);
  if (bus.stats.rxMalformed) extra.push(`${bus.stats.rxMalformed} malformed inputs dropped by the medium`);
  io.err(`dump: ${result.frames} frame${result.frames === 1 ? '' : 's'}${extra.length ? ` (${extra.join(', ')})` : ''}`);
  if (result.end === 'idle' && options.count !== undefined) {
    io.err(`dump: only ${result.frames} of ${options.count} frames before ${options.idleTimeoutMs} ms without traffic`);
    result.exitCode = 1;
  } else if (result.end === 'closed') {
    io.err(`dump: ${options.medium} closed by the other side`);
    result.exitCode = 3;
  }
  return result;
}

/** One frame as candump -L prints it (abs), with seconds since the previous frame (delta), or without time. */
export function formatLine(frame: CanFrame, channel: string, mode: TimestampMode, previousMs: number | undefined): string {
  const line = formatCandumpLine(frame, frame.channel ?? channel);
  if (mode === 'abs') return line;
  const body = line.slice(line.indexOf(') ') + 2);
  if (mode === 'none') return body;
  const delta = previousMs === undefined || frame.timestamp === undefined ? 0 : Math.max(0, frame.timestamp - previousMs);
  const us = Math.round(delta * 1000);
  const sec = Math.floor(us / 1e6);
  return `(${String(sec).padStart(3, '0')}.${String(us - sec * 1e6).padStart(6, '0')}) ${body}`;
}

function decodeLine(db: Database, frame: CanFrame, io: CliIo, result: DumpResult): void {
  try {
    const decoded = db.tryDecode(frame);
    if (!decoded) {
      if (!frame.rtr && !frame.error) result.unknown++;
      return;
    }
    result.decoded++;
    io.out(`  ${formatDecoded(decoded)}`);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    result.decodeErrors++;
    io.out(`  ! ${err.message}`);
  }
}
