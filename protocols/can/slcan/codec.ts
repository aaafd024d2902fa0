import { ConfigError, DecodeError, EncodeError } from '../../../core/errors';
import { MAX_EXT_ID, MAX_STD_ID, type CanFrame } from '../frame';

/**
 * The SLCAN (Lawicel ASCII) line codec: frames and commands as text lines, without their CR terminator.
 * Pure functions; streaming (splitting bytes into lines) lives in `line-splitter.ts`.
 */

/** Command reply terminators. */
export const CR = '\r';
export const BEL = '\x07';

/** Adapter timestamps count milliseconds and wrap here (Lawicel `Z1`). */
export const TIMESTAMP_WRAP_MS = 60000;

/** `Sn` codes and their bitrates (PROTOCOLS.md). S7 is 800k on Lawicel adapters; python-can calls it 750k. */
export const SLCAN_BITRATES: readonly { code: number; bitrate: number; aliases: readonly number[] }[] = [
  { code: 0, bitrate: 10000, aliases: [] },
  { code: 1, bitrate: 20000, aliases: [] },
  { code: 2, bitrate: 50000, aliases: [] },
  { code: 3, bitrate: 100000, aliases: [] },
  { code: 4, bitrate: 125000, aliases: [] },
  { code: 5, bitrate: 250000, aliases: [] },
  { code: 6, bitrate: 500000, aliases: [] },
  { code: 7, bitrate: 800000, aliases: [750000] },
  { code: 8, bitrate: 1000000, aliases: [] },
  { code: 9, bitrate: 83333, aliases: [83300] },
];

/** The `Sn` code for a bitrate in bit/s. Throws `ConfigError` listing the valid bitrates. */
export function bitrateCode(bitrate: number): number {
  const hit = SLCAN_BITRATES.find((b) => b.bitrate === bitrate || b.aliases.includes(bitrate));
  if (!hit) {
    const valid = SLCAN_BITRATES.map((b) => [b.bitrate, ...b.aliases].join('/')).join(', ');
    throw new ConfigError(`SLCAN has no bitrate ${bitrate} bit/s (valid: ${valid})`);
  }
  return hit.code;
}

/** Bitrate in bit/s of an `Sn` code, or undefined for an unknown code. */
export function bitrateOf(code: number): number | undefined {
  return SLCAN_BITRATES.find((b) => b.code === code)?.bitrate;
}

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}

/**
 * One frame as an SLCAN line (`t1232AABB`, `T1234567880102030405060708`, `r1238`, `R000001230`), optionally with a
 * 4-digit timestamp (ms, taken modulo 60000) as adapters append with `Z1`. Throws `EncodeError` for frames SLCAN
 * cannot carry (error frames, CAN FD) or that are not valid.
 */
export function encodeFrame(frame: CanFrame, timestampMs?: number): string {
  if (frame.error) throw new EncodeError('SLCAN cannot carry error frames');
  if (frame.fd) throw new EncodeError('SLCAN (Lawicel) cannot carry CAN FD frames');
  const max = frame.extended ? MAX_EXT_ID : MAX_STD_ID;
  if (!Number.isInteger(frame.id) || frame.id < 0 || frame.id > max) {
    throw new EncodeError(`CAN id ${String(frame.id)} does not fit an ${frame.extended ? 'extended' : 'standard'} SLCAN frame`);
  }
  let line: string;
  if (frame.rtr) {
    const dlc = frame.dlc ?? 0;
    if (!Number.isInteger(dlc) || dlc < 0 || dlc > 8) throw new EncodeError(`RTR dlc ${dlc} is not 0..8`);
    line = (frame.extended ? 'R' : 'r') + hex(frame.id, frame.extended ? 8 : 3) + String(dlc);
  } else {
    if (frame.data.length > 8) throw new EncodeError(`SLCAN frames carry at most 8 bytes, not ${frame.data.length}`);
    line = (frame.extended ? 'T' : 't') + hex(frame.id, frame.extended ? 8 : 3) + String(frame.data.length);
    for (const b of frame.data) line += hex(b, 2);
  }
  if (timestampMs !== undefined) {
    if (!Number.isFinite(timestampMs)) throw new EncodeError(`timestamp ${timestampMs} is not a finite number`);
    line += hex(((Math.floor(timestampMs) % TIMESTAMP_WRAP_MS) + TIMESTAMP_WRAP_MS) % TIMESTAMP_WRAP_MS, 4);
  }
  return line;
}

/** A decoded frame line. */
export interface DecodedFrame {
  frame: CanFrame;
  /** Adapter timestamp (ms, 0..59999) when the line carried one. */
  timestamp?: number;
}

