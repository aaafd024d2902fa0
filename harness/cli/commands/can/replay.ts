import type { CanBusOptions } from '../../../../protocols/can/bus';
import { readTrace, replayTrace, type BadRecord } from '../../../../protocols/can/trace';
import type { CliIo } from './cli-io';
import { openMedium } from './open-medium';

/** Options for {@link runReplay}. */
export interface ReplayCliOptions {
  file: string;
  medium: string;
  /** 1 original timing (default), 2 twice as fast, `Infinity` back to back. */
  speed?: number;
  /** Start again from the top when the trace ends, until the signal. */
  loop?: boolean;
  /** Replay only frames of this channel (candump logs name one per line). */
  channel?: string;
  signal?: AbortSignal;
  busOptions?: CanBusOptions;
  /** Bad lines printed one by one before the rest are only counted (default 20). */
  showBad?: number;
}

/** Counters of a replay. `bad` counts the lines/records dropped in the first pass. */
export interface ReplayCliResult {
  sent: number;
  skipped: number;
  bad: number;
  passes: number;
  stopped: boolean;
}

/**
 * `hil can replay`: send a candump log or a pcap onto a medium, keeping the original spacing between frames
 * (scaled by `speed`). Bad lines are reported to `err` as `file:line: reason` (pcap: `file: record N at byte B:
 * reason`), counted and skipped. The trace file is checked before the medium is opened (`ConfigError`). A pcap
 * with a bad header or link type fails with `ConfigError`. Writes a summary line to `err`.
 */
export async function runReplay(options: ReplayCliOptions, io: CliIo): Promise<ReplayCliResult> {
  const showBad = options.showBad ?? 20;
  const result: ReplayCliResult = { sent: 0, skipped: 0, bad: 0, passes: 0, stopped: false };
  const onBad = (bad: BadRecord): void => {
    if (result.passes > 0) return;
    result.bad++;
    if (result.bad <= showBad) io.err(`${where(options.file, bad)}: ${bad.reason}${bad.text !== undefined ? `: ${bad.text}` : ''}`);
  };
  let reader = await readTrace(options.file, { onBad });
  const bus = await openMedium(options.medium, options.busOptions, (l) => io.err(`replay: ${l}`));
  try {
    io.err(`replay: ${options.file} onto ${options.medium}${options.loop ? ' in a loop' : ''} (Ctrl-C to stop)`);
    const filter = options.channel !== undefined ? (f: { channel?: string }) => f.channel === options.channel : undefined;
    for (;;) {
      const replay = replayTrace(reader, bus, { speed: options.speed ?? 1, ...(filter ? { filter } : {}) });
      const onAbort = (): void => replay.stop();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) replay.stop();
      try {
        const r = await replay.done;
        result.sent += r.sent;
        result.skipped += r.skipped;
        result.stopped = r.stopped;
        result.passes++;
        if (!options.loop || r.stopped || r.sent === 0 || options.signal?.aborted) break;
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
      }
      reader = await readTrace(options.file, { onBad });
    }
  } finally {
    await bus.close();
  }
  if (result.bad > showBad) io.err(`replay: ${result.bad - showBad} more bad lines not shown`);
  const parts = [`${result.skipped} skipped`, `${result.bad} bad line${result.bad === 1 ? '' : 's'} dropped`];
  if (options.loop) parts.push(`${result.passes} pass${result.passes === 1 ? '' : 'es'}`);
  io.err(`replay: sent ${result.sent} frame${result.sent === 1 ? '' : 's'} (${parts.join(', ')})${result.stopped ? ', stopped' : ''}`);
  return result;
}

function where(file: string, bad: BadRecord): string {
  const line = /^line (\d+)$/.exec(bad.where);
  return line ? `${file}:${line[1]}` : `${file}: ${bad.where}`;
}
