import { ConfigError } from '../../../../core/errors';
import type { CanBusOptions } from '../../../../protocols/can/bus';
import { openTraceWriter, traceFormatFor } from '../../../../protocols/can/trace';
import type { CliIo } from './cli-io';
import { pumpFrames, type PumpEnd } from './frame-pump';
import { openMedium } from './open-medium';
import { whenAborted } from './stop-signal';

/** Options for {@link runRecord}. */
export interface RecordOptions {
  medium: string;
  /** `.log` (candump log) or `.pcap` (link type 227). */
  file: string;
  /** Stop after this long (ms on the bus clock). */
  durationMs?: number;
  /** Stop after this many frames. */
  count?: number;
  signal?: AbortSignal;
  busOptions?: CanBusOptions;
}

/**
 * `hil can record`: write every frame of a medium to a trace file until the signal, `durationMs` or `count`.
 * The extension is checked before anything opens (`ConfigError`); the file is created once the medium is open.
 * Writes `record: recording <medium> to <file>` to `err` when ready and `record: N frames to <file>` at the end.
 * Exit code 3 when the medium closed by itself (the frames up to then are kept).
 */
export async function runRecord(options: RecordOptions, io: CliIo): Promise<{ frames: number; end: PumpEnd; exitCode: 0 | 3 }> {
  if (!traceFormatFor(options.file)) {
    throw new ConfigError(`cannot tell the trace format from the file name: use .log (candump) or .pcap`, options.file);
  }
  const bus = await openMedium(options.medium, options.busOptions, (l) => io.err(`record: ${l}`));
  let result: { frames: number; end: PumpEnd };
  let writerClosed = false;
  let durationTimer: number | undefined;
  const writer = await openTraceWriter(options.file, { channel: bus.channel }).catch(async (err: unknown) => {
    await bus.close();
    throw err;
  });
  try {
    const stops: Promise<unknown>[] = [whenAborted(options.signal)];
    if (options.durationMs !== undefined) {
      const ms = options.durationMs;
      stops.push(new Promise<void>((resolve) => (durationTimer = bus.clock.setTimeout(resolve, ms))));
    }
    io.err(`record: recording ${options.medium} to ${options.file} (Ctrl-C to stop)`);
    result = await pumpFrames(bus, {
      ...(options.count !== undefined ? { count: options.count } : {}),
      stop: Promise.race(stops),
      onFrame: (frame) => writer.write(frame),
    });
    writerClosed = true;
    await writer.close();
  } finally {
    if (durationTimer !== undefined) bus.clock.clearTimer(durationTimer);
    await bus.close();
    if (!writerClosed) await writer.close().catch(() => undefined);
  }
  io.err(`record: ${result.frames} frame${result.frames === 1 ? '' : 's'} to ${options.file}`);
  if (result.end === 'closed') {
    io.err(`record: ${options.medium} closed by the other side`);
    return { ...result, exitCode: 3 };
  }
  return { ...result, exitCode: 0 };
}
