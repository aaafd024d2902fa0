import { MAX_EXT_ID, MAX_STD_ID, formatId, hexData, type CanFrame } from '../frame';

/** Default TCP port of socketcand. */
export const DEFAULT_SOCKETCAND_PORT = 29536;
/** Longest bus name `< open >` accepts (socketcand: 16 characters). */
export const MAX_BUS_NAME_LENGTH = 16;

/**
 * One socketcand message, either direction (PROTOCOLS.md "socketcand"; linux-can/socketcand doc/protocol.md).
 * Frames carry `extended` as the id was written: 8 hex digits, or a value above 0x7FF, is extended.
 */
export type SocketcandMessage =
  | { kind: 'hi' }
  | { kind: 'ok' }
  | { kind: 'echo' }
  | { kind: 'open'; bus: string }
  | { kind: 'rawmode' }
  | { kind: 'bcmmode' }
  | { kind: 'controlmode' }
  | { kind: 'isotpmode' }
  /** `< send id dlc data* >` or `< sendrtr id dlc >` (then `frame.rtr`). */
  | { kind: 'send'; frame: CanFrame }
  /** `< frame id secs.usecs data >`, `< rtr id secs.usecs dlc >` or an error frame `< error class secs.usecs >`. */
  | { kind: 'frame'; frame: CanFrame; seconds: number }
  /** `< error text >` from a server (not an error frame). */
  | { kind: 'error'; text: string }
  /** BCM `< add secs usecs id dlc data* >`: cyclic job (interval 0: send once). */
  | { kind: 'add'; intervalUs: number; frame: CanFrame }
  /** BCM `< update id dlc data* >`: new payload for a job, timers untouched. */
  | { kind: 'update'; frame: CanFrame }
  /** BCM `< delete id >`. */
  | { kind: 'delete'; id: number; extended: boolean }
  /** BCM `< subscribe secs usecs id >`: deliver frames with this id, at most one per interval (0: all). */
  | { kind: 'subscribe'; intervalUs: number; id: number; extended: boolean }
  /** BCM `< unsubscribe id >`. */
  | { kind: 'unsubscribe'; id: number; extended: boolean }
  /** Control mode `< statistics ms >` (0 stops). */
  | { kind: 'statistics'; intervalMs: number }
  /** `< stat rbytes rpackets tbytes tpackets >`. */
  | { kind: 'stat'; rbytes: number; rpackets: number; tbytes: number; tpackets: number }
  /** A command this implementation knows of but does not serve (`filter`, `muxfilter`, ISO-TP...). */
  | { kind: 'unsupported'; verb: string };

export type ParseResult = { ok: true; message: SocketcandMessage } | { ok: false; reason: string };

const BARE = new Set(['hi', 'ok', 'echo', 'rawmode', 'bcmmode', 'controlmode', 'isotpmode']);
const UNSUPPORTED = new Set(['filter', 'muxfilter', 'isotpconf', 'sendpdu', 'pdu', 'fdsend', 'fdframe']);

class Bad extends Error {}

/**
 * Parse the text inside one `< ... >` (as the tokenizer hands it over, without the brackets). Never throws: a
 * message that breaks the protocol comes back as `{ ok: false, reason }`, the reason naming the token at fault.
 * Data bytes are accepted as separate hex tokens (`11 22 3`, one or two digits each) or run together (`112203`).
 */
export function parseMessage(text: string): ParseResult {
  const t = splitTokens(text);
  if (t.length === 0) return { ok: false, reason: 'empty message' };
  const verb = t[0]!;
  const args = t.slice(1);
  try {
    return { ok: true, message: parseVerb(verb, args) };
  } catch (err) {
    if (err instanceof Bad) return { ok: false, reason: `${verb}: ${err.message}` };
    throw err;
  }
}

