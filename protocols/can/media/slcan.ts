import type { TimerHandle } from '../../../core/clock';
import { ClosedError, ConfigError, HilTimeoutError, OperationError } from '../../../core/errors';
import { BaseCanBus } from '../base-bus';
import type { CanBusOptions } from '../bus';
import type { CanFrame } from '../frame';
import type { MediumUrl } from '../medium-url';
import { bitrateCode, CR, decodeFrame, encodeFrame, isFrameLine, printable, TimestampUnwrapper } from '../slcan/codec';
import { SlcanLineSplitter, type SlcanToken } from '../slcan/line-splitter';
import type { SerialOpener, SerialTransport } from '../slcan/serial-transport';

/** Options of the SLCAN client medium. */
export interface SlcanBusOptions extends CanBusOptions {
  /** CAN bitrate in bit/s, sent as `Sn` (default 500000). Unknown bitrates throw `ConfigError` listing valid ones. */
  bitrate?: number;
  /** Open with `L` (listen-only) instead of `O`; `send` then rejects with `OperationError`. */
  listenOnly?: boolean;
  /** Ask the adapter for timestamps (`Z1`) and stamp frames from them (unwrapped onto the bus clock). */
  timestamps?: boolean;
  /** Serial speed (default 115200; USB CDC adapters ignore it). */
  baudRate?: number;
  /** Linux: low-latency mode on the adapter's serial port (default true; URL `lowlatency=0` turns it off). */
  lowLatency?: boolean;
  /** How the serial device is opened (default node-serialport). Tests inject a memory pipe here. */
  openSerial?: SerialOpener;
  /** Bound on each configuration reply at open and on `command()`, ms on the bus clock (default 2000). */
  replyTimeoutMs?: number;
}

/** SLCAN-specific counters (the common ones are in `stats`). */
export interface SlcanClientStats {
  /** Transmit acknowledgements (`z`, `Z` or CR) received. */
  acks: number;
  /** BEL replies from the adapter: refused transmits or commands. Counted, never silent. */
  bells: number;
  /** Lines from the adapter dropped, by reason. */
  dropped: Record<string, number>;
}

interface Pending {
  /** First letter of the command, or 'tx' for a run of transmits. */
  key: string;
  /** For 'tx': how many consecutive transmits await their ack. */
  count?: number;
  command?: string;
  resolve?: (reply: string) => void;
  reject?: (err: Error) => void;
  timer?: TimerHandle;
}

/** Unacknowledged transmits remembered at most (adapters that never ack would grow the list otherwise). */
const MAX_PENDING_TX = 65536;

/**
 * A CAN bus through an SLCAN (Lawicel) adapter on a serial device: CANable, USBtin, or {@link SlcanAdapter} on a
 * pty. Open with {@link openSlcanBus} or `openBus('slcan:///dev/ttyACM0?bitrate=500000')`.
 *
 * Contract (on top of `CanBus`):
 * - Opening sends `C`, (`Z1`,) `Sn`, then `O` or `L`, waiting for each reply; a BEL to `Sn`/`O` fails the open with
 *   `OperationError`, a silent adapter with `HilTimeoutError`, and the port is closed again.
 * - `send` resolves once the line was written to the device. The adapter's ack comes later: acks are counted in
 *   `slcanStats.acks`, BEL replies in `slcanStats.bells` (a refused frame is not retried).
 * - Lines from the adapter that are neither frames nor replies are dropped and counted (`stats.rxMalformed`,
 *   `slcanStats.dropped` by reason).
 * - If the device vanishes, `send` rejects with `DisconnectedError` (see `disconnectError`); `recv` keeps
 *   returning queued frames, then `null` on its timeout. `close()` still releases everything.
 * - `close()` sends `C` (best effort) and closes the port.
 */
