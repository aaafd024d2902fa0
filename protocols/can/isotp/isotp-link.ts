/**
 * One ISO-TP (ISO 15765-2) connection over a `CanBus`, normal addressing, classic CAN: a transmit id and a receive
 * id, full duplex (one message in each direction at a time), flow control with block size and STmin both ways,
 * and the standard's timeouts N_As (our frame leaves), N_Bs (waiting for the peer's flow control) and N_Cr
 * (waiting for the next consecutive frame). Default timeouts are the standard's 1000 ms.
 *
 * No npm package does this on an injected bus and clock (checked: the npm registry lists no ISO-TP library for
 * Node; `socketcan` 4.3.1 binds the Linux kernel's CAN sockets, which these machines lack), so it is written here
 * and tested against an independent decoder (test/interop).
 */
import type { Clock, TimerHandle } from '../../../core/clock';
import { HilTimeoutError, OperationError } from '../../../core/errors';
import type { CanBus } from '../bus';
import type { CanFrame } from '../frame';
import { FlowStatus, ISOTP_MAX_LENGTH, decodePdu, flowControl, msToStMin, segment, stMinToMs } from './pci';

export interface IsoTpOptions {
  /** Id we send on (requests for a tester, responses for an ECU). */
  txId: number;
  /** Id we listen to. */
  rxId: number;
  /** 29-bit ids (default: inferred per id, above 0x7FF). */
  extended?: boolean;
  /**
   * Extended addressing (ISO 15765-2): the address byte we put first in every frame we send (the peer's address),
   * and the one we expect first in every frame we accept (ours). Frames on `rxId` with another first byte are
   * for someone else and ignored. Both or neither.
   */
  txAddress?: number;
  rxAddress?: number;
  /** Time base (default the bus's). */
  clock?: Clock;
  /** Block size we grant a sender in our flow control (0 = all at once; default 0). */
  blockSize?: number;
  /** Minimum gap we ask a sender to keep between consecutive frames, ms (default 0). */
  stMinMs?: number;
  /** Fill byte for short frames (default 0xAA; `null` sends frames only as long as needed). */
  padding?: number | null;
  /** N_As: a frame must be accepted by the bus within this, ms (default 1000). */
  nAsMs?: number;
  /** N_Bs: the peer's flow control must come within this after FF / a block, ms (default 1000). */
  nBsMs?: number;
  /** N_Cr: the next consecutive frame must come within this, ms (default 1000). */
  nCrMs?: number;
  /** Most flow-control WAIT frames accepted in a row before giving up (N_WFTmax, default 10). */
  maxWaitFrames?: number;
  /** Largest message we accept; a longer FF is answered with FC overflow (default 4095). */
  maxReceiveLength?: number;
}

/** What a link counts. Every abandoned transfer is counted, none is silent. */
export interface IsoTpStats {
  messagesSent: number;
  messagesReceived: number;
  framesSent: number;
  /** Transfers we abandoned waiting for a flow control (N_Bs) or for the bus (N_As). */
  txTimeouts: number;
  /** Receptions abandoned waiting for a consecutive frame (N_Cr). */
  rxTimeouts: number;
  /** Consecutive frames out of order (the reception is abandoned). */
  sequenceErrors: number;
  /** Flow controls or consecutive frames that belong to no transfer (ignored). */
  unexpectedFrames: number;
  /** Frames on our id that are not ISO-TP (ignored). */
  malformed: number;
  /** First frames refused with FC overflow. */
  overflows: number;
}

/** A transfer failed: the peer refused (overflow, too many waits) or the link closed. */
export class IsoTpError extends OperationError {}

interface FcWaiter {
  resolve(fc: { status: FlowStatus; blockSize: number; stMinRaw: number }): void;
  reject(err: Error): void;
}

/**
 * Contract:
 * - `send(payload)` (1..4095 bytes) resolves when the last frame left; sends queue in call order. It rejects with
 *   `HilTimeoutError` on N_As/N_Bs, with `IsoTpError` on FC overflow, too many FC waits, or `close()`.
 * - Complete messages go to `onMessage` listeners synchronously, in order. A broken reception (N_Cr timeout, wrong
 *   sequence number, a new FF/SF in the middle) is counted and dropped; the new SF/FF starts a new reception.
 * - Frames on other ids are ignored; frames on `rxId` that are not ISO-TP are counted as malformed. Nothing a peer
 *   sends can throw out of the bus listener.
 * - `close()` detaches from the bus, clears timers and rejects pending sends; idempotent. The bus stays open.
 */
