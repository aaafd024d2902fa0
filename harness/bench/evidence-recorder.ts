import { join } from 'node:path';
import type { Clock } from '../../core/clock';
import type { ByteBudget } from '../../core/budget/byte-budget';
import { BudgetExhaustedError } from '../../core/budget/budgeted-stream';
import { openRecordStream, type RecordStream } from '../../core/budget/record-stream';
import { formatFrame, type CanFrame } from '../../protocols/can/frame';
import type { ServerTransaction } from '../../protocols/modbus/server-core';
import { modbusLogRecords, ModbusRecordWriter } from './modbus-log-records';
import type { Ring } from './ring';

/** Where a run's evidence goes and how it is bounded (see `BenchInstanceOptions`). */
export interface EvidenceOptions {
  clock: Clock;
  /** Folder of the full evidence (CAN traces, Modbus transaction logs); none: only the recent rings are kept. */
  traceDir?: string;
  /** Trace files: `gzip` (default), `plain`; `pcap` adds a pcap file per bus. */
  traceFormat?: { compress?: boolean; pcap?: boolean };
  /** The run's evidence budget: when spent, tracing stops (a note), nothing else does. */
  traceBudget?: ByteBudget;
  /** One line per notable event. */
  log?: (line: string) => void;
}

/** What the recorder reads of a CAN bus for {@link EvidenceRecorder.recentFrames}. */
export interface RecentFrames {
  name: string;
  recent: Ring<CanFrame>;
}

/** What the recorder reads of a Modbus endpoint for {@link EvidenceRecorder.recentWrites}. */
export interface RecentWrites {
  writes: Ring<{ at: number; text: string }>;
}

/** One endpoint's transaction log file: transactions go in as binary records (modbus-log-records.ts). */
interface TransactionLog {
  stream: RecordStream;
  records: ModbusRecordWriter;
  stopped: boolean;
}

/**
 * The evidence of a running bench besides verdicts: the timeline (bench start and the scenario's t=0), the notes
 * about evidence that stopped (budget spent, write failure), the Modbus transaction logs, and the recent frames and
 * writes shown beside a failure.
 *
 * Contract:
 * - Evidence never fails a run: a write that fails (or a budget that is spent) stops that file and adds one note to
 *   {@link notes} (logged once per reason for budget exhaustion); verdicts are unaffected.
 * - Times in `recentFrames`/`recentWrites` count from t=0 ({@link timeZeroMs}); before `setTimeZero`, t=0 is the
 *   moment the recorder was created (the bench came up).
 * - `close()` closes every file it opened and never throws.
 */
export class EvidenceRecorder {
  /** Notes about the evidence (a trace stopped by the budget or a write failure), for the result's events. */
  readonly notes: string[] = [];
  /** Clock time the bench came up. */
  readonly startMs: number;
  private originMs: number;
  private readonly transactionLogs = new Map<string, TransactionLog>();

  constructor(private readonly options: EvidenceOptions) {
    this.startMs = options.clock.now();
    this.originMs = this.startMs;
  }

  /** Clock time of the scenario's t=0 (the bench's start until {@link setTimeZero}). */
  get timeZeroMs(): number {
    return this.originMs;
  }

  setTimeZero(ms: number): void {
    this.originMs = ms;
  }

  /** The evidence folder's path of `file`, or undefined when this run keeps no files. */
  file(file: string): string | undefined {
    return this.options.traceDir ? join(this.options.traceDir, file) : undefined;
  }

  /** `.gz` unless the trace format says plain. */
  get compressSuffix(): string {
    return this.options.traceFormat?.compress === false ? '' : '.gz';
  }

  get pcap(): boolean {
    return this.options.traceFormat?.pcap === true;
  }

  get budget(): ByteBudget | undefined {
    return this.options.traceBudget;
  }

  /** An evidence file stopped (budget spent, write failure): one note, the run carries on. */
  stopped(file: string, err: Error): void {
    const at = ((this.options.clock.now() - this.startMs) / 1000).toFixed(3);
    const why = err instanceof BudgetExhaustedError ? `the trace budget (--trace-budget) is spent` : err.message;
    const note = `t=${at}s evidence ${file} stopped: ${why}; verdicts are unaffected`;
    if (!this.notes.some((n) => n.includes(why) && err instanceof BudgetExhaustedError)) this.options.log?.(note);
    this.notes.push(note);
  }

  /**
   * Open `modbus-<endpoint>.jsonl[.gz]` when this run keeps files: one JSON line per request with its reply,
   * `{"at":<clock ms>,"t":<ms since the bench came up>,"unit":<id>,"req":"<PDU hex>","rsp":"<PDU hex>"|null}`. This
   * thread only copies each transaction as a binary record; the line is made (and compressed for `.gz`) and written
   * in the compression worker. Returns the file's name in the evidence folder (undefined: no files this run).
   */
  async openTransactionLog(endpoint: string): Promise<string | undefined> {
    const name = `modbus-${endpoint}.jsonl${this.compressSuffix}`;
    const path = this.file(name);
    if (!path) return undefined;
    const stream = openRecordStream(path, modbusLogRecords({ startMs: this.startMs }), this.options.traceBudget);
    this.transactionLogs.set(endpoint, { stream, records: new ModbusRecordWriter(stream), stopped: false });
    return name;
  }

  /** Append one transaction to the endpoint's log, if it has one that has not stopped. */
  logTransaction(endpoint: string, t: ServerTransaction): void {
    const log = this.transactionLogs.get(endpoint);
    if (!log || log.stopped) return;
    try {
      log.records.write(t.at, t.ctx.unitId, t.request, t.response);
    } catch (err) {
      log.stopped = true;
      this.stopped(log.stream.path.split(/[\\/]/).pop()!, err as Error);
    }
  }

  /** Recent CAN frames on every bus, oldest first, as `t=1.234s bus 123#…` lines (t from {@link timeZeroMs}). */
  recentFrames(buses: Iterable<RecentFrames>, limit = 20): string[] {
    const all: Array<{ t: number; line: string }> = [];
    for (const b of buses) {
      for (const f of b.recent.toArray()) {
        const at = f.timestamp ?? this.startMs;
        all.push({ t: at, line: `${this.relative(at)} ${b.name} ${formatFrame(f)}` });
      }
    }
    return all.sort((a, b) => a.t - b.t).slice(-limit).map((x) => x.line);
  }

  /** Recent Modbus writes on every endpoint, oldest first, as `t=1.234s ep unit 1 fc6 @40 = 0 -> ok` lines. */
  recentWrites(endpoints: Iterable<RecentWrites>, limit = 20): string[] {
    return [...endpoints]
      .flatMap((m) => m.writes.toArray())
      .sort((a, b) => a.at - b.at)
      .slice(-limit)
      .map((w) => `${this.relative(w.at)} ${w.text}`);
  }

  /** `t=1.234s` for a clock time, counted from t=0. */
  relative(at: number): string {
    return sinceZero(at, this.originMs);
  }

  async close(): Promise<void> {
    for (const log of this.transactionLogs.values()) await log.stream.close().catch(() => undefined);
  }
}

/** `t=1.234s`: clock time `at` counted from t=0 at `originMs` (evidence lines, the report's traffic). */
export function sinceZero(at: number, originMs: number): string {
  return `t=${((at - originMs) / 1000).toFixed(3)}s`;
}

/** `1767225600.123456`: a clock time as candump writes timestamps. */
export function epochSeconds(ms: number): string {
  return (ms / 1000).toFixed(6);
}
