import type { Clock, TimerHandle } from '../../../core/clock';
import { ClosedError } from '../../../core/errors';
import { arbitrationKey, frameBits, type StuffingMode } from '../frame-bits';
import type { CanFrame } from '../frame';

/** Figures of a bit-timed virtual channel. */
export interface VirtualWireStats {
  bitrate: number;
  stuffing: StuffingMode;
  /** Frames transmitted completely since the channel opened. */
  frames: number;
  /** Bits those frames took, stuff bits and intermission included. */
  bits: number;
  /** Time the wire was busy since the channel opened, ms. */
  busyMs: number;
  /** Fraction of the last `loadWindowMs` (or of the time since opening, if shorter) the wire was busy, 0..1. */
  load: number;
  loadWindowMs: number;
  /** Frames waiting for the wire now, all members together. */
  queued: number;
  /** Largest `queued` seen. */
  maxQueued: number;
}

/** A bus attached to a wire: it receives the frames others transmit. */
export interface WireMember {
  /** Called at the end of a frame's transmission, with a fresh copy for this member. */
  fromWire(frame: CanFrame): void;
}

interface Pending {
  frame: CanFrame;
  key: number;
  seq: number;
  member: WireMember;
  resolve: () => void;
  reject: (err: Error) => void;
}

interface InFlight {
  p: Pending;
  start: number;
  timer: TimerHandle;
}

/**
 * One virtual CAN wire with bit timing: each member has a FIFO transmit queue whose head takes part in arbitration
 * (lowest {@link arbitrationKey} wins, as on a real bus; equal keys go by enqueue order). The winner occupies the
 * wire for `frameBits / bitrate`, then every other member receives it and the sender's promise resolves. Frames
 * queued at the same instant arbitrate together, because arbitration starts on a timer due "now".
 */
export class VirtualWire {
  private readonly queues = new Map<WireMember, Pending[]>();
  private inFlight: InFlight | undefined;
  private arbitration: TimerHandle | undefined;
  private seq = 0;
  private queuedCount = 0;
  private readonly opened: number;
  /** Busy intervals [start, end] inside the load window, oldest first. */
  private intervals: number[] = [];
  private readonly totals = { frames: 0, bits: 0, busyMs: 0, maxQueued: 0 };

  constructor(
    readonly clock: Clock,
    readonly bitrate: number,
    readonly stuffing: StuffingMode,
    readonly loadWindowMs = 1000,
  ) {
    this.opened = clock.now();
  }

  join(member: WireMember): void {
    this.queues.set(member, []);
  }

  /**
   * Detach a member: its queued frames are rejected with `ClosedError`; a frame of it on the wire is aborted
   * (it never reaches the others, as when a controller goes off the bus mid-frame).
   */
  leave(member: WireMember, what: string): void {
    const q = this.queues.get(member);
    if (!q) return;
    this.queues.delete(member);
    this.queuedCount -= q.length;
    for (const p of q) p.reject(new ClosedError(what));
    const f = this.inFlight;
    if (f && f.p.member === member) {
      this.clock.clearTimer(f.timer);
      this.inFlight = undefined;
      this.recordBusy(f.start, this.clock.now());
      f.p.reject(new ClosedError(what));
      this.scheduleArbitration();
    }
    if (this.queues.size === 0 && this.arbitration !== undefined) {
      this.clock.clearTimer(this.arbitration);
      this.arbitration = undefined;
    }
  }

  /** Queue a frame; resolves when its transmission has ended. */
  transmit(member: WireMember, frame: CanFrame): Promise<void> {
    const q = this.queues.get(member);
    if (!q) return Promise.reject(new ClosedError('virtual CAN wire member'));
    return new Promise<void>((resolve, reject) => {
      q.push({ frame, key: arbitrationKey(frame), seq: this.seq++, member, resolve, reject });
      this.queuedCount++;
      if (this.queuedCount > this.totals.maxQueued) this.totals.maxQueued = this.queuedCount;
      this.scheduleArbitration();
    });
  }

  /** Frames `member` has waiting (not counting one on the wire). */
  queuedFor(member: WireMember): number {
    return this.queues.get(member)?.length ?? 0;
  }

  stats(): VirtualWireStats {
    return {
      bitrate: this.bitrate,
      stuffing: this.stuffing,
      frames: this.totals.frames,
      bits: this.totals.bits,
      busyMs: this.totals.busyMs,
      load: this.load(),
      loadWindowMs: this.loadWindowMs,
      queued: this.queuedCount,
      maxQueued: this.totals.maxQueued,
    };
  }

  private load(): number {
    const now = this.clock.now();
    const span = Math.min(this.loadWindowMs, now - this.opened);
    if (span <= 0) return 0;
    const from = now - span;
    this.prune(from);
    let busy = 0;
    const iv = this.intervals;
    for (let i = 0; i < iv.length; i += 2) busy += Math.max(0, Math.min(iv[i + 1]!, now) - Math.max(iv[i]!, from));
    const f = this.inFlight;
    if (f) busy += now - Math.max(f.start, from);
    return Math.min(1, busy / span);
  }

  private prune(from: number): void {
    const iv = this.intervals;
    let k = 0;
    while (k < iv.length && iv[k + 1]! <= from) k += 2;
    if (k > 0) this.intervals = iv.slice(k);
  }

  private recordBusy(start: number, end: number): void {
    this.totals.busyMs += end - start;
    this.intervals.push(start, end);
    if (this.intervals.length > 4096) this.prune(this.clock.now() - this.loadWindowMs);
  }

  private scheduleArbitration(): void {
    if (this.inFlight || this.arbitration !== undefined || this.queuedCount === 0) return;
    this.arbitration = this.clock.setTimer(this.clock.now(), this.arbitrate);
  }

  private readonly arbitrate = (): void => {
    this.arbitration = undefined;
    if (this.inFlight) return;
    let best: Pending | undefined;
    for (const q of this.queues.values()) {
      const head = q[0];
      if (head && (!best || head.key < best.key || (head.key === best.key && head.seq < best.seq))) best = head;
    }
    if (!best) return;
    this.queues.get(best.member)!.shift();
    this.queuedCount--;
    const start = this.clock.now();
    const bits = frameBits(best.frame, this.stuffing);
    const p = best;
    const timer = this.clock.setTimer(start + (bits * 1000) / this.bitrate, () => this.finish(p, start, bits));
    this.inFlight = { p, start, timer };
  };

  private finish(p: Pending, start: number, bits: number): void {
    this.inFlight = undefined;
    this.recordBusy(start, this.clock.now());
    this.totals.frames++;
    this.totals.bits += bits;
    for (const m of this.queues.keys()) {
      if (m !== p.member) m.fromWire({ ...p.frame, data: new Uint8Array(p.frame.data) });
    }
    p.resolve();
    // Next arbitration at once: the intermission is part of the frame's bits.
    this.arbitrate();
  }
}