export class SlcanBus extends BaseCanBus {
  readonly medium = 'slcan';
  readonly slcanStats: SlcanClientStats = { acks: 0, bells: 0, dropped: {} };
  private readonly splitter: SlcanLineSplitter;
  private readonly pending: Pending[] = [];
  private pendingTx = 0;
  private readonly unwrapper: TimestampUnwrapper | undefined;
  private readonly listenOnly: boolean;
  private readonly replyTimeoutMs: number;
  private lost: Error | undefined;
  private readonly disconnectListeners = new Set<(err: Error) => void>();
  private outText = '';
  private outWaiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private flushQueued = false;

  /** Use {@link openSlcanBus}: the constructor does not configure the adapter. */
  constructor(
    private readonly transport: SerialTransport,
    options: SlcanBusOptions = {},
  ) {
    super(transport.path, options);
    this.listenOnly = options.listenOnly ?? false;
    this.replyTimeoutMs = options.replyTimeoutMs ?? 2000;
    this.unwrapper = options.timestamps ? new TimestampUnwrapper() : undefined;
    this.splitter = new SlcanLineSplitter({
      bellTerminates: true,
      onDrop: (reason) => this.drop(reason),
    });
    transport.onData((chunk) => {
      for (const tok of this.splitter.push(chunk)) this.token(tok);
    });
    transport.onClose((err) => {
      if (!err) return;
      this.lost = err;
      this.failPending(err);
      for (const l of this.disconnectListeners) l(err);
    });
  }

  /** Why the device is gone (`DisconnectedError`), or undefined while it is there. */
  get disconnectError(): Error | undefined {
    return this.lost;
  }