const HEX = /^[0-9A-Fa-f]*$/;

/** True for lines that claim to be frames (`t`, `T`, `r`, `R` followed by something). */
export function isFrameLine(line: string): boolean {
  const c = line.charCodeAt(0);
  return line.length > 1 && (c === 0x74 || c === 0x54 || c === 0x72 || c === 0x52); // t T r R
}

/**
 * Parse a `t`/`T`/`r`/`R` line (without CR), with an optional trailing 4-digit timestamp. Throws `DecodeError`
 * saying what is wrong (bad hex, id out of range, length mismatch).
 */
export function decodeFrame(line: string): DecodedFrame {
  const kind = line[0];
  const extended = kind === 'T' || kind === 'R';
  const rtr = kind === 'r' || kind === 'R';
  if (kind !== 't' && kind !== 'T' && kind !== 'r' && kind !== 'R') {
    throw new DecodeError(`'${printable(line)}' is not an SLCAN frame (must start with t, T, r or R)`);
  }
  const idLen = extended ? 8 : 3;
  if (line.length < 2 + idLen) throw new DecodeError(`SLCAN frame '${printable(line)}' is too short`);
  if (!HEX.test(line.slice(1))) throw new DecodeError(`SLCAN frame '${printable(line)}' has non-hex characters`);
  const id = parseInt(line.slice(1, 1 + idLen), 16);
  if (id > (extended ? MAX_EXT_ID : MAX_STD_ID)) {
    throw new DecodeError(`SLCAN frame '${printable(line)}': id 0x${id.toString(16)} does not fit ${extended ? 29 : 11} bits`);
  }
  const dlcChar = line[1 + idLen]!;
  const dlc = parseInt(dlcChar, 16);
  if (dlc > 8) throw new DecodeError(`SLCAN frame '${printable(line)}': length ${dlcChar} is not 0..8`);
  const bodyStart = 2 + idLen;
  const dataChars = rtr ? 0 : dlc * 2;
  const rest = line.length - bodyStart - dataChars;
  if (rest !== 0 && rest !== 4) {
    throw new DecodeError(
      `SLCAN frame '${printable(line)}': ${line.length - bodyStart} characters after the length, expected ${dataChars}` +
        ` (or ${dataChars + 4} with a timestamp)`,
    );
  }
  const data = new Uint8Array(dataChars / 2);
  for (let i = 0; i < data.length; i++) data[i] = parseInt(line.slice(bodyStart + 2 * i, bodyStart + 2 * i + 2), 16);
  const frame: CanFrame = { id, extended, data };
  if (rtr) {
    frame.rtr = true;
    frame.dlc = dlc;
  }
  const out: DecodedFrame = { frame };
  if (rest === 4) {
    const ts = parseInt(line.slice(line.length - 4), 16);
    if (ts >= TIMESTAMP_WRAP_MS) throw new DecodeError(`SLCAN frame '${printable(line)}': timestamp ${ts} is not below 60000`);
    out.timestamp = ts;
  }
  return out;
}

/** A command a host sends to an adapter, parsed. */
export type SlcanCommand =
  | { kind: 'transmit'; frame: CanFrame }
  | { kind: 'bitrate'; code: number; bitrate: number }
  | { kind: 'btr'; btr0: number; btr1: number }
  | { kind: 'open' }
  | { kind: 'listen' }
  | { kind: 'close' }
  | { kind: 'version' }
  | { kind: 'serial' }
  | { kind: 'status' }
  | { kind: 'timestamps'; on: boolean }
  /** An empty line: hosts send a few to flush a half-typed command. */
  | { kind: 'empty' };

