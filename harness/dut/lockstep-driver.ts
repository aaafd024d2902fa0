/**
 * The harness side of the lock-step clock protocol (docs/lockstep.md, messages in protocols/lockstep): drives a
 * controller process and the bench's `VirtualClock` together, so a controller in any language runs in virtual time.
 */
import type { Socket } from 'node:net';
import type { VirtualClock } from '../../core/clock';
import { HilTimeoutError, ProtocolError } from '../../core/errors';
import { encodeMessage, LineSplitter, parseControllerMessage, type ControllerMessage, type DoneMessage } from '../../protocols/lockstep/messages';
import type { BenchInstance } from '../bench/bench-instance';
import type { Bench } from '../bench/load-bench';
import type { SocketcandServer } from '../../protocols/can/socketcand';
import type { ConnectionGate } from '../../protocols/net/connection-gate';

/** What the controller's data connections carried, seen from the bench's servers (all clients count as the controller). */
export interface WireTotals {
  /** Bytes received from clients. */
  in: number;
  /** Bytes handed to clients' sockets. */
  out: number;
  /** Connections accepted. */
  accepted: number;
}

/** Most grants at one instant before the controller counts as spinning (a timer it re-arms for "now" forever). */
export const MAX_GRANTS_PER_INSTANT = 10_000;

/** Simulated time a controller gets to start (connect, discover) before the scenario's t=0; like an in-process module's. */
export const LOCKSTEP_STARTUP_BUDGET_MS = 60_000;

/**
 * Whether this run drives the bench's controller process in lock step: virtual time, a `dut.command`, and either
 * asked for (`--time-mode lockstep`) or declared by the bench (`dut.clock: lockstep`) with no in-process module to
 * prefer.
 */
export function usesLockstep(bench: Bench, mode: 'real' | 'virtual', requested = false): boolean {
  const dut = bench.file.dut;
  if (mode !== 'virtual' || !dut?.command) return false;
  return requested || (dut.clock === 'lockstep' && !dut.module);
}

/** The bench's socketcand hubs and Modbus TCP servers, summed (see `WireTotals`). Lock step supports only these. */
export function benchWireTotals(inst: BenchInstance): () => WireTotals {
  const hubs = new Set<SocketcandServer>();
  for (const b of inst.can.values()) if (b.hub) hubs.add(b.hub);
  const tcp = [...inst.modbus.values()].flatMap((m) => (m.tcp ? [m.tcp] : []));
  return () => {
    const t: WireTotals = { in: 0, out: 0, accepted: 0 };
    for (const h of hubs) {
      const b = h.byteTotals();
      t.in += b.in;
      t.out += b.out;
      t.accepted += h.accepted;
    }
    for (const s of tcp) {
      t.in += s.stats.bytesIn;
      t.out += s.stats.bytesOut;
      t.accepted += s.stats.accepted;
    }
    return t;
  };
}

export interface LockstepDriverOptions {
  clock: VirtualClock;
  /** The harness's end of the controller's channel (fd 3). */
  channel: Socket;
  wire: () => WireTotals;
  /** Holds the bench's output to the controller outside its turns (the bench's `gate`). */
  gate: ConnectionGate;
  /** Wall-clock time the controller has to answer each grant (and its bytes to arrive); the bench's readyTimeout. */
  reportTimeoutMs: number;
  log?: (line: string) => void;
}

