import type { CanBus } from '../bus';
import type { CanFrame } from '../frame';
import {
  BEL,
  CR,
  encodeFrame,
  formatSerial,
  formatStatus,
  formatVersion,
  parseCommand,
  printable,
  STATUS_FLAGS,
  type SlcanCommand,
} from './codec';
import { SlcanLineSplitter, type SlcanDropReason } from './line-splitter';
import type { SerialTransport } from './serial-transport';

/** Why the adapter answered BEL (or dropped something). Each is counted in `stats.errors`. */
export type SlcanAdapterErrorReason =
  | SlcanDropReason
  | 'unknown-command'
  | 'bad-frame'
  | 'bad-argument'
  | 'not-open'
  | 'not-closed'
  | 'listen-only'
  | 'bus-closed'
  | 'bus-send-failed';

/** Adapter state as the host configured it. */
export interface SlcanAdapterState {
  open: boolean;
  listenOnly: boolean;
  /** Bitrate set with `Sn` (bit/s), undefined until set (or after `sXXYY`). */
  bitrate: number | undefined;
  /** BTR0/BTR1 set with `sXXYY`. */
  btr: [number, number] | undefined;
  /** `Z1`: frames to the host carry a 4-digit ms timestamp. */
  timestamps: boolean;
}

/** Counters of an adapter. */
export interface SlcanAdapterStats {
  /** Command lines handled (including transmits and rejected ones). */
  commands: number;
  /** Frames the host transmitted that were handed to the bus (a later bus failure counts `bus-send-failed`). */
  framesToBus: number;
  /** Frames from the bus written to the host. */
  framesToHost: number;
  /** Bus frames dropped because the host side could not keep up (sets the `F` overrun flag). */
  framesDropped: number;
  /** Bus frames SLCAN cannot carry (error, FD), skipped. */
  framesUnencodable: number;
  /** BEL replies sent. */
  bells: number;
  /** Errors by reason (each answered with BEL, except `bus-send-failed`, which happens after the ack). */
  errors: Partial<Record<SlcanAdapterErrorReason, number>>;
}

/** Options for {@link SlcanAdapterEngine}. */
export interface SlcanAdapterOptions {
  /** `V` reply: hardware and software version (default 10 and 13: `V1013`). */
  hardwareVersion?: number;
  softwareVersion?: number;
  /** `N` reply: four letters or digits (default `HIL0`). */
  serial?: string;
  /** Transmit acknowledgement: `z` answers `z\r`/`Z\r` as Lawicel does (default); `cr` answers a bare CR. */
  transmitAck?: 'z' | 'cr';
  /** Told about each error (for logging). */
  onError?: (reason: SlcanAdapterErrorReason, detail: string) => void;
}

/**
 * Where the engine writes its output. Returns false when the line was not taken (host side congested); the engine
 * only ever lets frame lines be refused, and counts them as dropped.
 */
export type SlcanAdapterOutput = (text: string, kind: 'reply' | 'frame') => boolean;

/**
 * The SLCAN adapter's brain, without any I/O of its own: feed it the bytes a host wrote (`input`), it answers
 * through `output`, forwards transmitted frames to `bus` while open (not in listen-only), and writes the bus's
 * frames to the host while open. {@link SlcanAdapter} runs it on a pseudo-terminal; tests run it on a memory pipe.
 *
 * Contract:
 * - Every command line gets exactly one reply: CR (OK), `z`/`Z` + CR after a transmit, `V`/`N`/`F` + CR for
 *   queries, or BEL for anything wrong (unknown command, bad frame, garbage or over-long line, transmit while
 *   closed, `S`/`s`/`Z` while open). Errors are counted by reason; the engine keeps serving.
 * - `O`/`L` while already open in the same mode, and `C` while closed, answer CR (as CANable firmware does) so
 *   hosts that repeat them (python-can sends `O` twice) see no error.
 * - `close()` unsubscribes from the bus; it does not close the bus, which belongs to the caller.
 */
export class SlcanAdapterEngine {
  readonly state: SlcanAdapterState = { open: false, listenOnly: false, bitrate: undefined, btr: undefined, timestamps: false };
  readonly stats: SlcanAdapterStats = {
    commands: 0,
    framesToBus: 0,
    framesToHost: 0,
    framesDropped: 0,
    framesUnencodable: 0,
    bells: 0,
    errors: {},
  };
  private readonly splitter = new SlcanLineSplitter({ bellTerminates: false });
  private readonly version: string;
  private readonly serialReply: string;
  private readonly ack: 'z' | 'cr';
  private readonly unsubscribe: () => void;
  private readonly onError: ((reason: SlcanAdapterErrorReason, detail: string) => void) | undefined;
  private readonly commandListeners = new Set<(cmd: SlcanCommand | undefined, line: string) => void>();
  private overrun = false;
  private detached = false;

  constructor(
    readonly bus: CanBus,
    private readonly output: SlcanAdapterOutput,
    options: SlcanAdapterOptions = {},
  ) {
    this.version = formatVersion(options.hardwareVersion ?? 10, options.softwareVersion ?? 13);
    this.serialReply = formatSerial(options.serial ?? 'HIL0');
    this.ack = options.transmitAck ?? 'z';
    this.onError = options.onError;
    this.unsubscribe = bus.onFrame((f) => this.fromBus(f));
  }

