import { read as fsRead } from 'node:fs';
import { promisify } from 'node:util';
import { SerialPort } from 'serialport';
import { ClosedError, DisconnectedError, InterfaceNotAvailableError, OperationError } from '../../../core/errors';
import { requestLowLatency, type LowLatencyPort } from '../../serial/low-latency';
import type { SerialOpenOptions, SerialOpener, SerialTransport } from './serial-transport';

const readAsync = promisify(fsRead);

/** The parts of a node-serialport binding this module touches. */
interface PortBinding {
  readonly isOpen: boolean;
  fd?: number | null;
  poller?: { once(event: 'readable', cb: (err: Error | null) => void): unknown };
  read(buffer: Buffer, offset: number, length: number): Promise<{ bytesRead: number; buffer: Buffer }>;
}
interface Binding {
  list(): Promise<unknown[]>;
  open(options: { path: string; baudRate: number }): Promise<PortBinding>;
}

/**
 * node-serialport's unix read treats a read of 0 bytes as "try again" and spins forever once a tty hangs up (what
 * a pty does when its master closes, and some USB CDC drivers on unplug). For a tty opened with VMIN=1 in
 * non-blocking mode, 0 bytes can only mean hangup, so this binding reports it (and EIO) as a disconnect.
 */
function hangupAwareBinding(base: Binding): Binding {
  return {
    list: () => base.list(),
    async open(options) {
      const port = await base.open(options);
      const original = port.read.bind(port);
      port.read = async (buffer, offset, length) => {
        if (typeof port.fd !== 'number' || !port.poller) return original(buffer, offset, length);
        for (;;) {
          if (!port.isOpen || typeof port.fd !== 'number') throw Object.assign(new Error('port is not open'), { canceled: true });
          try {
            const { bytesRead } = await readAsync(port.fd, buffer, offset, length, null);
            if (bytesRead > 0) return { bytesRead, buffer };
          } catch (err) {
            const code = (err as NodeJS.ErrnoException).code;
            if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw err;
            if (!port.isOpen) throw Object.assign(new Error('port is not open'), { canceled: true });
            await new Promise<void>((resolve, reject) => port.poller!.once('readable', (e) => (e ? reject(e) : resolve())));
            continue;
          }
          throw Object.assign(new Error(`${options.path} hung up (end of file)`), { disconnect: true });
        }
      };
      return port;
    },
  };
}

let binding: Binding | undefined;

function openError(path: string, err: Error): Error {
  const msg = err.message;
  if (/no such file|ENOENT|cannot find/i.test(msg)) {
    return new InterfaceNotAvailableError(`SLCAN adapter ${path} not found (no such device; is it plugged in?)`, { cause: err });
  }
  if (/permission denied|EACCES/i.test(msg)) {
    return new OperationError(`cannot open ${path}: permission denied (is your user in the dialout group?)`, { cause: err });
  }
  if (/lock|busy|temporarily unavailable/i.test(msg)) {
    return new OperationError(`cannot open ${path}: the port is in use by another program`, { cause: err });
  }
  return new OperationError(`cannot open ${path}: ${msg}`, { cause: err });
}

/** A {@link SerialTransport} on a real serial device or pty through node-serialport. */
class SerialPortTransport implements SerialTransport {
  private dataListener: (chunk: Uint8Array) => void = () => undefined;
  private closeListener: (err?: Error) => void = () => undefined;
  private ended: Error | null | undefined; // undefined: open; null: closed by us; Error: disconnected
  private closing: Promise<void> | undefined;

  constructor(
    readonly path: string,
    private readonly port: SerialPort,
    readonly notes: readonly string[],
  ) {
    port.on('data', (chunk: Buffer) => this.dataListener(chunk));
    port.on('close', (err?: Error & { disconnected?: boolean }) => {
      if (this.ended !== undefined) return;
      if (err || !this.closing) {
        this.ended = new DisconnectedError(`SLCAN adapter ${path} went away${err ? ` (${err.message})` : ''}`, { cause: err });
        this.closeListener(this.ended);
      } else {
        this.ended = null;
        this.closeListener();
      }
    });
    // Errors after open also arrive as 'close' with a disconnect error; this keeps them from crashing the process.
    port.on('error', () => undefined);
  }

  get isOpen(): boolean {
    return this.ended === undefined && !this.closing;
  }

  write(data: Uint8Array | string): Promise<void> {
    if (this.ended) return Promise.reject(this.ended);
    if (this.ended === null || this.closing) return Promise.reject(new ClosedError(`serial port ${this.path}`));
    return new Promise((resolve, reject) => {
      this.port.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data), (err) => {
        if (!err) resolve();
        else reject(this.ended ?? new DisconnectedError(`write to ${this.path} failed: ${err.message}`, { cause: err }));
      });
    });
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.dataListener = listener;
  }

  onClose(listener: (err?: Error) => void): void {
    this.closeListener = listener;
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (this.ended !== undefined || !this.port.isOpen) {
        if (this.ended === undefined) {
          this.ended = null;
          this.closeListener();
        }
        resolve();
        return;
      }
      this.port.close(() => {
        if (this.ended === undefined) {
          this.ended = null;
          this.closeListener();
        }
        resolve();
      });
    });
    return this.closing;
  }
}

/** Open a serial device (or pty) through node-serialport. See {@link SerialOpener} for the errors. */
export const openSerialPort: SerialOpener = (path: string, options: SerialOpenOptions = {}) => {
  binding ??= hangupAwareBinding(SerialPort.binding as unknown as Binding);
  return new Promise((resolve, reject) => {
    const port: SerialPort = new SerialPort(
      { path, baudRate: options.baudRate ?? 115200, binding: binding as never } as ConstructorParameters<typeof SerialPort>[0],
      (err) => {
        if (err) {
          reject(openError(path, err));
          return;
        }
        void requestLowLatency(port.port as unknown as LowLatencyPort, options.lowLatency ?? true).then((low) =>
          resolve(new SerialPortTransport(path, port, low.state === 'refused' ? [low.note] : [])),
        );
      },
    );
  });
};
