import type { Clock, TimerHandle } from '../../core/clock';
import { ConfigError } from '../../core/errors';

/**
 * What a server does with a new connection when it already holds `maxConnections`: close the longest-idle one to
 * make room (default), or refuse the newcomer (a device with a hard limit, to see how a controller copes).
 */
export type WhenFull = 'evict-idle' | 'refuse';

/** Connection limits of a TCP server. */
export interface ConnectionLimits {
  /** Most connections held at once; `Infinity` for no cap. */
  maxConnections?: number;
  /** Close a connection idle this long (ms on the server's clock); 0 never. What counts as idle is the server's. */
  idleTimeoutMs?: number;
  /** At the cap (default 'evict-idle'). */
  whenFull?: WhenFull;
}

/** Why the guard closed a connection. */
export type GuardReason = 'evicted' | 'idle';

/** Counters of a {@link ConnectionGuard}. */
export interface ConnectionGuardStats {
  /** Closed to make room for a newer connection. */
  evicted: number;
  /** Closed after the idle timeout. */
  idleClosed: number;
  /** Refused at the cap (`whenFull: 'refuse'`). */
  refused: number;
  /** Most connections held at once. */
  peak: number;
}

interface Entry {
  lastActive: number;
  established: boolean;
}

/**
 * Keeps a server's connections within a cap and closes idle ones, so that thousands of idle connections never lock
 * out the controller that is polling.
 *
 * Contract:
 * - `admit(c)` before serving a new connection. At the cap with 'evict-idle' it closes (through `close(victim,
 *   'evicted', idleMs)`) the connection idle longest among those that never proved themselves (`touch(c, true)`), and only
 *   when there are none the longest-idle established one; then admits `c` and returns true. With 'refuse' it
 *   returns false and the caller closes `c`. The Modbus Messaging on TCP/IP Implementation Guide V1.0b (modbus.org,
 *   "connection management") has a server close its oldest unused connection when its pool is full; so do devices
 *   such as Schneider's LXM32M (Modbus TCP manual 0198441113843 V1.01, 3.3.1: up to 8 connections, the oldest
 *   unused closed for a new one).
 * - `touch(c)` marks activity now; `touch(c, true)` also marks it established (it sent a valid message).
 * - A connection `idleEligible(c)` (default: every one) whose last activity is `idleTimeoutMs` old is closed through
 *   `close(c, 'idle')`. One clock timer serves them all, armed only while connections are held.
 * - `remove(c)` when a connection ends for any other reason; `close` callbacks are never made for removed ones.
 * - `dispose()` cancels the timer; idempotent.
 */
export class ConnectionGuard<C> {
  readonly stats: ConnectionGuardStats = { evicted: 0, idleClosed: 0, refused: 0, peak: 0 };
  readonly maxConnections: number;
  readonly idleTimeoutMs: number;
  readonly whenFull: WhenFull;
  private readonly entries = new Map<C, Entry>();
  private timer: TimerHandle | undefined;
  private disposed = false;

  constructor(
    private readonly clock: Clock,
    limits: Required<ConnectionLimits>,
    private readonly close: (c: C, reason: GuardReason, idleMs: number) => void,
    private readonly idleEligible: (c: C) => boolean = () => true,
  ) {
    checkLimits(limits);
    this.maxConnections = limits.maxConnections;
    this.idleTimeoutMs = limits.idleTimeoutMs;
    this.whenFull = limits.whenFull;
  }

  get size(): number {
    return this.entries.size;
  }

  admit(c: C): boolean {
    if (this.entries.size >= this.maxConnections) {
      if (this.whenFull === 'refuse') {
        this.stats.refused++;
        return false;
      }
      const victim = this.longestIdle();
      if (victim !== undefined) {
        const idleMs = this.clock.now() - this.entries.get(victim)!.lastActive;
        this.entries.delete(victim);
        this.stats.evicted++;
        this.close(victim, 'evicted', idleMs);
      }
    }
    this.entries.set(c, { lastActive: this.clock.now(), established: false });
    this.stats.peak = Math.max(this.stats.peak, this.entries.size);
    this.arm(this.clock.now() + this.idleTimeoutMs);
    return true;
  }

  touch(c: C, established = false): void {
    const e = this.entries.get(c);
    if (!e) return;
    e.lastActive = this.clock.now();
    if (established) e.established = true;
  }

  remove(c: C): void {
    this.entries.delete(c);
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.entries.clear();
  }

  private longestIdle(): C | undefined {
    let best: C | undefined;
    let bestKey: [number, number] = [Infinity, Infinity];
    for (const [c, e] of this.entries) {
      const key: [number, number] = [e.established ? 1 : 0, e.lastActive];
      if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
        best = c;
        bestKey = key;
      }
    }
    return best;
  }

  /** Activity only pushes deadlines later, so one timer at the earliest possible expiry is enough. */
  private arm(at: number): void {
    if (this.disposed || this.idleTimeoutMs <= 0 || !Number.isFinite(this.idleTimeoutMs) || this.timer !== undefined) return;
    this.timer = this.clock.setTimer(at, () => {
      this.timer = undefined;
      this.sweep();
    });
  }

  private sweep(): void {
    const now = this.clock.now();
    const idle: Array<[C, number]> = [];
    let next = Infinity;
    for (const [c, e] of this.entries) {
      if (!this.idleEligible(c)) {
        next = Math.min(next, now + this.idleTimeoutMs); // may become eligible (e.g. leaves its bus): look again later
        continue;
      }
      const due = e.lastActive + this.idleTimeoutMs;
      if (due <= now) idle.push([c, now - e.lastActive]);
      else next = Math.min(next, due);
    }
    for (const [c, idleMs] of idle) {
      this.entries.delete(c);
      this.stats.idleClosed++;
      this.close(c, 'idle', idleMs);
    }
    if (next < Infinity && this.entries.size > 0) this.arm(next);
  }
}

/** Throws `ConfigError` for limits that make no sense. */
export function checkLimits(limits: ConnectionLimits, where = 'connection limits'): void {
  const { maxConnections, idleTimeoutMs, whenFull } = limits;
  if (maxConnections !== undefined && !(maxConnections === Infinity || (Number.isInteger(maxConnections) && maxConnections >= 1))) {
    throw new ConfigError(`${where}: maxConnections must be a whole number >= 1 (or Infinity), got ${maxConnections}`);
  }
  if (idleTimeoutMs !== undefined && !(idleTimeoutMs >= 0)) {
    throw new ConfigError(`${where}: idleTimeoutMs must be >= 0 (0: never), got ${idleTimeoutMs}`);
  }
  if (whenFull !== undefined && whenFull !== 'evict-idle' && whenFull !== 'refuse') {
    throw new ConfigError(`${where}: whenFull must be 'evict-idle' or 'refuse', got '${String(whenFull)}'`);
  }
}