  /** Bytes the host wrote. */
  input(chunk: Uint8Array | string): void {
    if (this.detached) return;
    for (const tok of this.splitter.push(chunk)) {
      if (tok.kind === 'dropped') {
        this.stats.commands++;
        this.fail(tok.reason, `'${printable(tok.excerpt)}'`);
        this.notify(undefined, tok.excerpt);
      } else if (tok.kind === 'line') {
        this.handle(tok.text);
      }
    }
  }

  /** Called after every command line (undefined command: the line was garbage). For tests and logs. */
  onCommand(listener: (cmd: SlcanCommand | undefined, line: string) => void): () => void {
    this.commandListeners.add(listener);
    return () => this.commandListeners.delete(listener);
  }

  /** Stop serving: unsubscribe from the bus and ignore further input. Idempotent. */
  close(): void {
    if (this.detached) return;
    this.detached = true;
    this.state.open = false;
    this.unsubscribe();
    this.commandListeners.clear();
  }

  private handle(line: string): void {
    this.stats.commands++;
    let cmd: SlcanCommand;
    try {
      cmd = parseCommand(line);
    } catch (err) {
      const c = line[0];
      const reason: SlcanAdapterErrorReason =
        c === 't' || c === 'T' || c === 'r' || c === 'R' ? 'bad-frame' : c && 'SsZOLCVNF'.includes(c) ? 'bad-argument' : 'unknown-command';
      this.fail(reason, (err as Error).message);
      this.notify(undefined, line);
      return;
    }
    this.execute(cmd);
    this.notify(cmd, line);
  }

  private execute(cmd: SlcanCommand): void {
    const st = this.state;
    switch (cmd.kind) {
      case 'transmit': {
        if (!st.open) return this.fail('not-open', 'transmit while the channel is closed');
        if (st.listenOnly) return this.fail('listen-only', 'transmit in listen-only mode');
        if (this.bus.closed) return this.fail('bus-closed', 'the bus behind the adapter is closed');
        this.reply(this.ack === 'cr' ? CR : `${cmd.frame.extended ? 'Z' : 'z'}${CR}`);
        this.stats.framesToBus++;
        this.bus.send(cmd.frame).catch((err: Error) => this.count('bus-send-failed', err.message));
        return;
      }
      case 'bitrate':
      case 'btr':
      case 'timestamps':
        if (st.open) return this.fail('not-closed', `'${cmd.kind}' needs the channel closed (send C first)`);
        if (cmd.kind === 'bitrate') {
          st.bitrate = cmd.bitrate;
          st.btr = undefined;
        } else if (cmd.kind === 'btr') {
          st.btr = [cmd.btr0, cmd.btr1];
          st.bitrate = undefined;
        } else {
          st.timestamps = cmd.on;
        }
        return this.reply(CR);
      case 'open':
      case 'listen': {
        const listen = cmd.kind === 'listen';
        if (st.open && st.listenOnly !== listen) return this.fail('not-closed', 'already open in the other mode');
        st.open = true;
        st.listenOnly = listen;
        return this.reply(CR);
      }
      case 'close':
        st.open = false;
        st.listenOnly = false;
        return this.reply(CR);
      case 'version':
        return this.reply(this.version + CR);
      case 'serial':
        return this.reply(this.serialReply + CR);
      case 'status': {
        const flags = this.overrun ? STATUS_FLAGS.dataOverrun : 0;
        this.overrun = false;
        return this.reply(formatStatus(flags) + CR);
      }
      case 'empty':
        return this.reply(CR);
    }
  }

  private fromBus(frame: CanFrame): void {
    if (!this.state.open || this.detached) return;
    let line: string;
    try {
      const t = frame.timestamp !== undefined && Number.isFinite(frame.timestamp) ? frame.timestamp : this.bus.clock.now();
      line = encodeFrame(frame, this.state.timestamps ? t : undefined);
    } catch {
      this.stats.framesUnencodable++;
      return;
    }
    if (this.output(line + CR, 'frame')) {
      this.stats.framesToHost++;
    } else {
      this.stats.framesDropped++;
      this.overrun = true;
    }
  }

  private reply(text: string): void {
    this.output(text, 'reply');
  }

  private count(reason: SlcanAdapterErrorReason, detail: string): void {
    this.stats.errors[reason] = (this.stats.errors[reason] ?? 0) + 1;
    this.onError?.(reason, detail);
  }

  private fail(reason: SlcanAdapterErrorReason, detail: string): void {
    this.count(reason, detail);
    this.stats.bells++;
    this.reply(BEL);
  }

  private notify(cmd: SlcanCommand | undefined, line: string): void {
    for (const l of this.commandListeners) l(cmd, line);
  }
}

/**
 * Serve an adapter engine on the device end of a {@link SerialTransport} (e.g. `createSerialPipe().device`): the
 * in-process mock adapter for tests of anything that talks SLCAN. Closing the engine leaves the transport open.
 */
export function serveSlcanAdapter(transport: SerialTransport, bus: CanBus, options: SlcanAdapterOptions = {}): SlcanAdapterEngine {
  const engine = new SlcanAdapterEngine(
    bus,
    (text) => {
      if (!transport.isOpen) return false;
      transport.write(text).catch(() => undefined); // a vanished host is seen through onClose
      return true;
    },
    options,
  );
  transport.onData((chunk) => engine.input(chunk));
  transport.onClose(() => engine.close());
  return engine;
}
