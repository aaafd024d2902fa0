/**
 * MBAP framing (Modbus Messaging on TCP/IP Implementation Guide v1.0b): a 7-byte header (transaction id,
 * protocol id 0, length = unit id + PDU bytes, unit id) before each PDU. A stream splitter that copes with ADUs
 * split across TCP segments and several ADUs per segment, and drops bad ones with a reason.
 */

export const MBAP_HEADER = 7;
/** Largest ADU on TCP: 7-byte header + 253-byte PDU. */
export const MAX_TCP_ADU = 260;

export interface MbapFrame {
  transactionId: number;
  unitId: number;
  /** A view into the receive buffer: valid only during the callback; copy it to keep it. */
  pdu: Uint8Array;
}

/** Why bytes were dropped. 'oversize' means the stream cannot be trusted any more: close the connection. */
export type MbapDrop =
  | { reason: 'bad-protocol-id'; bytes: number; protocolId: number }
  | { reason: 'bad-length'; bytes: number; length: number }
  | { reason: 'oversize'; bytes: number; length: number };

/** Build an ADU from a PDU. */
export function encodeAdu(transactionId: number, unitId: number, pdu: Uint8Array): Buffer {
  const adu = Buffer.allocUnsafe(MBAP_HEADER + pdu.length);
  adu.writeUInt16BE(transactionId & 0xffff, 0);
  adu.writeUInt16BE(0, 2);
  adu.writeUInt16BE(pdu.length + 1, 4);
  adu[6] = unitId & 0xff;
  adu.set(pdu, MBAP_HEADER);
  return adu;
}

/**
 * Splits a TCP byte stream into MBAP frames.
 *
 * Contract: `push(chunk)` calls `onFrame` for every complete ADU in order, synchronously, and keeps an incomplete
 * tail for the next chunk. A frame with protocol id != 0 is skipped whole (its length is still trusted) and
 * reported; a length field < 2 (no unit id or no function code) drops the header plus what it claims; a length
 * field > 254 (ADU over 260 bytes) reports 'oversize', discards everything buffered, and returns false: the caller
 * should close the connection, since the stream has lost its framing.
 */
export class MbapSplitter {
  private pending: Buffer | undefined;

  constructor(
    private readonly onFrame: (f: MbapFrame) => void,
    private readonly onDrop: (d: MbapDrop) => void,
  ) {}

  /** Bytes buffered waiting for the rest of an ADU. */
  get buffered(): number {
    return this.pending?.length ?? 0;
  }

  /** Feed received bytes. Returns false after an oversize frame (close the connection). */
  push(chunk: Buffer): boolean {
    let buf = chunk;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let off = 0;
    const end = buf.length;
    while (end - off >= 6) {
      const length = (buf[off + 4]! << 8) | buf[off + 5]!;
      if (length > MAX_TCP_ADU - 6) {
        this.onDrop({ reason: 'oversize', bytes: end - off, length });
        return false;
      }
      const total = 6 + length;
      if (end - off < total) break;
      const protocolId = (buf[off + 2]! << 8) | buf[off + 3]!;
      if (protocolId !== 0) {
        this.onDrop({ reason: 'bad-protocol-id', bytes: total, protocolId });
      } else if (length < 2) {
        this.onDrop({ reason: 'bad-length', bytes: total, length });
      } else {
        this.onFrame({
          transactionId: (buf[off]! << 8) | buf[off + 1]!,
          unitId: buf[off + 6]!,
          pdu: buf.subarray(off + 7, off + total),
        });
      }
      off += total;
    }
    if (off < end) this.pending = Buffer.from(buf.subarray(off));
    return true;
  }

  reset(): void {
    this.pending = undefined;
  }
}