export class IsoTpLink {
  readonly stats: IsoTpStats = {
    messagesSent: 0,
    messagesReceived: 0,
    framesSent: 0,
    txTimeouts: 0,
    rxTimeouts: 0,
    sequenceErrors: 0,
    unexpectedFrames: 0,
    malformed: 0,
    overflows: 0,
  };
  readonly txId: number;
  readonly rxId: number;
  private readonly clock: Clock;
  private readonly pad: number | null;
  private readonly o: Required<Omit<IsoTpOptions, 'clock' | 'padding' | 'extended' | 'txAddress' | 'rxAddress'>>;
  private readonly txAddress: number | undefined;
  private readonly rxAddress: number | undefined;
  private readonly extTx: boolean;
  private readonly extRx: boolean;
  private readonly listeners = new Set<(payload: Uint8Array) => void>();
  private readonly unsubscribe: () => void;
  private closed = false;
  private queue: Promise<void> = Promise.resolve();
  private fcWaiter: FcWaiter | undefined;
  // Reception in progress.
  private rxBuf: Uint8Array | undefined;
  private rxLen = 0;
  private rxSeq = 0;
  private rxBlockLeft = 0;
  private rxTimer: TimerHandle | undefined;

  constructor(
    private readonly bus: CanBus,
    options: IsoTpOptions,
  ) {
    this.txId = options.txId;
    this.rxId = options.rxId;
    this.clock = options.clock ?? bus.clock;
    this.pad = options.padding === undefined ? 0xaa : options.padding;
    this.extTx = options.extended ?? options.txId > 0x7ff;
    this.extRx = options.extended ?? options.rxId > 0x7ff;
    if ((options.txAddress === undefined) !== (options.rxAddress === undefined)) throw new RangeError('ISO-TP extended addressing needs both txAddress and rxAddress');
    this.txAddress = options.txAddress;
    this.rxAddress = options.rxAddress;
    this.o = {
      txId: options.txId,
      rxId: options.rxId,
      blockSize: options.blockSize ?? 0,
      stMinMs: options.stMinMs ?? 0,
      nAsMs: options.nAsMs ?? 1000,
      nBsMs: options.nBsMs ?? 1000,
      nCrMs: options.nCrMs ?? 1000,
      maxWaitFrames: options.maxWaitFrames ?? 10,
      maxReceiveLength: Math.min(ISOTP_MAX_LENGTH, options.maxReceiveLength ?? ISOTP_MAX_LENGTH),
    };
    this.unsubscribe = bus.onFrame((f) => this.onFrame(f));
  }

  /** Subscribe to complete received messages; returns an unsubscribe function. */
  onMessage(listener: (payload: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Send one message (see the class contract). */
  send(payload: Uint8Array | ArrayLike<number>): Promise<void> {
    const data = Uint8Array.from(payload as ArrayLike<number>);
    if (data.length === 0 || data.length > ISOTP_MAX_LENGTH) return Promise.reject(new RangeError(`ISO-TP payload must be 1..${ISOTP_MAX_LENGTH} bytes, got ${data.length}`));
    const run = this.queue.then(() => this.transmit(data));
    this.queue = run.catch(() => undefined);
    return run;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.stopRx();
    this.fcWaiter?.reject(new IsoTpError(`ISO-TP link 0x${this.txId.toString(16)} closed`));
    this.fcWaiter = undefined;
  }

  // ---------------------------------------------------------------- transmit

  private async transmit(data: Uint8Array): Promise<void> {
    if (this.closed) throw new IsoTpError(`ISO-TP link 0x${this.txId.toString(16)} closed`);
    const frames = segment(data, this.pad, this.txAddress);
    if (frames.length === 1) {
      await this.put(frames[0]!);
      this.stats.messagesSent++;
      return;
    }
    const fcWait = this.expectFc();
    fcWait.catch(() => undefined); // observed below; a failed FF must not leave it unhandled
    try {
      await this.put(frames[0]!);
    } catch (err) {
      this.fcWaiter?.reject(err as Error);
      this.fcWaiter = undefined;
      throw err;
    }
    let fc = await fcWait;
    let i = 1;
    let waits = 0;
    let lastCf = -Infinity;
    while (i < frames.length) {
      if (fc.status === FlowStatus.Overflow) throw new IsoTpError(`ISO-TP peer of 0x${this.txId.toString(16)} refused ${data.length} bytes (FC overflow)`);
      if (fc.status === FlowStatus.Wait) {
        if (++waits > this.o.maxWaitFrames) throw new IsoTpError(`ISO-TP peer of 0x${this.txId.toString(16)} sent more than ${this.o.maxWaitFrames} FC WAIT`);
        fc = await this.expectFc();
        continue;
      }
      waits = 0;
      const gap = stMinToMs(fc.stMinRaw);
      const block = fc.blockSize === 0 ? Infinity : fc.blockSize;
      let next: Promise<{ status: FlowStatus; blockSize: number; stMinRaw: number }> | undefined;
      for (let k = 0; k < block && i < frames.length; k++, i++) {
        // STmin separates every two CFs, across blocks too.
        const wait = lastCf + gap - this.clock.now();
        if (gap > 0 && wait > 0) await this.clock.sleep(wait);
        if (this.closed) throw new IsoTpError(`ISO-TP link 0x${this.txId.toString(16)} closed`);
        // Listen for the next FC before the block's last frame leaves: a fast peer answers at once.
        if ((k === block - 1) && i < frames.length - 1) {
          next = this.expectFc();
          next.catch(() => undefined);
        }
        await this.put(frames[i]!);
        lastCf = this.clock.now();
      }
      if (i < frames.length) fc = await next!;
    }
    this.stats.messagesSent++;
  }

  /** Hand one frame to the bus within N_As. */
  private async put(data: Uint8Array): Promise<void> {
    let timer: TimerHandle | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.clock.setTimeout(() => {
        this.stats.txTimeouts++;
        reject(new HilTimeoutError(`ISO-TP 0x${this.txId.toString(16)}: frame not sent within N_As ${this.o.nAsMs} ms`));
      }, this.o.nAsMs);
    });
    try {
      await Promise.race([this.bus.send({ id: this.txId, extended: this.extTx, data }), timeout]);
      this.stats.framesSent++;
    } finally {
      if (timer !== undefined) this.clock.clearTimer(timer);
    }
  }

