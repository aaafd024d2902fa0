import { validateFrame, type CanFrame } from '../frame';

/** LINKTYPE_CAN_SOCKETCAN (tcpdump.org link types): a SocketCAN `struct can_frame` / `canfd_frame`. */
export const LINKTYPE_CAN_SOCKETCAN = 227;
const MAGIC_US = 0xa1b2c3d4;
const MAGIC_NS = 0xa1b23c4d;
const CAN_EFF_FLAG = 0x80000000;
const CAN_RTR_FLAG = 0x40000000;
const CAN_ERR_FLAG = 0x20000000;
const CAN_EFF_MASK = 0x1fffffff;
const CAN_SFF_MASK = 0x7ff;
/** `canfd_frame.flags`: this is a CAN FD frame (Linux CANFD_FDF). */
const CANFD_FDF = 0x04;
export const PCAP_GLOBAL_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;

/** The 24-byte pcap global header (little-endian, microsecond timestamps, link type 227). */
export function pcapGlobalHeader(snaplen = 65535): Uint8Array {
  const b = Buffer.alloc(PCAP_GLOBAL_HEADER_LENGTH);
  b.writeUInt32LE(MAGIC_US, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeInt32LE(0, 8);
  b.writeUInt32LE(0, 12);
  b.writeUInt32LE(snaplen, 16);
  b.writeUInt32LE(LINKTYPE_CAN_SOCKETCAN, 20);
  return b;
}

/**
 * One pcap record for a frame: record header (timestamp from `frame.timestamp` ms, microsecond resolution) and the
 * SocketCAN frame: 4-byte id big-endian with EFF/RTR/ERR flags, length byte, flags byte (CANFD_FDF for FD),
 * 2 reserved bytes, data padded to 8 bytes (64 for CAN FD).
 */
export function pcapRecord(frame: CanFrame): Uint8Array {
  const dataLen = frame.fd ? 64 : 8;
  const len = 8 + dataLen;
  const b = Buffer.alloc(PCAP_RECORD_HEADER_LENGTH + len);
  const us = Math.round((frame.timestamp ?? 0) * 1000);
  const sec = Math.floor(us / 1e6);
  b.writeUInt32LE(sec >>> 0, 0);
  b.writeUInt32LE(us - sec * 1e6, 4);
  b.writeUInt32LE(len, 8);
  b.writeUInt32LE(len, 12);
  let canId = frame.id & (frame.extended || frame.error ? CAN_EFF_MASK : CAN_SFF_MASK);
  if (frame.extended && !frame.error) canId |= CAN_EFF_FLAG;
  if (frame.rtr) canId |= CAN_RTR_FLAG;
  if (frame.error) canId |= CAN_ERR_FLAG;
  const o = PCAP_RECORD_HEADER_LENGTH;
  b.writeUInt32BE(canId >>> 0, o);
  b[o + 4] = frame.rtr ? (frame.dlc ?? 0) : frame.data.length;
  b[o + 5] = frame.fd ? CANFD_FDF : 0;
  if (!frame.rtr) b.set(frame.data, o + 8);
  return b;
}

/** Byte order and timestamp resolution of a pcap file, from its global header. */
export interface PcapHeader {
  littleEndian: boolean;
  /** Divisor from the fraction field to seconds: 1e6 (microseconds) or 1e9 (nanoseconds). */
  fractionPerSecond: number;
  linkType: number;
}

/** Parse a pcap global header, or return why it is not one. */
export function parsePcapGlobalHeader(b: Buffer): PcapHeader | { error: string } {
  if (b.length < PCAP_GLOBAL_HEADER_LENGTH) return { error: 'file is shorter than a pcap header (24 bytes)' };
  const le = b.readUInt32LE(0);
  const be = b.readUInt32BE(0);
  let littleEndian: boolean;
  let fractionPerSecond: number;
  if (le === MAGIC_US || le === MAGIC_NS) {
    littleEndian = true;
    fractionPerSecond = le === MAGIC_US ? 1e6 : 1e9;
  } else if (be === MAGIC_US || be === MAGIC_NS) {
    littleEndian = false;
    fractionPerSecond = be === MAGIC_US ? 1e6 : 1e9;
  } else {
    return { error: `not a pcap file (magic 0x${be.toString(16)}; pcapng is not supported)` };
  }
  const linkType = littleEndian ? b.readUInt32LE(20) : b.readUInt32BE(20);
  return { littleEndian, fractionPerSecond, linkType };
}

/** Decode the SocketCAN payload of one record into a frame, or say why it cannot. */
export function parseSocketCanPacket(p: Buffer, timestamp: number): { frame: CanFrame } | { error: string } {
  if (p.length < 8) return { error: `packet of ${p.length} bytes is shorter than the 8-byte SocketCAN header` };
  const canId = p.readUInt32BE(0);
  const len = p[4]!;
  const fd = (p[5]! & CANFD_FDF) !== 0 || p.length > 16;
  const frame: CanFrame = { id: 0, extended: false, data: new Uint8Array(0), timestamp };
  if (canId & CAN_ERR_FLAG) {
    frame.error = true;
    frame.id = canId & CAN_EFF_MASK;
  } else if (canId & CAN_EFF_FLAG) {
    frame.extended = true;
    frame.id = canId & CAN_EFF_MASK;
  } else {
    frame.id = canId & CAN_SFF_MASK;
  }
  if (fd) frame.fd = true;
  if (canId & CAN_RTR_FLAG && !frame.error) {
    frame.rtr = true;
    frame.dlc = len;
  } else {
    if (8 + len > p.length) return { error: `length byte ${len} exceeds the ${p.length - 8} data bytes captured` };
    frame.data = new Uint8Array(p.subarray(8, 8 + len));
  }
  try {
    validateFrame(frame);
  } catch (err) {
    return { error: (err as Error).message };
  }
  return { frame };
}