/**
 * Contract:
 * - Outside the controller's turns the bench's output to it is held (`gate`); a grant is written first, then that
 *   output is released, so the controller learns the instant before it reads what was sent at that instant.
 * - Between a grant and the controller's report, harness time stands still: whatever the controller sends in that
 *   time is handled at the granted instant (its frames and Modbus requests are stamped with it).
 * - At each instant the harness goes first (its timers due then), then the controller: it is granted the instant
 *   when its `wake` has come or when the harness has sent it bytes it has not yet reported reading, again and again
 *   until neither holds (so a controller may report before reading everything: it gets the same instant again). Only then does time move, to the next harness timer or controller wake, whichever is first.
 * - After a report the driver waits (wall clock, `reportTimeoutMs`) until the bench has received the `tx` bytes and
 *   accepted the `conns` connections the controller reports, stops reading the controller (bytes it sends late are
 *   handled after its next report), then lets the harness's event loop settle.
 * - A controller that breaks the protocol, does not answer within `reportTimeoutMs`, or closes its channel stops the
 *   driver: `failure` says why (one line), time stops moving, nothing throws; the runner ends the run with an error
 *   verdict and keeps what was judged and recorded.
 */
export class LockstepDriver {
  private readonly queue: ControllerMessage[] = [];
  private waiter: (() => void) | undefined;
  private closedWhy: string | undefined;
  private wake: number | null = null;
  private acked = 0;
  private isReady = false;
  private lastGrantAt = Number.NaN;
  private grantsHere = 0;
  /** Grants sent so far. */
  grants = 0;
  /** Why lock step stopped, if it did. */
  failure: string | undefined;

  constructor(private readonly o: LockstepDriverOptions) {
    const splitter = new LineSplitter((line) => {
      try {
        this.queue.push(parseControllerMessage(line));
      } catch (err) {
        this.closedWhy ??= (err as Error).message;
      }
      this.waiter?.();
    });
    o.channel.on('data', (chunk: Buffer) => {
      try {
        splitter.push(chunk);
      } catch (err) {
        this.closedWhy ??= (err as Error).message;
        this.waiter?.();
      }
    });
    o.channel.on('error', (err) => {
      this.closedWhy ??= `the lock-step channel failed: ${err.message}`;
      this.waiter?.();
    });
    o.channel.on('close', () => {
      this.closedWhy ??= 'the controller closed its lock-step channel (fd 3)';
      this.waiter?.();
    });
  }

  /** Whether the controller has said it is ready. */
  get ready(): boolean {
    return this.isReady;
  }

  /** Wait for the controller's hello (wall clock). Rejects with `HilTimeoutError` or `ProtocolError`. */
  async hello(timeoutMs: number): Promise<void> {
    const m = await this.next(timeoutMs, 'its hello');
    if (m.type !== 'hello') throw new ProtocolError(`lock step: the controller's first message must be a hello, got '${m.type}'`);
    this.o.log?.(`lock step: controller says hello (protocol ${m.protocol}${m.name ? `, ${m.name}` : ''})`);
  }

  /**
   * Drive time from now until the controller reports `ready` (at most `budgetMs` of simulated time). Rejects with
   * `HilTimeoutError` when the budget runs out, or the controller's failure.
   */
  async startUp(budgetMs = LOCKSTEP_STARTUP_BUDGET_MS): Promise<void> {
    const limit = this.o.clock.now() + budgetMs;
    await this.grant(); // the first grant: the controller learns the time
    while (!this.isReady && !this.failure && this.o.clock.now() < limit) await this.step(limit, () => this.isReady);
    if (this.failure) throw new ProtocolError(this.failure);
    if (!this.isReady) throw new HilTimeoutError(`lock step: the controller did not report ready within ${budgetMs / 1000} s of simulated time (its reports never carried "ready": true)`);
  }

  /** Move harness time to `target`, granting the controller its instants on the way. Stops early on a failure. */
  async advanceTo(target: number): Promise<void> {
    while (!this.failure) {
      if (await this.step(target)) return;
    }
  }

  /** Tell the controller the session is over (it may then run on in real time to shut down). */
  end(): void {
    if (!this.o.channel.destroyed) this.o.channel.end(encodeMessage({ type: 'end' }));
  }

