import { extname } from 'node:path';
import type { ByteBudget } from '../../../core/budget/byte-budget';
import { openRecordStream, type RecordStream } from '../../../core/budget/record-stream';
import { ClosedError, ConfigError } from '../../../core/errors';
import type { CanBus } from '../bus';
import type { CanFrame } from '../frame';
import { CANDUMP_RECORDS, FrameRecordWriter, PCAP_RECORDS } from './frame-records';
import { pcapGlobalHeader } from './pcap-format';

/** Trace file formats. */
export type TraceFormat = 'candump' | 'pcap';

/**
 * Writes frames to a trace file.
 *
 * Contract: `write` appends one frame (its `timestamp` in ms, `channel` if set) and never blocks; it throws
 * `ClosedError` after `close`, `BudgetExhaustedError` once the run's evidence budget is spent, and `OperationError`
 * once the file failed (disk full, removed). `close` flushes
 * and resolves when the data is on disk; it is idempotent and rejects with `OperationError` if writing failed.
 */
export interface TraceWriter {
  readonly path: string;
  readonly format: TraceFormat;
  /** Frames written so far. */
  readonly count: number;
  write(frame: CanFrame): void;
  /**
   * A comment line (`# text`, line breaks replaced by spaces) at this point of a candump log. can-utils' canplayer
   * and log2asc skip every line that does not start with '(' (linux-can/can-utils canplayer.c lines 130 and 437-438,
   * log2asc.c lines 393-394, commit 95aae6bf); `hil can replay` skips '#' lines; python-can's CanutilsLogReader
   * (4.1.0, and can/io/canutils.py at hardbyte/python-can 5d5cc168) does not: filter with `grep -v '^#'` first.
   * Classic pcap has no comments: ignored there. Same errors as `write`.
   */
  comment(text: string): void;
  close(): Promise<void>;
}

/** Options for {@link openTraceWriter}. */
export interface TraceWriterOptions {
  /** Format; default from the extension: `.log` (also `.candump`, `.txt`) candump, `.pcap` pcap. */
  format?: TraceFormat;
  /** Channel written in candump lines for frames that carry none (default `can0`). */
  channel?: string;
  /** Size budget the file's bytes on disk are charged to (shared by a run's evidence files). */
  budget?: ByteBudget;
}

/** Format for a path by its extension (a trailing `.gz` means gzip-compressed), or undefined. */
export function traceFormatFor(path: string): TraceFormat | undefined {
  const ext = extname(path.replace(/\.gz$/i, '')).toLowerCase();
  if (ext === '.pcap') return 'pcap';
  if (ext === '.log' || ext === '.candump' || ext === '.txt') return 'candump';
  return undefined;
}

/**
 * Create (truncate) a trace file and return its writer once the file is open. A name ending in `.gz` (`bus.log.gz`,
 * `bus.pcap.gz`) is written as one gzip stream. Throws `ConfigError` for an extension that names no format (without
 * `options.format`) and for a file that cannot be created.
 */
export async function openTraceWriter(path: string, options: TraceWriterOptions = {}): Promise<TraceWriter> {
  const format = options.format ?? traceFormatFor(path);
  if (!format) throw new ConfigError(`cannot tell the trace format from '${extname(path) || 'no extension'}': use .log (candump) or .pcap, optionally .gz`, path);
  // Frames go to the file as binary records; the text (or pcap records) is made in the compression worker, which
  // compresses it for .gz and writes it (frame-records.ts, record-stream.ts).
  const stream = openRecordStream(path, format === 'pcap' ? PCAP_RECORDS : CANDUMP_RECORDS, options.budget);
  const writer = new StreamTraceWriter(path, format, stream, options.channel ?? 'can0');
  if (format === 'pcap') stream.writeRaw(pcapGlobalHeader());
  return writer;
}

class StreamTraceWriter implements TraceWriter {
  count = 0;
  private closing: Promise<void> | undefined;
  private readonly records: FrameRecordWriter;

  constructor(
    readonly path: string,
    readonly format: TraceFormat,
    private readonly stream: RecordStream,
    channel: string,
  ) {
    this.records = new FrameRecordWriter(stream, channel);
  }

  write(frame: CanFrame): void {
    if (this.closing) throw new ClosedError(`trace writer ${this.path}`);
    this.records.write(frame);
    this.count++;
  }

  comment(text: string): void {
    if (this.closing) throw new ClosedError(`trace writer ${this.path}`);
    if (this.format === 'candump') this.stream.writeRaw(Buffer.from(`# ${text.replace(/[\r\n]+/g, ' ')}\n`, 'utf8'));
  }

  close(): Promise<void> {
    this.closing ??= this.stream.close();
    return this.closing;
  }
}

/** Handle on a recording started by {@link recordBus}. */
export interface Recording {
  /** Frames recorded so far. */
  readonly count: number;
  /** Stop recording (idempotent). Does not close the writer. */
  stop(): void;
}

/**
 * Record every frame the bus receives (its listeners' view: after filters, stamped with the bus clock and channel)
 * into `writer`. Frames this bus sends itself appear only if the bus was opened with `receiveOwnMessages`.
 * A write that fails stops the recording and is reported to `onError` (default: ignored after stopping).
 */
export function recordBus(bus: CanBus, writer: TraceWriter, onError?: (err: Error) => void): Recording {
  let count = 0;
  let stopped = false;
  const off = bus.onFrame((frame) => {
    if (stopped) return;
    try {
      writer.write(frame);
      count++;
    } catch (err) {
      stop();
      onError?.(err as Error);
    }
  });
  function stop(): void {
    if (stopped) return;
    stopped = true;
    off();
  }
  return {
    get count() {
      return count;
    },
    stop,
  };
}