function parseVerb(verb: string, a: string[]): SocketcandMessage {
  if (BARE.has(verb)) {
    if (a.length > 0) throw new Bad(`unexpected arguments '${short(a.join(' '))}'`);
    return { kind: verb } as SocketcandMessage;
  }
  if (UNSUPPORTED.has(verb)) return { kind: 'unsupported', verb };
  switch (verb) {
    case 'open': {
      if (a.length !== 1) throw new Bad(a.length === 0 ? 'no bus name' : 'bus name must be one word');
      return { kind: 'open', bus: a[0]! };
    }
    case 'send': {
      need(a, 2);
      const { id, extended } = parseId(a[0]!);
      const dlc = parseDlc(a[1]!);
      const data = parseData(a.slice(2), dlc);
      return { kind: 'send', frame: { id, extended, data } };
    }
    case 'sendrtr': {
      exactly(a, 2);
      const { id, extended } = parseId(a[0]!);
      return { kind: 'send', frame: rtrFrame(id, extended, parseDlc(a[1]!)) };
    }
    case 'frame': {
      need(a, 2);
      const { id, extended } = parseId(a[0]!);
      const seconds = parseSeconds(a[1]!);
      return { kind: 'frame', seconds, frame: { id, extended, data: parseData(a.slice(2)) } };
    }
    case 'rtr': {
      exactly(a, 3);
      const { id, extended } = parseId(a[0]!);
      const seconds = parseSeconds(a[1]!);
      return { kind: 'frame', seconds, frame: rtrFrame(id, extended, parseDlc(a[2]!)) };
    }
    case 'error': {
      // socketcand writes error frames as `< error %03X secs.usecs >`; anything else is an error text.
      if (a.length === 2 && /^[0-9a-f]{1,8}$/i.test(a[0]!) && /^\d+\.\d+$/.test(a[1]!)) {
        const id = parseInt(a[0]!, 16);
        if (id <= MAX_EXT_ID) {
          return { kind: 'frame', seconds: Number(a[1]), frame: { id, extended: false, error: true, data: new Uint8Array(0) } };
        }
      }
      return { kind: 'error', text: a.join(' ') };
    }
    case 'add': {
      need(a, 4);
      const intervalUs = parseInterval(a[0]!, a[1]!);
      const { id, extended } = parseId(a[2]!);
      const dlc = parseDlc(a[3]!);
      return { kind: 'add', intervalUs, frame: { id, extended, data: parseData(a.slice(4), dlc) } };
    }
    case 'update': {
      need(a, 2);
      const { id, extended } = parseId(a[0]!);
      const dlc = parseDlc(a[1]!);
      return { kind: 'update', frame: { id, extended, data: parseData(a.slice(2), dlc) } };
    }
    case 'delete':
    case 'unsubscribe': {
      exactly(a, 1);
      return { kind: verb, ...parseId(a[0]!) };
    }
    case 'subscribe': {
      exactly(a, 3);
      return { kind: 'subscribe', intervalUs: parseInterval(a[0]!, a[1]!), ...parseId(a[2]!) };
    }
    case 'statistics': {
      exactly(a, 1);
      return { kind: 'statistics', intervalMs: parseUint(a[0]!, 'interval') };
    }
    case 'stat': {
      exactly(a, 4);
      const [rbytes, rpackets, tbytes, tpackets] = a.map((x) => parseUint(x, 'counter')) as [number, number, number, number];
      return { kind: 'stat', rbytes, rpackets, tbytes, tpackets };
    }
    default:
      throw new Bad('unknown command');
  }
}

function rtrFrame(id: number, extended: boolean, dlc: number): CanFrame {
  return { id, extended, rtr: true, dlc, data: new Uint8Array(0) };
}

function need(a: string[], n: number): void {
  if (a.length < n) throw new Bad(`needs at least ${n} arguments, got ${a.length}`);
}

function exactly(a: string[], n: number): void {
  if (a.length !== n) throw new Bad(`needs ${n} arguments, got ${a.length}`);
}

function short(s: string): string {
  return s.length > 24 ? `${s.slice(0, 24)}...` : s;
}

/** Hex id; 8 digits or a value above 0x7FF is extended (socketcand's own rule is "8 digits"). */
export function parseId(tok: string): { id: number; extended: boolean } {
  const id = tok.length <= 8 ? hexValue(tok) : -1;
  if (id < 0) throw new Bad(`id '${short(tok)}' is not 1-8 hex digits`);
  if (id > MAX_EXT_ID) throw new Bad(`id ${tok} does not fit 29 bits`);
  return { id, extended: tok.length === 8 || id > MAX_STD_ID };
}

