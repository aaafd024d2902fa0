import { createGunzip } from 'node:zlib';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { ConfigError } from '../../../core/errors';
import type { CanFrame } from '../frame';
import { parseCandumpLine } from './candump-format';
import {
  LINKTYPE_CAN_SOCKETCAN,
  parsePcapGlobalHeader,
  parseSocketCanPacket,
  PCAP_GLOBAL_HEADER_LENGTH,
  PCAP_RECORD_HEADER_LENGTH,
  type PcapHeader,
} from './pcap-format';

/** A line or record a reader could not use. */
export interface BadRecord {
  /** `line 12` (candump) or `record 5 at byte 1234` (pcap). */
  where: string;
  reason: string;
  /** The offending line (candump only). */
  text?: string;
}

/** Counters of a reader; `bad` counts every dropped line/record, `badSamples` keeps the first few. */
export interface TraceReadStats {
  frames: number;
  bad: number;
  badSamples: BadRecord[];
}

/** Options for the readers. */
export interface TraceReadOptions {
  /** Called for every dropped line/record (for logging). Reading continues. */
  onBad?: (bad: BadRecord) => void;
  /** How many bad records to keep in `stats.badSamples` (default 20). */
  keepBad?: number;
}

/**
 * A trace being read: iterate it for frames (each with `timestamp` in ms and, for candump, `channel`).
 *
 * Contract: bad lines/records are counted in `stats.bad`, reported to `onBad`, and skipped; reading goes on.
 * A pcap whose header is not a pcap or whose link type is not 227 fails the iteration with `ConfigError`; a
 * truncated last pcap record counts as bad. Iterate once.
 */
export interface TraceReader extends AsyncIterable<CanFrame> {
  readonly format: 'candump' | 'pcap';
  readonly stats: TraceReadStats;
}

function makeStats(): TraceReadStats {
  return { frames: 0, bad: 0, badSamples: [] };
}

function reportBad(stats: TraceReadStats, options: TraceReadOptions, bad: BadRecord): void {
  stats.bad++;
  if (stats.badSamples.length < (options.keepBad ?? 20)) stats.badSamples.push(bad);
  options.onBad?.(bad);
}

/**
 * Read candump log lines from a text stream (a file, stdin). Empty lines and comment lines (starting with '#', as
 * the harness writes at the top of a trace and at a scenario's t=0) are skipped without counting.
 */
export function readCandumpStream(input: Readable, options: TraceReadOptions = {}): TraceReader {
  const stats = makeStats();
  async function* frames(): AsyncGenerator<CanFrame> {
    const rl = createInterface({ input, crlfDelay: Infinity });
    let n = 0;
    try {
      for await (const line of rl) {
        n++;
        if (line.trim() === '' || line.startsWith('#')) continue;
        const r = parseCandumpLine(line);
        if ('error' in r) {
          reportBad(stats, options, { where: `line ${n}`, reason: r.error, text: line });
          continue;
        }
        stats.frames++;
        yield r.frame;
      }
    } finally {
      rl.close();
      input.destroy();
    }
  }
  return { format: 'candump', stats, [Symbol.asyncIterator]: () => frames() };
}

