import { ClosedError, DisconnectedError } from '../../../core/errors';
import type { SerialTransport } from './serial-transport';

/**
 * Rewrites bytes in flight (STYLE.md point 5, pymodbus `NullModem.set_manipulator`): return the chunks to deliver
 * instead (split one write in several, corrupt it, or `[]` to drop it). The one place where tests inject line faults.
 */
export type SerialManipulator = (chunk: Uint8Array, direction: 'host->device' | 'device->host') => Uint8Array[];

/** A connected in-memory pair, as {@link createSerialPipe} returns it. */
export interface SerialPipe {
  /** The end a host (the SLCAN client medium) opens. */
  host: MemorySerialEnd;
  /** The end a device (an adapter emulation) sits on. */
  device: MemorySerialEnd;
  /** Replace the manipulator (undefined: pass bytes unchanged). */
  setManipulator(fn: SerialManipulator | undefined): void;
  /** Simulate the device vanishing: both ends end with `DisconnectedError`. */
  disconnect(): void;
}

/** One end of an in-memory serial line. Delivery is asynchronous (a microtask later), in order. */
export class MemorySerialEnd implements SerialTransport {
  private dataListener: (chunk: Uint8Array) => void = () => undefined;
  private closeListener: (err?: Error) => void = () => undefined;
  private ended: Error | null | undefined;
  /** @internal */ peer!: MemorySerialEnd;
  /** @internal */ send!: (chunk: Uint8Array) => void;
  /** Bytes written by this end so far (as latin1 text), for tests to inspect. */
  written = '';

  constructor(readonly path: string) {}

  get isOpen(): boolean {
    return this.ended === undefined;
  }

  write(data: Uint8Array | string): Promise<void> {
    if (this.ended) return Promise.reject(this.ended);
    if (this.ended === null) return Promise.reject(new ClosedError(`serial port ${this.path}`));
    const bytes = typeof data === 'string' ? Uint8Array.from(Buffer.from(data, 'latin1')) : new Uint8Array(data);
    this.written += Buffer.from(bytes).toString('latin1');
    this.send(bytes);
    return Promise.resolve();
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.dataListener = listener;
  }

  onClose(listener: (err?: Error) => void): void {
    this.closeListener = listener;
  }

  close(): Promise<void> {
    this.end(null);
    return Promise.resolve();
  }

  /** @internal */
  receive(chunk: Uint8Array): void {
    if (this.ended === undefined) this.dataListener(chunk);
  }

  /** @internal */
  end(err: Error | null): void {
    if (this.ended !== undefined) return;
    this.ended = err;
    if (err) this.closeListener(err);
    else this.closeListener();
  }
}

/**
 * Two connected in-memory serial ends: what one writes, the other receives (through the manipulator, if any).
 * Closing one end does not close the other, as with a real cable; `disconnect()` ends both with
 * `DisconnectedError`.
 */
export function createSerialPipe(path = 'memory-serial'): SerialPipe {
  const host = new MemorySerialEnd(path);
  const device = new MemorySerialEnd(`${path} (device end)`);
  let manipulator: SerialManipulator | undefined;
  const wire = (from: MemorySerialEnd, to: MemorySerialEnd, direction: 'host->device' | 'device->host'): void => {
    from.peer = to;
    from.send = (chunk) => {
      const chunks = manipulator ? manipulator(chunk, direction) : [chunk];
      queueMicrotask(() => {
        for (const c of chunks) to.receive(c);
      });
    };
  };
  wire(host, device, 'host->device');
  wire(device, host, 'device->host');
  return {
    host,
    device,
    setManipulator(fn) {
      manipulator = fn;
    },
    disconnect() {
      host.end(new DisconnectedError(`SLCAN adapter ${path} went away (simulated unplug)`));
      device.end(new DisconnectedError(`${path} went away (simulated unplug)`));
    },
  };
}
