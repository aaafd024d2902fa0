/**
 * The lock-step clock protocol (docs/lockstep.md): JSON lines on a stream socket the harness gives the controller as
 * file descriptor `HIL_LOCKSTEP_FD` (3). One object per line, `\n`-terminated, UTF-8; unknown fields are ignored so
 * either side can add some later.
 *
 * Harness -> controller: `{"type":"grant","now":T,"rx":N}` ("the time is T; I have sent you N bytes in all on your
 * data connections; read them, run what is due at T, then report") and `{"type":"end"}` (the session is over).
 * Controller -> harness: `{"type":"hello","protocol":1}` once, first; then one
 * `{"type":"done","wake":W|null,"rx":R,"tx":S,"conns":C,"ready":B}` per grant.
 */
import { ProtocolError } from '../../core/errors';

/** Version spoken here; a hello with another version is refused. */
export const LOCKSTEP_PROTOCOL = 1;

/** The environment variable naming the inherited channel's file descriptor. */
export const LOCKSTEP_FD_ENV = 'HIL_LOCKSTEP_FD';

/** The channel's file descriptor in the controller process. */
export const LOCKSTEP_FD = 3;

/** First line from the controller. */
export interface HelloMessage {
  type: 'hello';
  protocol: number;
  /** Optional, for logs. */
  name?: string;
}

/**
 * The controller's answer to a grant.
 * - `wake`: the harness time (ms) at which it next needs to run, or `null` for "only when bytes arrive".
 * - `rx`, `tx`: bytes read from and written to its data connections (CAN, Modbus) since it started, in all.
 * - `conns`: data connections it has opened (connected) since it started, in all.
 * - `ready`: it has finished starting (the harness starts the scenario's t=0 after the first `ready: true`).
 */
export interface DoneMessage {
  type: 'done';
  wake: number | null;
  rx: number;
  tx: number;
  conns: number;
  ready: boolean;
}

/** The harness's grant: the controller's time is `now` (ms, harness clock); `rx` bytes were sent to it in all. */
export interface GrantMessage {
  type: 'grant';
  now: number;
  rx: number;
}

export interface EndMessage {
  type: 'end';
}

export type ControllerMessage = HelloMessage | DoneMessage;
export type HarnessMessage = GrantMessage | EndMessage;

function count(v: unknown, what: string, line: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ProtocolError(`lock step: '${what}' must be a whole number >= 0 in ${excerpt(line)}`);
  return v;
}

function excerpt(line: string): string {
  return `'${line.length > 120 ? `${line.slice(0, 120)}...` : line}'`;
}

function object(line: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new ProtocolError(`lock step: not a JSON line: ${excerpt(line)}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ProtocolError(`lock step: not a JSON object: ${excerpt(line)}`);
  return v as Record<string, unknown>;
}

/** Parse one line from the controller. Throws `ProtocolError` naming what is wrong. */
export function parseControllerMessage(line: string): ControllerMessage {
  const o = object(line);
  if (o.type === 'hello') {
    if (o.protocol !== LOCKSTEP_PROTOCOL) throw new ProtocolError(`lock step: the controller speaks protocol ${JSON.stringify(o.protocol)}; this harness speaks ${LOCKSTEP_PROTOCOL}`);
    return { type: 'hello', protocol: LOCKSTEP_PROTOCOL, ...(typeof o.name === 'string' ? { name: o.name } : {}) };
  }
  if (o.type === 'done') {
    const wake = o.wake ?? null;
    if (wake !== null && (typeof wake !== 'number' || !Number.isFinite(wake))) throw new ProtocolError(`lock step: 'wake' must be a time in ms or null in ${excerpt(line)}`);
    return { type: 'done', wake, rx: count(o.rx, 'rx', line), tx: count(o.tx, 'tx', line), conns: count(o.conns ?? 0, 'conns', line), ready: o.ready === true };
  }
  throw new ProtocolError(`lock step: unknown message type ${JSON.stringify(o.type)} from the controller (hello or done expected): ${excerpt(line)}`);
}

/** Parse one line from the harness. Throws `ProtocolError`. */
export function parseHarnessMessage(line: string): HarnessMessage {
  const o = object(line);
  if (o.type === 'end') return { type: 'end' };
  if (o.type === 'grant') {
    if (typeof o.now !== 'number' || !Number.isFinite(o.now)) throw new ProtocolError(`lock step: 'now' must be a time in ms in ${excerpt(line)}`);
    return { type: 'grant', now: o.now, rx: count(o.rx, 'rx', line) };
  }
  throw new ProtocolError(`lock step: unknown message type ${JSON.stringify(o.type)} from the harness: ${excerpt(line)}`);
}

/** One message as its line (with the `\n`). */
export function encodeMessage(m: ControllerMessage | HarnessMessage): string {
  return `${JSON.stringify(m)}\n`;
}

/** Splits a byte stream into lines; refuses a line longer than `maxLine` bytes (a peer that is not speaking JSON lines). */
export class LineSplitter {
  private buf = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLine = 4096,
  ) {}

  push(chunk: Buffer | string): void {
    this.buf += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    for (;;) {
      const nl = this.buf.indexOf('\n');
      if (nl < 0) break;
      const line = this.buf.slice(0, nl).replace(/\r$/, '');
      this.buf = this.buf.slice(nl + 1);
      if (line.trim() !== '') this.onLine(line);
    }
    if (this.buf.length > this.maxLine) throw new ProtocolError(`lock step: a line of more than ${this.maxLine} bytes: ${excerpt(this.buf)}`);
  }
}