/** Read a pcap (link type 227) from a binary stream. */
export function readPcapStream(input: Readable, options: TraceReadOptions = {}, name = 'pcap'): TraceReader {
  const stats = makeStats();
  async function* frames(): AsyncGenerator<CanFrame> {
    let buf: Buffer = Buffer.alloc(0);
    let header: PcapHeader | undefined;
    let offset = 0;
    let record = 0;
    try {
      for await (const chunk of input) {
        buf = buf.length ? Buffer.concat([buf, chunk as Buffer]) : (chunk as Buffer);
        if (!header) {
          if (buf.length < PCAP_GLOBAL_HEADER_LENGTH) continue;
          const parsed = parsePcapGlobalHeader(buf);
          if ('error' in parsed) throw new ConfigError(parsed.error, name);
          header = parsed;
          if (header.linkType !== LINKTYPE_CAN_SOCKETCAN) {
            throw new ConfigError(`link type ${header.linkType} is not SocketCAN (227)`, name);
          }
          buf = buf.subarray(PCAP_GLOBAL_HEADER_LENGTH);
          offset = PCAP_GLOBAL_HEADER_LENGTH;
        }
        const h = header;
        for (;;) {
          if (buf.length < PCAP_RECORD_HEADER_LENGTH) break;
          const u32 = (at: number): number => (h.littleEndian ? buf.readUInt32LE(at) : buf.readUInt32BE(at));
          const inclLen = u32(8);
          if (inclLen > 1 << 20) {
            reportBad(stats, options, { where: `record ${record + 1} at byte ${offset}`, reason: `record length ${inclLen} is not plausible; stopped reading` });
            return;
          }
          if (buf.length < PCAP_RECORD_HEADER_LENGTH + inclLen) break;
          record++;
          const timestamp = u32(0) * 1000 + (u32(4) / h.fractionPerSecond) * 1000;
          const packet = buf.subarray(PCAP_RECORD_HEADER_LENGTH, PCAP_RECORD_HEADER_LENGTH + inclLen);
          const r = parseSocketCanPacket(packet, timestamp);
          const at = offset;
          buf = buf.subarray(PCAP_RECORD_HEADER_LENGTH + inclLen);
          offset += PCAP_RECORD_HEADER_LENGTH + inclLen;
          if ('error' in r) {
            reportBad(stats, options, { where: `record ${record} at byte ${at}`, reason: r.error });
            continue;
          }
          stats.frames++;
          yield r.frame;
        }
      }
      if (!header) throw new ConfigError('file is shorter than a pcap header (24 bytes)', name);
      if (buf.length > 0) {
        reportBad(stats, options, { where: `record ${record + 1} at byte ${offset}`, reason: `truncated: ${buf.length} bytes left at the end` });
      }
    } finally {
      input.destroy();
    }
  }
  return { format: 'pcap', stats, [Symbol.asyncIterator]: () => frames() };
}

/**
 * Open a trace file: pcap if it starts with a pcap magic number, else candump log text. Throws `ConfigError` if
 * the file cannot be opened.
 */
export async function readTrace(path: string, options: TraceReadOptions = {}): Promise<TraceReader> {
  let magic: Buffer;
  try {
    const fh = await open(path, 'r');
    try {
      magic = Buffer.alloc(4);
      const { bytesRead } = await fh.read(magic, 0, 4, 0);
      magic = magic.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch (err) {
    throw new ConfigError(`cannot read trace: ${(err as Error).message}`, path, { cause: err });
  }
  if (magic.length >= 2 && magic[0] === 0x1f && magic[1] === 0x8b) {
    // gzip (a `.log.gz` / `.pcap.gz` written by the harness): the format is the name's inner extension.
    const inflated = createReadStream(path).pipe(createGunzip());
    if (/\.pcap\.gz$/i.test(path)) return readPcapStream(inflated, options, path);
    inflated.setEncoding('utf8');
    return readCandumpStream(inflated, options);
  }
  const isPcap = magic.length === 4 && [0xa1b2c3d4, 0xa1b23c4d].some((m) => magic.readUInt32LE(0) === m || magic.readUInt32BE(0) === m);
  return isPcap ? readPcapStream(createReadStream(path), options, path) : readCandumpStream(createReadStream(path, 'utf8'), options);
}

/** Read a whole trace into memory (for replay on a virtual clock, or small files). */
export async function loadTrace(path: string, options: TraceReadOptions = {}): Promise<{ frames: CanFrame[]; stats: TraceReadStats }> {
  const reader = await readTrace(path, options);
  const frames: CanFrame[] = [];
  for await (const f of reader) frames.push(f);
  return { frames, stats: reader.stats };
}
