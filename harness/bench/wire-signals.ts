import { resolve } from 'node:path';
import { packagePath } from '../../core/package-root';
import { bmsProtocol } from '../../emulators/bms/profiles/registry';
import type { Database, DecodedMessage } from '../../protocols/can/dbc';
import { loadDbc } from '../../protocols/can/dbc';
import type { CanFrame } from '../../protocols/can/frame';

const dbcCache = new Map<string, Database>();

/**
 * The DBC for a bus: the bench's `dbc:` (relative to the bench file), else the one of the BMS protocol on it
 * (`protocol` or `protocol/variant`; a variant without a DBC of its own uses its protocol's).
 */
export function dbcForBus(explicit: string | undefined, baseDir: string, protocols: string[]): Database | undefined {
  const full = dbcFileForBus(explicit, baseDir, protocols);
  return full === undefined ? undefined : cachedDbc(full);
}

/** The DBC in `file` (an absolute path), parsed once per process. */
export function cachedDbc(file: string): Database {
  let db = dbcCache.get(file);
  if (!db) {
    db = loadDbc(file);
    dbcCache.set(file, db);
  }
  return db;
}

/** The DBC file a bus decodes with (its explicit `dbc`, else the one bundled for its protocol), if any. */
export function dbcFileForBus(explicit: string | undefined, baseDir: string, protocols: string[]): string | undefined {
  if (explicit !== undefined) return resolve(baseDir, explicit);
  const bundled = protocols.map(protocolDbc).find(Boolean);
  return bundled === undefined ? undefined : packagePath('data', 'dbc', bundled);
}

/** The DBC a BMS protocol declares (`protocol` or `protocol/variant`; a variant without its own uses its protocol's). */
function protocolDbc(name: string): string | undefined {
  const [protocol, variant] = name.split('/') as [string, string | undefined];
  const profile = bmsProtocol(protocol);
  return (variant !== undefined ? profile?.variantDbc?.[variant] : undefined) ?? profile?.dbc;
}

/**
 * What was last seen on a bus, per frame id, for scenario signals decoded with a DBC. Recording is a map update per
 * frame; decoding happens only when an expectation reads a signal (and is cached per frame), so a 24-hour bench
 * pays nothing for signals nobody reads.
 *
 * Signals: `<Message>.<Signal>` (physical value of the last frame), `<Message>.count` (frames seen),
 * `<Message>.age` (seconds since the last one; undefined before the first).
 */
export class WireSignals {
  private readonly last = new Map<number, CanFrame>();
  private readonly counts = new Map<number, number>();
  private readonly decoded = new WeakMap<CanFrame, DecodedMessage | null>();

  /** `file`: the DBC file `db` was read from (for evidence that names it). */
  constructor(
    readonly db: Database,
    readonly file?: string,
  ) {}

  /** Call for every frame on the bus. */
  record(frame: CanFrame): void {
    const key = frame.extended ? frame.id + 0x20000000 : frame.id;
    this.last.set(key, frame);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Every frame id seen so far: its last frame and how many frames it had (for the traffic evidence). */
  seen(): Array<{ frame: CanFrame; count: number }> {
    return [...this.last].map(([key, frame]) => ({ frame, count: this.counts.get(key) ?? 0 }));
  }

  /** A signal value, or undefined (unknown name, nothing seen yet, undecodable frame). */
  read(name: string, nowMs: number): number | undefined {
    const dot = name.lastIndexOf('.');
    if (dot < 0) return undefined;
    const msg = this.db.findMessage(name.slice(0, dot));
    if (!msg) return undefined;
    const key = msg.isExtended ? msg.frameId + 0x20000000 : msg.frameId;
    const what = name.slice(dot + 1);
    if (what === 'count') return this.counts.get(key) ?? 0;
    const frame = this.last.get(key);
    if (!frame) return undefined;
    if (what === 'age') return (nowMs - (frame.timestamp ?? nowMs)) / 1000;
    const v = this.decode(frame)?.signals[what];
    return typeof v === 'number' ? v : undefined;
  }

  /** A frame seen on the bus decoded with the DBC (truncated frames too), or null; once per frame. */
  decode(frame: CanFrame): DecodedMessage | null {
    let d = this.decoded.get(frame);
    if (d === undefined) {
      try {
        d = this.db.tryDecode(frame, { allowTruncated: true }) ?? null;
      } catch {
        d = null;
      }
      this.decoded.set(frame, d);
    }
    return d;
  }

  /** Whether a name refers to a message/signal of the DBC (for checking scenarios). */
  knows(name: string): boolean {
    const dot = name.lastIndexOf('.');
    if (dot < 0) return false;
    const msg = this.db.findMessage(name.slice(0, dot));
    if (!msg) return false;
    const what = name.slice(dot + 1);
    return what === 'count' || what === 'age' || msg.signals.some((s) => s.name === what);
  }
}
