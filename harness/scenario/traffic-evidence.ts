import { basename } from 'node:path';
import { formatDecoded } from '../../protocols/can/dbc';
import { formatId } from '../../protocols/can/frame';
import type { BenchCanBus } from '../bench/can-media';
import { sinceZero } from '../bench/evidence-recorder';
import type { BenchModbus } from '../bench/modbus-endpoints';
import { decodeWriteLines, type EvidenceSource } from './decode-evidence';

/** At most this many DBC messages per bus (lowest ids first; the rest are counted in `omittedMessages`). */
export const TRAFFIC_MESSAGES_PER_BUS = 24;
/** At most this many recent writes per Modbus endpoint. */
export const TRAFFIC_WRITES_PER_ENDPOINT = 5;
/** A decoded line longer than this is cut (with '…'): a message with many signals stays readable and small. */
export const TRAFFIC_LINE_CHARS = 400;

/** One DBC message seen on a bus. */
export interface MessageTraffic {
  /** Frame id, hex (`0x351`; 8 digits for an extended id). */
  id: string;
  /** DBC message name. */
  name: string;
  /** Frames with this id over the run (both directions). */
  count: number;
  /** When the last one was seen, ms from the scenario's t=0 (negative: before t=0). */
  lastAtMs: number;
  /** The last one decoded (`Message Signal=value unit ...`), '' if it could not be decoded. */
  last: string;
}

/** What was said on one CAN bus. */
export interface CanTraffic {
  bus: string;
  /** Frames on the bus over the run (the bench's devices and the controller). */
  frames: number;
  /** The DBC file the bus is decoded with (its name); absent: the bus has none, so messages are not listed. */
  dbc?: string;
  /** Each DBC message seen, lowest id first, at most {@link TRAFFIC_MESSAGES_PER_BUS}. */
  messages: MessageTraffic[];
  /** DBC messages seen beyond the ones listed. */
  omittedMessages?: number;
  /** Ids seen that the DBC does not have: how many ids, how many frames. */
  unknownIds?: { ids: number; frames: number };
  /** The bus's trace files in the scenario's evidence folder (relative to it), when the run kept them. */
  traces?: string[];
}

/** What was said on one Modbus endpoint. */
export interface ModbusTraffic {
  endpoint: string;
  /** Requests over the run, every function code. */
  requests: number;
  /** Requests per unit id. */
  units: Record<string, number>;
  writes: number;
  /** Writes answered IllegalDataAddress / IllegalDataValue. */
  illegalWrites: number;
  rejectedWrites: number;
  /**
   * The last writes (at most {@link TRAFFIC_WRITES_PER_ENDPOINT}), oldest first: the raw line
   * (`t=…s ep unit 1 fc16 @40266 = [...] -> ok`) and its SunSpec point / vendor register names with scaled values.
   */
  lastWrites: Array<{ line: string; decoded: string }>;
  /** The endpoint's transaction log in the scenario's evidence folder (relative to it), when the run kept one. */
  log?: string;
}

/**
 * The traffic of a run, kept for every verdict (a passing run too): proof that the devices and the controller
 * talked, and what they last said, decoded. Bounded per scenario whatever the run's length: per bus at most
 * {@link TRAFFIC_MESSAGES_PER_BUS} messages, per endpoint {@link TRAFFIC_WRITES_PER_ENDPOINT} writes, lines cut at
 * {@link TRAFFIC_LINE_CHARS}. The full record is in the trace files it names.
 */
export interface TrafficEvidence {
  can: CanTraffic[];
  modbus: ModbusTraffic[];
}

/** What {@link trafficEvidence} reads of a running bench. */
export interface TrafficSource extends EvidenceSource {
  can: ReadonlyMap<string, Pick<BenchCanBus, 'name' | 'frames' | 'wire' | 'traceFiles'>>;
  modbus: ReadonlyMap<
    string,
    Pick<BenchModbus, 'name' | 'requests' | 'unitRequests' | 'writeCount' | 'illegalWrites' | 'rejectedWrites' | 'units' | 'logFile'> & {
      /** The recent writes, oldest first: clock time and the line's text. */
      writes: { toArray(): ReadonlyArray<{ at: number; text: string }> };
    }
  >;
  /** Clock time of the scenario's t=0. */
  timeZeroMs: number;
}

const cut = (s: string): string => (s.length > TRAFFIC_LINE_CHARS ? `${s.slice(0, TRAFFIC_LINE_CHARS - 1)}…` : s);

/**
 * The traffic of a bench as it stands (call before it closes), with the trace files and transaction logs the bench
 * opened for it. Decoding is for people: what cannot be decoded is left ''.
 */
export function trafficEvidence(src: TrafficSource): TrafficEvidence {
  const can: CanTraffic[] = [];
  for (const bus of src.can.values()) {
    const entry: CanTraffic = { bus: bus.name, frames: bus.frames, messages: [] };
    const wire = bus.wire;
    if (wire) {
      const known: MessageTraffic[] = [];
      let unknownIds = 0;
      let unknownFrames = 0;
      const seen = wire.seen().sort((a, b) => Number(a.frame.extended) - Number(b.frame.extended) || a.frame.id - b.frame.id);
      for (const { frame, count } of seen) {
        const msg = wire.db.findMessage(frame.id, frame.extended);
        if (!msg) {
          unknownIds++;
          unknownFrames += count;
          continue;
        }
        const d = wire.decode(frame);
        const last = d ? cut(formatDecoded(d)) : '';
        known.push({ id: `0x${formatId(frame.id, !!frame.extended)}`, name: msg.name, count, lastAtMs: Math.round((frame.timestamp ?? src.timeZeroMs) - src.timeZeroMs), last });
      }
      entry.messages = known.slice(0, TRAFFIC_MESSAGES_PER_BUS);
      if (known.length > entry.messages.length) entry.omittedMessages = known.length - entry.messages.length;
      if (unknownIds > 0) entry.unknownIds = { ids: unknownIds, frames: unknownFrames };
      if (wire.file) entry.dbc = basename(wire.file);
    }
    if (bus.traceFiles?.length) entry.traces = [...bus.traceFiles];
    can.push(entry);
  }
  const modbus: ModbusTraffic[] = [];
  for (const ep of src.modbus.values()) {
    const lines = ep.writes
      .toArray()
      .slice(-TRAFFIC_WRITES_PER_ENDPOINT)
      .map((w) => `${sinceZero(w.at, src.timeZeroMs)} ${w.text}`);
    const decoded = decodeWriteLines(lines, src);
    modbus.push({
      endpoint: ep.name,
      requests: ep.requests,
      units: Object.fromEntries([...ep.unitRequests].sort((a, b) => a[0] - b[0]).map(([u, n]) => [String(u), n])),
      writes: ep.writeCount,
      illegalWrites: ep.illegalWrites,
      rejectedWrites: ep.rejectedWrites,
      lastWrites: lines.map((line, i) => ({ line: cut(line), decoded: cut(decoded[i] ?? '') })),
      ...(ep.logFile ? { log: ep.logFile } : {}),
    });
  }
  return { can, modbus };
}