  /** Called once if the device vanishes. Returns an unsubscribe function. */
  onDisconnect(listener: (err: Error) => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /**
   * Send a raw command line (without CR) and wait for its reply: '' for CR, the reply line for `V`/`N`/`F`.
   * Rejects with `OperationError` on BEL, `HilTimeoutError` after `replyTimeoutMs`, `DisconnectedError` or
   * `ClosedError` if the port goes.
   */
  command(text: string): Promise<string> {
    if (this.lost) return Promise.reject(this.lost);
    if (this.closed) return Promise.reject(new ClosedError(`CAN bus slcan:${this.channel}`));
    return new Promise((resolve, reject) => {
      const entry: Pending = { key: text[0] ?? '', command: text, resolve, reject };
      entry.timer = this.clock.setTimeout(() => {
        const i = this.pending.indexOf(entry);
        if (i >= 0) this.pending.splice(i, 1);
        reject(new HilTimeoutError(`SLCAN adapter ${this.channel} did not answer '${text}' within ${this.replyTimeoutMs} ms`));
      }, this.replyTimeoutMs);
      this.pending.push(entry);
      this.writeLine(text + CR).catch((err: Error) => this.settle(entry, err));
    });
  }

  /** `V` reply: hardware and software version (`V1013` -> { hardware: 10, software: 13 }). */
  async version(): Promise<{ hardware: number; software: number; raw: string }> {
    const raw = await this.command('V');
    return { hardware: Number(raw.slice(1, 3)), software: Number(raw.slice(3, 5)), raw };
  }

  /** `N` reply: the adapter's serial number. */
  async serialNumber(): Promise<string> {
    return (await this.command('N')).slice(1);
  }

  /** @internal run by {@link openSlcanBus}. */
  async configure(bitrate: number, timestamps: boolean): Promise<void> {
    const code = bitrateCode(bitrate);
    // C first: an adapter left open answers the rest with BEL. Some answer BEL to C when already closed: fine.
    await this.command('C').catch((err: Error) => {
      if (!(err instanceof OperationError)) throw err;
      this.slcanStats.bells--; // that BEL was expected, not an error
    });
    if (timestamps) await this.command('Z1');
    await this.command(`S${code}`);
    await this.command(this.listenOnly ? 'L' : 'O');
  }

  protected async transmit(frame: CanFrame): Promise<void> {
    if (this.lost) throw this.lost;
    if (this.listenOnly) throw new OperationError(`SLCAN bus ${this.channel} is open listen-only; it cannot send`);
    const line = encodeFrame(frame);
    // Consecutive transmits share one entry (a burst must not cost one object, or worse a search, per frame).
    const last = this.pending[this.pending.length - 1];
    if (last?.key === 'tx') last.count!++;
    else this.pending.push({ key: 'tx', count: 1 });
    if (++this.pendingTx > MAX_PENDING_TX) {
      const oldest = this.pending.find((p) => p.key === 'tx')!; // forget an ack that never came
      if (--oldest.count! === 0) this.pending.splice(this.pending.indexOf(oldest), 1);
      this.pendingTx--;
    }
    await this.writeLine(line + CR);
  }

  /**
   * Queue a line for the device. Lines queued in the same tick go out in one write (one syscall, one USB transfer
   * instead of one per frame); order is kept because commands and frames share this one queue.
   */
  private writeLine(text: string): Promise<void> {
    this.outText += text;
    const done = new Promise<void>((resolve, reject) => this.outWaiters.push({ resolve, reject }));
    if (this.outText.length >= 16384) this.flushOut();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flushOut());
    }
    return done;
  }

  private flushOut(): void {
    this.flushQueued = false;
    if (this.outText === '') return;
    const text = this.outText;
    const waiters = this.outWaiters;
    this.outText = '';
    this.outWaiters = [];
    this.transport.write(text).then(
      () => waiters.forEach((w) => w.resolve()),
      (err: Error) => waiters.forEach((w) => w.reject(err)),
    );
  }

  protected async closeMedium(): Promise<void> {
    if (!this.lost && this.transport.isOpen) {
      await this.writeLine(`C${CR}`).catch(() => undefined);
    }
    this.failPending(new ClosedError(`CAN bus slcan:${this.channel}`));
    await this.transport.close();
  }

  private token(tok: SlcanToken): void {
    if (tok.kind === 'dropped') return; // counted by onDrop
    if (tok.kind === 'bell') {
      this.slcanStats.bells++;
      const head = this.shift();
      if (head?.reject) head.reject(new OperationError(`SLCAN adapter ${this.channel} refused '${head.command}' (BEL)`));
      return;
    }
    const text = tok.text;
    if (isFrameLine(text)) {
      let decoded;
      try {
        decoded = decodeFrame(text);
      } catch {
        this.drop('bad-frame');
        return;
      }
      const { frame, timestamp } = decoded;
      if (this.unwrapper && timestamp !== undefined) frame.timestamp = this.unwrapper.unwrap(timestamp, this.clock.now());
      this.deliver(frame);
      return;
    }
    if (text === 'z' || text === 'Z') {
      // Unambiguous transmit ack: never taken for a command's reply.
      if (this.pending[0]?.key === 'tx') this.shift();
      this.slcanStats.acks++;
      return;
    }
    if (text === '') {
      const head = this.shift();
      if (!head || head.key === 'tx') this.slcanStats.acks++;
      else head.resolve?.('');
      return;
    }
    const key = text[0]!;
    if ('VNF'.includes(key)) {
      const i = this.pending.findIndex((p) => p.key === key);
      if (i >= 0) {
        const [entry] = this.pending.splice(i, 1);
        this.settle(entry!, undefined, text);
        return;
      }
    }
    this.drop(`unexpected '${printable(text.slice(0, 8))}'`);
  }

  /** Oldest pending command or transmit. */
  private shift(): Pending | undefined {
    const first = this.pending[0];
    if (first?.key === 'tx') {
      this.pendingTx--;
      if (--first.count! > 0) return first;
    }
    const head = this.pending.shift();
    if (head?.timer !== undefined) this.clock.clearTimer(head.timer);
    return head;
  }

  private settle(entry: Pending, err?: Error, reply?: string): void {
    const i = this.pending.indexOf(entry);
    if (i >= 0) this.pending.splice(i, 1);
    if (entry.timer !== undefined) this.clock.clearTimer(entry.timer);
    if (err) entry.reject?.(err);
    else entry.resolve?.(reply ?? '');
  }

  private failPending(err: Error): void {
    for (const p of this.pending.splice(0)) {
      if (p.timer !== undefined) this.clock.clearTimer(p.timer);
      p.reject?.(err);
    }
    this.pendingTx = 0;
  }

  private drop(reason: string): void {
    this.slcanStats.dropped[reason] = (this.slcanStats.dropped[reason] ?? 0) + 1;
    this.countMalformed();
  }
}

