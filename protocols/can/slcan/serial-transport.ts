/**
 * The byte stream an SLCAN medium talks through (STYLE.md point 4: inject the transport, ship the mock). The real
 * one is {@link openSerialPort} (node-serialport); tests use {@link createSerialPipe} from `memory-serial.ts`.
 */
export interface SerialTransport {
  /** Device path or a name for messages. */
  readonly path: string;
  /** True until closed or disconnected. */
  readonly isOpen: boolean;
  /**
   * Write bytes. Resolves once the bytes were handed to the device (in order with earlier writes). Rejects with
   * `DisconnectedError` if the device vanished and `ClosedError` after `close()`.
   */
  write(data: Uint8Array | string): Promise<void>;
  /** Receive bytes as they arrive, in order. One listener; a later call replaces it. */
  onData(listener: (chunk: Uint8Array) => void): void;
  /**
   * Called once when the transport ends: with no argument after our own `close()`, with a `DisconnectedError`
   * when the device went away (unplugged, pty master closed). One listener; a later call replaces it.
   */
  onClose(listener: (err?: Error) => void): void;
  /** Close the device. Idempotent, never throws. */
  close(): Promise<void>;
  /** What could not be set up as asked at open (a port that refused low-latency mode), one line each, if any. */
  readonly notes?: readonly string[];
}

/** Serial line settings. */
export interface SerialOpenOptions {
  /** Serial speed (ignored by USB CDC adapters and ptys, but set anyway). Default 115200. */
  baudRate?: number;
  /**
   * Linux: put the port in low-latency mode (default true): an adapter behind an FTDI USB-serial chip then hands
   * received bytes over after 1 ms instead of 16 (`protocols/serial/low-latency.ts`; USB CDC adapters have no timer).
   * A port that refuses keeps working, with a line in the transport's `notes`.
   */
  lowLatency?: boolean;
}

/**
 * Opens a transport. Rejects with `InterfaceNotAvailableError` when the device does not exist and `OperationError`
 * when it exists but cannot be opened (permissions, busy); both name the path.
 */
export type SerialOpener = (path: string, options?: SerialOpenOptions) => Promise<SerialTransport>;
