import { FrameError } from '../../core/errors';

/** Largest 11-bit and 29-bit identifiers. */
export const MAX_STD_ID = 0x7ff;
export const MAX_EXT_ID = 0x1fffffff;
/** Valid CAN FD payload lengths (classic CAN uses 0..8). */
export const FD_LENGTHS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64] as const;

/**
 * One CAN frame. Classic CAN today; `fd` is reserved so CAN FD (up to 64 bytes) can be added without a new type.
 *
 * Contract: a frame handed to `CanBus.send` is copied by the medium, so the caller may reuse it. Frames handed to
 * receivers are their own copies. `timestamp` is milliseconds on the receiving bus's clock (epoch ms in real time).
 */
export interface CanFrame {
  /** Identifier: 0..0x7FF standard, 0..0x1FFFFFFF extended. For error frames, the error class bits. */
  id: number;
  /** 29-bit identifier. */
  extended: boolean;
  /** Remote transmission request: no data, `dlc` says the requested length. */
  rtr?: boolean;
  /** Error frame (SocketCAN CAN_ERR_FLAG): `id` holds the error class, `data` the details. */
  error?: boolean;
  /** CAN FD frame (reserved; media that cannot carry FD reject it). */
  fd?: boolean;
  /** Data length code for RTR frames (requested length); for data frames it equals `data.length`. */
  dlc?: number;
  data: Uint8Array;
  /** Milliseconds, on the receiving bus's clock. */
  timestamp?: number;
  /** Channel the frame was received on. */
  channel?: string;
}

/** Build a frame, validating it. Extended is inferred from the id when not given (ids above 0x7FF). */
export function makeFrame(
  id: number,
  data: ArrayLike<number> = [],
  options: { extended?: boolean; rtr?: boolean; dlc?: number; error?: boolean; fd?: boolean } = {},
): CanFrame {
  const frame: CanFrame = {
    id,
    extended: options.extended ?? id > MAX_STD_ID,
    data: Uint8Array.from(data),
  };
  if (options.rtr) frame.rtr = true;
  if (options.error) frame.error = true;
  if (options.fd) frame.fd = true;
  if (options.dlc !== undefined) frame.dlc = options.dlc;
  validateFrame(frame);
  return frame;
}

/** Throws `FrameError` saying what is wrong with a frame. */
export function validateFrame(frame: CanFrame): void {
  const { id } = frame;
  if (!Number.isInteger(id) || id < 0) throw new FrameError(`CAN id ${String(id)} is not a non-negative integer`);
  if (!frame.error) {
    const max = frame.extended ? MAX_EXT_ID : MAX_STD_ID;
    if (id > max) {
      throw new FrameError(
        `CAN id 0x${id.toString(16)} does not fit ${frame.extended ? '29' : '11'} bits` +
          (frame.extended ? '' : ' (use an extended frame)'),
      );
    }
  }
  if (!(frame.data instanceof Uint8Array)) throw new FrameError('CAN frame data must be a Uint8Array');
  const len = frame.data.length;
  if (frame.fd) {
    if (!(FD_LENGTHS as readonly number[]).includes(len)) throw new FrameError(`CAN FD length ${len} is not valid`);
    if (frame.rtr) throw new FrameError('CAN FD has no remote frames');
  } else if (len > 8) {
    throw new FrameError(`CAN frame has ${len} data bytes; classic CAN carries at most 8`);
  }
  if (frame.rtr) {
    if (len !== 0) throw new FrameError('an RTR frame carries no data');
    const dlc = frame.dlc ?? 0;
    if (!Number.isInteger(dlc) || dlc < 0 || dlc > 8) throw new FrameError(`RTR dlc ${dlc} is not 0..8`);
  }
}

/** Data length code a frame puts on the wire. */
export function frameDlc(frame: CanFrame): number {
  return frame.rtr ? (frame.dlc ?? 0) : frame.data.length;
}

/**
 * A deep copy (new data buffer; or `data`, for a receiver that may keep the payload: zero-copy delivery). Every copy
 * has the same set of fields (absent ones `undefined`), so V8 keeps one object shape for frames on hot paths;
 * adding or deleting fields later would make them slow dictionary objects.
 */
export function copyFrame(frame: Readonly<CanFrame>, data: Uint8Array = new Uint8Array(frame.data)): CanFrame {
  return {
    id: frame.id,
    extended: frame.extended,
    rtr: frame.rtr,
    error: frame.error,
    fd: frame.fd,
    dlc: frame.dlc,
    data,
    timestamp: frame.timestamp,
    channel: frame.channel,
  };
}

/** A copy for transmission: like `copyFrame` without the receive stamps (timestamp, channel). */
export function txCopy(frame: CanFrame): CanFrame {
  const copy = copyFrame(frame);
  copy.timestamp = undefined;
  copy.channel = undefined;
  return copy;
}

/** Id as candump writes it: 3 hex digits standard, 8 extended, upper case. */
export function formatId(id: number, extended: boolean): string {
  return id.toString(16).toUpperCase().padStart(extended ? 8 : 3, '0');
}

const HEX_BYTE = Array.from({ length: 256 }, (_v, b) => b.toString(16).toUpperCase().padStart(2, '0'));

/** Data as upper-case hex without separators. */
export function hexData(data: Uint8Array): string {
  let s = '';
  for (let i = 0; i < data.length; i++) s += HEX_BYTE[data[i]!]!;
  return s;
}

/** `123#DEADBEEF`, `12345678#`, `123#R4` (candump compact form). */
export function formatFrame(frame: CanFrame): string {
  const id = formatId(frame.id, frame.extended);
  if (frame.rtr) return `${id}#R${frame.dlc ? frame.dlc : ''}`;
  return `${id}#${hexData(frame.data)}`;
}

/** Equal id, kind and payload (timestamps and channel ignored). */
export function framesEqual(a: CanFrame, b: CanFrame): boolean {
  if (a.id !== b.id || a.extended !== b.extended || !!a.rtr !== !!b.rtr || !!a.error !== !!b.error) return false;
  if (a.rtr) return (a.dlc ?? 0) === (b.dlc ?? 0);
  if (a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}