/** Parse one command line (without CR). Throws `DecodeError` for unknown or malformed commands. */
export function parseCommand(line: string): SlcanCommand {
  if (line === '') return { kind: 'empty' };
  const c = line[0];
  const arg = line.slice(1);
  switch (c) {
    case 't':
    case 'T':
    case 'r':
    case 'R': {
      const { frame, timestamp } = decodeFrame(line);
      if (timestamp !== undefined) throw new DecodeError(`transmit command '${printable(line)}' has trailing characters`);
      return { kind: 'transmit', frame };
    }
    case 'S': {
      if (!/^[0-9]$/.test(arg)) throw new DecodeError(`bitrate command '${printable(line)}' must be S0..S9`);
      const code = Number(arg);
      return { kind: 'bitrate', code, bitrate: bitrateOf(code)! };
    }
    case 's':
      if (!/^[0-9A-Fa-f]{4}$/.test(arg)) throw new DecodeError(`BTR command '${printable(line)}' must be sXXYY`);
      return { kind: 'btr', btr0: parseInt(arg.slice(0, 2), 16), btr1: parseInt(arg.slice(2), 16) };
    case 'Z':
      if (arg !== '0' && arg !== '1') throw new DecodeError(`timestamp command '${printable(line)}' must be Z0 or Z1`);
      return { kind: 'timestamps', on: arg === '1' };
  }
  const simple: Record<string, SlcanCommand> = {
    O: { kind: 'open' },
    L: { kind: 'listen' },
    C: { kind: 'close' },
    V: { kind: 'version' },
    N: { kind: 'serial' },
    F: { kind: 'status' },
  };
  const cmd = c !== undefined ? simple[c] : undefined;
  if (cmd && arg === '') return cmd;
  if (cmd) throw new DecodeError(`command '${printable(line)}' takes no argument`);
  throw new DecodeError(`unknown SLCAN command '${printable(line)}'`);
}

/** The text of a command, without CR (the host side's encoder). */
export function formatCommand(cmd: SlcanCommand): string {
  switch (cmd.kind) {
    case 'transmit':
      return encodeFrame(cmd.frame);
    case 'bitrate':
      return `S${cmd.code}`;
    case 'btr':
      return `s${hex(cmd.btr0, 2)}${hex(cmd.btr1, 2)}`;
    case 'open':
      return 'O';
    case 'listen':
      return 'L';
    case 'close':
      return 'C';
    case 'version':
      return 'V';
    case 'serial':
      return 'N';
    case 'status':
      return 'F';
    case 'timestamps':
      return cmd.on ? 'Z1' : 'Z0';
    case 'empty':
      return '';
  }
}

/** `Vhhss` reply: hardware and software version, two decimal digits each. */
export function formatVersion(hardware: number, software: number): string {
  const two = (n: number): string => {
    if (!Number.isInteger(n) || n < 0 || n > 99) throw new EncodeError(`version ${n} is not 0..99`);
    return String(n).padStart(2, '0');
  };
  return `V${two(hardware)}${two(software)}`;
}

/** `Nxxxx` reply: four alphanumeric characters. */
export function formatSerial(serial: string): string {
  if (!/^[0-9A-Za-z]{4}$/.test(serial)) throw new EncodeError(`SLCAN serial '${serial}' must be 4 letters or digits`);
  return `N${serial}`;
}

/** `Fxx` reply: status flags as two hex digits (bit 3 data overrun, bit 0/1 receive/transmit FIFO full...). */
export function formatStatus(flags: number): string {
  return `F${hex(flags & 0xff, 2)}`;
}

/** Status flag bits of the `F` reply (Lawicel). */
export const STATUS_FLAGS = {
  rxFifoFull: 0x01,
  txFifoFull: 0x02,
  errorWarning: 0x04,
  dataOverrun: 0x08,
  errorPassive: 0x20,
  arbitrationLost: 0x40,
  busError: 0x80,
} as const;

/** A line shown in a message: control characters escaped, cut to 40 characters. */
export function printable(line: string): string {
  const s = line.length > 40 ? `${line.slice(0, 40)}...` : line;
  return s.replace(/[\x00-\x1f\x7f-\uffff]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Turns 4-digit adapter timestamps (ms modulo 60000) into times on the host clock: the first frame anchors at the
 * host's `now`, later ones advance by the adapter's own delta. Gaps longer than a wrap are recovered from the host
 * clock's elapsed time (whole wraps only), so adapter precision is kept and a minute of silence is not lost.
 */
export class TimestampUnwrapper {
  private last: { adapter: number; host: number; time: number } | undefined;

  /** Host time (ms) of a frame stamped `adapterMs` by the adapter and received at host time `hostNow`. */
  unwrap(adapterMs: number, hostNow: number): number {
    const last = this.last;
    let time: number;
    if (!last) {
      time = hostNow;
    } else {
      const delta = (adapterMs - last.adapter + TIMESTAMP_WRAP_MS) % TIMESTAMP_WRAP_MS;
      const wraps = Math.max(0, Math.round((hostNow - last.host - delta) / TIMESTAMP_WRAP_MS));
      time = last.time + delta + wraps * TIMESTAMP_WRAP_MS;
    }
    this.last = { adapter: adapterMs, host: hostNow, time };
    return time;
  }

  /** Forget the anchor (after the channel was closed and opened again). */
  reset(): void {
    this.last = undefined;
  }
}
