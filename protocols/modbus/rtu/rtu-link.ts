/**
 * The byte transport under an RTU server or client (STYLE.md point 4): a serial port, a pseudo-terminal, or the
 * in-memory null modem (`rtu-null-modem.ts`) that unit tests use. The server never knows which.
 */
export interface RtuLink {
  /** Port path or a name, for logs. */
  readonly path: string;
  /** Line speed the timing (t3.5, wire time) is computed from. */
  readonly baudRate: number;
  /** Bits per character on the line (10 with no parity and one stop bit, 11 as the standard asks). */
  readonly bitsPerChar: number;
  readonly closed: boolean;
  /** What the link could not set up as asked (a port that refused low-latency mode), one line each, if any. */
  readonly notes?: readonly string[];
  /**
   * Set the one receiver of incoming bytes (replaces any earlier one). Chunks arrive in order; their boundaries
   * mean nothing (a frame may come in pieces, several frames in one chunk). A chunk may be a view into a buffer the
   * link reuses: it is valid during the call only, so copy what you keep. The receiver must not throw.
   */
  onData(listener: (chunk: Uint8Array) => void): void;
  /**
   * Called once when the link ends: with no argument after `close()`, with a `DisconnectedError` when the device
   * went away (USB adapter unplugged, pty peer gone).
   */
  onClose(listener: (err?: Error) => void): void;
  /**
   * Queue bytes for sending, in call order. Resolves when the bytes are handed to the line (the OS for a port);
   * rejects with `ClosedError` once closed, or an `OperationError` on an I/O error. The link copies what it keeps:
   * the caller may reuse `bytes` as soon as `write` returns (the server builds its replies in one buffer).
   */
  write(bytes: Uint8Array): Promise<void>;
  /** Resolves when everything written so far has left (tcdrain for a port). Used before timed gaps. */
  drain(): Promise<void>;
  /** Release the line. Idempotent; never throws; pending writes are rejected with `ClosedError`. */
  close(): Promise<void>;
}