/** Lazily loaded default opener, so the medium's module loads even where node-serialport cannot. */
function defaultOpener(): SerialOpener {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('../slcan/serialport-transport') as typeof import('../slcan/serialport-transport')).openSerialPort;
}

/**
 * Open an SLCAN adapter and configure it (see {@link SlcanBus} for the sequence). What the serial port could not set
 * up (low-latency mode refused) goes to `options.log` once, as `slcan <path>: ...` (no log: not reported). Throws `ConfigError` for a bad
 * bitrate before touching the device, `InterfaceNotAvailableError` / `OperationError` naming the path when the
 * device cannot be opened, and `OperationError` / `HilTimeoutError` when the adapter refuses or does not answer.
 */
export async function openSlcanBus(path: string, options: SlcanBusOptions = {}): Promise<SlcanBus> {
  const bitrate = options.bitrate ?? 500000;
  bitrateCode(bitrate); // ConfigError before any I/O
  const open = options.openSerial ?? defaultOpener();
  const transport = await open(path, { baudRate: options.baudRate ?? 115200, lowLatency: options.lowLatency ?? true });
  for (const note of transport.notes ?? []) options.log?.(`slcan ${path}: ${note}`);
  const bus = new SlcanBus(transport, options);
  try {
    await bus.configure(bitrate, options.timestamps ?? false);
  } catch (err) {
    await bus.close();
    throw err;
  }
  return bus;
}

function flag(url: MediumUrl, name: string): boolean | undefined {
  const v = url.params[name];
  if (v === undefined) return undefined;
  if (v === '1' || v === 'true' || v === '') return true;
  if (v === '0' || v === 'false') return false;
  throw new ConfigError(`'${url.raw}': ${name}=${v} must be 1 or 0`);
}

function integer(url: MediumUrl, name: string): number | undefined {
  const v = url.params[name];
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new ConfigError(`'${url.raw}': ${name}=${v} is not a whole number`);
  return Number(v);
}

const KNOWN_PARAMS = ['bitrate', 'listen', 'timestamps', 'baud', 'lowlatency'];

/** The registry's opener for `slcan:///dev/ttyACM0?bitrate=500000&listen=1&timestamps=1&baud=115200&lowlatency=0`. */
export async function openSlcanUrl(url: MediumUrl, options: SlcanBusOptions = {}): Promise<SlcanBus> {
  if (url.host !== undefined) {
    throw new ConfigError(`'${url.raw}': the slcan medium takes a device path, not a host (three slashes: slcan:///dev/ttyACM0)`);
  }
  if (!url.channel) throw new ConfigError(`'${url.raw}': the slcan medium needs a device path (slcan:///dev/ttyACM0)`);
  const unknown = Object.keys(url.params).filter((k) => !KNOWN_PARAMS.includes(k));
  if (unknown.length) throw new ConfigError(`'${url.raw}': unknown parameter ${unknown.join(', ')} (known: ${KNOWN_PARAMS.join(', ')})`);
  const o: SlcanBusOptions = { ...options };
  const bitrate = integer(url, 'bitrate');
  if (bitrate !== undefined) o.bitrate = bitrate;
  const listen = flag(url, 'listen');
  if (listen !== undefined) o.listenOnly = listen;
  const ts = flag(url, 'timestamps');
  if (ts !== undefined) o.timestamps = ts;
  const baud = integer(url, 'baud');
  if (baud !== undefined) o.baudRate = baud;
  const lowLatency = flag(url, 'lowlatency');
  if (lowLatency !== undefined) o.lowLatency = lowLatency;
  return openSlcanBus(url.channel, o);
}

