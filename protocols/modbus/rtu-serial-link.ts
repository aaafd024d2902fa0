import type { SerialPort as SerialPortType } from 'serialport';
import { ClosedError, DisconnectedError, InterfaceNotAvailableError, OperationError } from '../../core/errors';
import type { RtuLink } from './rtu-link';
import { bitsPerChar } from './rtu-timing';

export interface SerialLinkOptions {
  /** Device or pty path: `/dev/ttyUSB0`, `/dev/pts/3`, a socat `link=` name. */
  path: string;
  baudRate: number;
  /** Default 'even' (the Modbus default; 'none' should then use two stop bits, but most gear uses one). */
  parity?: 'none' | 'even' | 'odd';
  stopBits?: 1 | 2;
}

/**
 * An {@link RtuLink} over a real serial port or a pseudo-terminal, through `serialport` (v13). The module is
 * loaded on first use, so machines without the native binding only fail here, with one clear line.
 */
export class SerialLink implements RtuLink {
  readonly path: string;
  readonly baudRate: number;
  readonly bitsPerChar: number;
  private isClosed = false;
  private listener: ((chunk: Uint8Array) => void) | undefined;
  private closeListener: ((err?: Error) => void) | undefined;

  private constructor(
    private readonly port: SerialPortType,
    options: SerialLinkOptions,
  ) {
    this.path = options.path;
    this.baudRate = options.baudRate;
    this.bitsPerChar = bitsPerChar(options.parity ?? 'even', options.stopBits ?? 1);
    port.on('data', (chunk: Buffer) => this.listener?.(chunk));
    // Errors after open surface through write callbacks or 'close'; keep 'error' from becoming an uncaught throw.
    port.on('error', () => undefined);
    port.on('close', (err?: Error & { disconnected?: boolean }) => {
      const wasClosed = this.isClosed;
      this.isClosed = true;
      const l = this.closeListener;
      this.closeListener = undefined;
      if (!l) return;
      if (err?.disconnected || !wasClosed) l(new DisconnectedError(`serial port ${this.path} disconnected`, { cause: err }));
      else l();
    });
  }

  /** Open the port (raw, 8 data bits). Rejects with `InterfaceNotAvailableError` (no binding, no such port). */
  static async open(options: SerialLinkOptions): Promise<SerialLink> {
    let SerialPort: typeof SerialPortType;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      ({ SerialPort } = require('serialport') as typeof import('serialport'));
    } catch (err) {
      throw new InterfaceNotAvailableError(`the 'serialport' module failed to load`, { cause: err });
    }
    const port = new SerialPort({
      path: options.path,
      baudRate: options.baudRate,
      dataBits: 8,
      parity: options.parity ?? 'even',
      stopBits: options.stopBits ?? 1,
      autoOpen: false,
      lock: false,
    });
    await new Promise<void>((resolve, reject) =>
      port.open((err) =>
        err ? reject(new InterfaceNotAvailableError(`cannot open serial port ${options.path}: ${err.message}`, { cause: err })) : resolve(),
      ),
    );
    return new SerialLink(port, options);
  }

  get closed(): boolean {
    return this.isClosed;
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.listener = listener;
  }

  onClose(listener: (err?: Error) => void): void {
    this.closeListener = listener;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.isClosed) return Promise.reject(new ClosedError(`serial port ${this.path}`));
    return new Promise((resolve, reject) => {
      this.port.write(Buffer.from(bytes), (err) => {
        if (!err) resolve();
        else if (this.isClosed) reject(new ClosedError(`serial port ${this.path}`));
        else reject(new OperationError(`write to ${this.path} failed: ${err.message}`, { cause: err }));
      });
    });
  }

  drain(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    return new Promise((resolve) => this.port.drain(() => resolve()));
  }

  close(): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    this.isClosed = true;
    this.listener = undefined;
    return new Promise((resolve) => {
      if (!this.port.isOpen) {
        this.fireClosed();
        resolve();
        return;
      }
      this.port.close(() => {
        this.fireClosed();
        resolve();
      });
    });
  }

  private fireClosed(): void {
    const l = this.closeListener;
    this.closeListener = undefined;
    l?.();
  }
}
