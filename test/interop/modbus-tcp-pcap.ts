/**
 * A minimal classic-pcap writer for a TCP conversation on 127.0.0.1 (Ethernet / IPv4 / TCP headers around the
 * payload bytes), used when live capture is not allowed on the machine: tshark dissects the same bytes either way.
 */
import { writeFileSync } from 'node:fs';

export interface Segment {
  /** true: client -> server. */
  fromClient: boolean;
  bytes: Buffer;
  /** Seconds since the epoch (fractional). */
  time: number;
}

function ipChecksum(h: Buffer): number {
  let sum = 0;
  for (let i = 0; i < h.length; i += 2) sum += h.readUInt16BE(i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Write `segments` of one TCP connection (client port -> server port) to `path`, with a three-way handshake first. */
export function writeTcpPcap(path: string, clientPort: number, serverPort: number, segments: Segment[]): void {
  const parts: Buffer[] = [];
  const header = Buffer.alloc(24);
  header.writeUInt32LE(0xa1b2c3d4, 0);
  header.writeUInt16LE(2, 4);
  header.writeUInt16LE(4, 6);
  header.writeUInt32LE(65535, 16);
  header.writeUInt32LE(1, 20); // LINKTYPE_ETHERNET
  parts.push(header);
  let cSeq = 1000;
  let sSeq = 5000;
  const t0 = segments[0]?.time ?? Date.now() / 1000;
  const packet = (fromClient: boolean, flags: number, payload: Buffer, time: number): void => {
    const tcp = Buffer.alloc(20);
    tcp.writeUInt16BE(fromClient ? clientPort : serverPort, 0);
    tcp.writeUInt16BE(fromClient ? serverPort : clientPort, 2);
    tcp.writeUInt32BE((fromClient ? cSeq : sSeq) >>> 0, 4);
    tcp.writeUInt32BE((fromClient ? sSeq : cSeq) >>> 0, 8);
    tcp[12] = 5 << 4;
    tcp[13] = flags;
    tcp.writeUInt16BE(65535, 14);
    const ip = Buffer.alloc(20);
    ip[0] = 0x45;
    ip.writeUInt16BE(20 + 20 + payload.length, 2);
    ip[8] = 64;
    ip[9] = 6;
    ip.writeUInt32BE(0x7f000001, 12);
    ip.writeUInt32BE(0x7f000001, 16);
    ip.writeUInt16BE(ipChecksum(ip), 10);
    const eth = Buffer.alloc(14);
    eth.writeUInt16BE(0x0800, 12);
    const frame = Buffer.concat([eth, ip, tcp, payload]);
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Math.floor(time), 0);
    rec.writeUInt32LE(Math.floor((time % 1) * 1e6), 4);
    rec.writeUInt32LE(frame.length, 8);
    rec.writeUInt32LE(frame.length, 12);
    parts.push(rec, frame);
    const advance = payload.length + (flags & 0x02 ? 1 : 0);
    if (fromClient) cSeq += advance;
    else sSeq += advance;
  };
  const SYN = 0x02;
  const ACK = 0x10;
  const PSH = 0x08;
  packet(true, SYN, Buffer.alloc(0), t0);
  packet(false, SYN | ACK, Buffer.alloc(0), t0);
  packet(true, ACK, Buffer.alloc(0), t0);
  for (const s of segments) packet(s.fromClient, PSH | ACK, s.bytes, s.time);
  writeFileSync(path, Buffer.concat(parts));
}