  /** One instant: settle the controller at now, then move to the next instant up to `target`; true when there. */
  private async step(target: number, stopWhen?: () => boolean): Promise<boolean> {
    const clock = this.o.clock;
    await this.quiesce();
    if (this.failure || stopWhen?.()) return true;
    const next = Math.max(clock.now(), Math.min(clock.nextDue() ?? Infinity, this.wake ?? Infinity));
    if (next > target) {
      clock.advanceTo(target);
      await this.settleHarness();
      await this.quiesce();
      return true;
    }
    clock.advanceTo(next);
    await this.settleHarness();
    return false;
  }

  /** Grant the current instant while the controller is due or has unread bytes. */
  private async quiesce(): Promise<void> {
    const clock = this.o.clock;
    while (!this.failure && (this.o.wire().out > this.acked || (this.wake !== null && this.wake <= clock.now()))) await this.grant();
  }

  private async grant(): Promise<void> {
    const now = this.o.clock.now();
    if (now === this.lastGrantAt) {
      if (++this.grantsHere > MAX_GRANTS_PER_INSTANT) {
        this.failure = `lock step: the controller asked for the same instant ${MAX_GRANTS_PER_INSTANT} times (t=${now}): it re-arms a timer for "now" without end`;
        return;
      }
    } else {
      this.lastGrantAt = now;
      this.grantsHere = 0;
    }
    const rx = this.o.wire().out;
    this.grants++;
    try {
      if (this.closedWhy) throw new ProtocolError(this.closedWhy);
      // The grant goes first, then what the bench wrote for the controller: it reads the time before the bytes.
      this.o.channel.write(encodeMessage({ type: 'grant', now, rx }));
      this.o.gate.clientsTurn();
      let m: ControllerMessage;
      try {
        m = await this.next(this.o.reportTimeoutMs, `its report for the grant at ${new Date(now).toISOString()}`);
      } finally {
        this.o.gate.serverTurn();
      }
      if (m.type !== 'done') throw new ProtocolError(`lock step: expected a done report, got '${m.type}'`);
      this.accept(m);
      await this.arrived(m);
      // What the controller sends after its report (it should not) waits for its next report.
      this.o.gate.stopReading();
      await this.settleHarness();
    } catch (err) {
      this.failure = (err as Error).message;
    }
  }

  private accept(m: DoneMessage): void {
    // Fewer bytes read than were sent is allowed: the controller is granted the same instant again until it has read them.
    this.acked = m.rx;
    this.wake = m.wake;
    if (m.ready) this.isReady = true;
  }

  /** Wait (wall clock) until the bench has the bytes and connections the controller reports. */
  private async arrived(m: DoneMessage): Promise<void> {
    const deadline = Date.now() + this.o.reportTimeoutMs;
    for (;;) {
      const w = this.o.wire();
      if (w.in >= m.tx && w.accepted >= m.conns) return;
      if (Date.now() > deadline) {
        throw new HilTimeoutError(
          `lock step: the controller reported ${m.tx} bytes sent and ${m.conns} connection(s) opened, but the bench received ${w.in} bytes on ${w.accepted} connection(s) within ${this.o.reportTimeoutMs} ms`,
        );
      }
      await turn();
    }
  }

  /** Let the harness's event loop run until two turns change nothing it sends or receives. */
  private async settleHarness(): Promise<void> {
    let last = '';
    for (let quiet = 0; quiet < 2; ) {
      await turn();
      const w = this.o.wire();
      const snapshot = `${w.in} ${w.out} ${w.accepted}`;
      if (snapshot === last) quiet++;
      else {
        quiet = 0;
        last = snapshot;
      }
    }
  }

  private next(timeoutMs: number, what: string): Promise<ControllerMessage> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        const m = this.queue.shift();
        if (m) {
          done();
          resolve(m);
          return true;
        }
        if (this.closedWhy) {
          done();
          reject(new ProtocolError(this.closedWhy));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        done();
        reject(new HilTimeoutError(`lock step: the controller did not send ${what} within ${timeoutMs} ms of wall-clock time (see docs/lockstep.md)`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiter = undefined;
      };
      if (!check()) this.waiter = () => void check();
    });
  }
}

function turn(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}