/** Split on blanks (space, tab, CR, LF) without a regex: this is the hot path of a busy hub. */
function splitTokens(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) {
      if (start >= 0) {
        out.push(text.slice(start, i));
        start = -1;
      }
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) out.push(text.slice(start));
  return out;
}

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Value of a non-empty hex string of at most 13 digits, or -1. */
function hexValue(tok: string, from = 0, to = tok.length): number {
  if (to <= from || to - from > 13) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = hexDigit(tok.charCodeAt(i));
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

function parseDlc(tok: string): number {
  if (!/^[0-8]$/.test(tok)) throw new Bad(`dlc '${short(tok)}' is not 0..8`);
  return Number(tok);
}

function parseUint(tok: string, what: string): number {
  if (!/^\d{1,15}$/.test(tok)) throw new Bad(`${what} '${short(tok)}' is not a non-negative integer`);
  return Number(tok);
}

function parseInterval(secs: string, usecs: string): number {
  return parseUint(secs, 'seconds') * 1e6 + parseUint(usecs, 'microseconds');
}

function parseSeconds(tok: string): number {
  if (!/^\d{1,15}(\.\d{1,9})?$/.test(tok)) throw new Bad(`timestamp '${short(tok)}' is not secs.usecs`);
  return Number(tok);
}

/**
 * Data bytes: every token of one or two hex digits is one byte (`1 F1`); otherwise tokens of an even number of
 * digits are bytes run together (`11223344`, `1122 3344`). With `dlc`, the byte count must match it.
 */
export function parseData(tokens: string[], dlc?: number): Uint8Array {
  let separate = true;
  let digits = 0;
  for (const tok of tokens) {
    if (!isHex(tok)) throw new Bad(`data '${short(tok)}' is not hex`);
    if (tok.length > 2) separate = false;
    digits += tok.length;
  }
  let bytes: Uint8Array;
  if (separate) {
    bytes = new Uint8Array(tokens.length > 8 ? 9 : tokens.length);
    for (let i = 0; i < bytes.length; i++) bytes[i] = hexValue(tokens[i]!);
    if (tokens.length > 8) throw new Bad(`${tokens.length} data bytes; classic CAN carries at most 8`);
  } else {
    for (const tok of tokens) {
      if (tok.length % 2 !== 0) throw new Bad(`data '${short(tok)}' has an odd number of hex digits`);
    }
    if (digits > 16) throw new Bad(`${digits / 2} data bytes; classic CAN carries at most 8`);
    bytes = new Uint8Array(digits / 2);
    let k = 0;
    for (const tok of tokens) for (let i = 0; i < tok.length; i += 2) bytes[k++] = hexValue(tok, i, i + 2);
  }
  if (dlc !== undefined && bytes.length !== dlc) throw new Bad(`dlc ${dlc} but ${bytes.length} data bytes`);
  return bytes;
}

function isHex(tok: string): boolean {
  for (let i = 0; i < tok.length; i++) if (hexDigit(tok.charCodeAt(i)) < 0) return false;
  return tok.length > 0;
}

/** `secs.usecs` for a time in ms (six digits of microseconds, as socketcand prints them). */
export function formatSeconds(ms: number): string {
  let secs = Math.floor(ms / 1000);
  let usecs = Math.round((ms - secs * 1000) * 1000);
  if (usecs >= 1_000_000) {
    secs += 1;
    usecs -= 1_000_000;
  }
  return `${secs}.${String(usecs).padStart(6, '0')}`;
}

/**
 * What a server sends in raw mode for one bus frame at `ms`: `< frame ID secs.usecs DATA >` with the data run
 * together as socketcand prints it (python-can 4.1 reads only this form; an empty payload leaves two spaces),
 * `< rtr ID secs.usecs dlc >`, or `< error CLASS secs.usecs >`.
 */
export function formatFrameMessage(frame: CanFrame, ms: number): string {
  const ts = formatSeconds(ms);
  if (frame.error) return `< error ${formatId(frame.id & MAX_EXT_ID, false)} ${ts} >`;
  const id = formatId(frame.id, frame.extended);
  if (frame.rtr) return `< rtr ${id} ${ts} ${frame.dlc ?? 0} >`;
  return `< frame ${id} ${ts} ${hexData(frame.data)} >`;
}

/** `< send ID DLC b b ... >` (data as separate tokens, as in the protocol doc) or `< sendrtr ID DLC >`. */
export function formatSendMessage(frame: CanFrame): string {
  const id = formatId(frame.id, frame.extended);
  if (frame.rtr) return `< sendrtr ${id} ${frame.dlc ?? 0} >`;
  return `< send ${id} ${frame.data.length}${dataTokens(frame.data)} >`;
}

/** BCM `< add secs usecs ID DLC b ... >`. */
export function formatAddMessage(frame: CanFrame, intervalUs: number): string {
  const secs = Math.floor(intervalUs / 1e6);
  const usecs = Math.round(intervalUs - secs * 1e6);
  return `< add ${secs} ${usecs} ${formatId(frame.id, frame.extended)} ${frame.data.length}${dataTokens(frame.data)} >`;
}

/** BCM `< update ID DLC b ... >`. */
export function formatUpdateMessage(frame: CanFrame): string {
  return `< update ${formatId(frame.id, frame.extended)} ${frame.data.length}${dataTokens(frame.data)} >`;
}

/** `< error text >`, with brackets removed from the text so it cannot break framing. */
export function formatErrorMessage(text: string): string {
  return `< error ${text.replace(/[<>\r\n]/g, ' ').trim()} >`;
}

/** `< stat rbytes rpackets tbytes tpackets >`. */
export function formatStatMessage(s: { rbytes: number; rpackets: number; tbytes: number; tpackets: number }): string {
  return `< stat ${s.rbytes} ${s.rpackets} ${s.tbytes} ${s.tpackets} >`;
}

function dataTokens(data: Uint8Array): string {
  let s = '';
  for (const b of data) s += ` ${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return s;
}