  /** A promise of the next flow control, rejected after N_Bs. */
  private expectFc(): Promise<{ status: FlowStatus; blockSize: number; stMinRaw: number }> {
    return new Promise((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        this.fcWaiter = undefined;
        this.stats.txTimeouts++;
        reject(new HilTimeoutError(`ISO-TP 0x${this.txId.toString(16)}: no flow control within N_Bs ${this.o.nBsMs} ms`));
      }, this.o.nBsMs);
      this.fcWaiter = {
        resolve: (fc) => {
          this.clock.clearTimer(timer);
          resolve(fc);
        },
        reject: (err) => {
          this.clock.clearTimer(timer);
          reject(err);
        },
      };
    });
  }

  // ---------------------------------------------------------------- receive

  private onFrame(f: CanFrame): void {
    if (this.closed || f.id !== this.rxId || f.extended !== this.extRx || f.rtr || f.error) return;
    let pdu;
    if (this.rxAddress !== undefined && f.data[0] !== this.rxAddress) return;
    try {
      pdu = decodePdu(this.rxAddress === undefined ? f.data : f.data.subarray(1));
    } catch {
      this.stats.malformed++;
      return;
    }
    switch (pdu.kind) {
      case 'flow': {
        const w = this.fcWaiter;
        if (!w) {
          this.stats.unexpectedFrames++;
          return;
        }
        this.fcWaiter = undefined;
        w.resolve(pdu);
        return;
      }
      case 'single':
        if (this.rxBuf) this.abandonRx('sequence');
        this.deliver(pdu.payload);
        return;
      case 'first': {
        if (this.rxBuf) this.abandonRx('sequence');
        if (pdu.length > this.o.maxReceiveLength) {
          this.stats.overflows++;
          this.sendFc(FlowStatus.Overflow);
          return;
        }
        this.rxBuf = new Uint8Array(pdu.length);
        this.rxBuf.set(pdu.payload);
        this.rxLen = pdu.payload.length;
        this.rxSeq = 1;
        this.grantBlock();
        return;
      }
      case 'consecutive': {
        const buf = this.rxBuf;
        if (!buf) {
          this.stats.unexpectedFrames++;
          return;
        }
        if (pdu.sequence !== this.rxSeq) {
          this.abandonRx('sequence');
          return;
        }
        const take = Math.min(pdu.payload.length, buf.length - this.rxLen);
        buf.set(pdu.payload.subarray(0, take), this.rxLen);
        this.rxLen += take;
        this.rxSeq = (this.rxSeq + 1) & 0x0f;
        if (this.rxLen >= buf.length) {
          this.stopRx();
          this.deliver(buf);
          return;
        }
        if (this.o.blockSize > 0 && --this.rxBlockLeft === 0) this.grantBlock();
        else this.armCr();
        return;
      }
    }
  }

  private grantBlock(): void {
    this.rxBlockLeft = this.o.blockSize;
    this.sendFc(FlowStatus.ContinueToSend);
    this.armCr();
  }

  private sendFc(status: FlowStatus): void {
    const data = flowControl(status, this.o.blockSize, msToStMin(this.o.stMinMs), this.pad, this.txAddress);
    this.bus.send({ id: this.txId, extended: this.extTx, data }).then(
      () => void this.stats.framesSent++,
      () => void this.stats.txTimeouts++,
    );
  }

  private armCr(): void {
    if (this.rxTimer !== undefined) this.clock.clearTimer(this.rxTimer);
    this.rxTimer = this.clock.setTimeout(() => {
      this.rxTimer = undefined;
      this.abandonRx('timeout');
    }, this.o.nCrMs);
  }

  private abandonRx(why: 'timeout' | 'sequence'): void {
    if (why === 'timeout') this.stats.rxTimeouts++;
    else this.stats.sequenceErrors++;
    this.stopRx();
  }

  private stopRx(): void {
    this.rxBuf = undefined;
    if (this.rxTimer !== undefined) this.clock.clearTimer(this.rxTimer);
    this.rxTimer = undefined;
  }

  private deliver(payload: Uint8Array): void {
    this.stats.messagesReceived++;
    for (const l of this.listeners) {
      try {
        l(payload);
      } catch {
        // A listener's error is its own; the link carries on.
      }
    }
  }
}
