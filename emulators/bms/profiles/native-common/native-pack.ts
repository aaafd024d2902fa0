/**
 * The attach scaffolding the native EV pack profiles share: counted sends, the wake watch over the vehicle side, one
 * drift-free tick that is gated by it (asleep: nothing sent; a 'comms-loss' fault: silenced, counted), the frame
 * listener and an idempotent detach. What differs by pack (periods, wake and relay rules, timeouts from its sources)
 * stays in the profile as options and hooks. The diagnostic link is in ./native-diag.ts (imported only by the
 * profiles that have one).
 */
import type { Clock } from '../../../../core/clock';
import type { CanBus } from '../../../../protocols/can/bus';
import type { CanFrame } from '../../../../protocols/can/frame';
import type { BmsDevice } from '../../device/bms-device';
import { emptyCanProfileStats, sendCounted, type CanProfileAttachment, type CanProfileStats } from '../can-link';
import { startTicker, VehicleWatch, type VehicleWatchOptions } from './ticker';

/** What every native profile's attach options have (its own options interface extends this). */
export interface NativeAttachOptions {
  /** Clock of the tick, the watches and the diagnostic link (default the bus's). */
  clock?: Clock;
  /** A send the bus refused (counted in `stats.sendErrors` either way). */
  onSendError?: (err: unknown) => void;
}

/** The pack's own rules, from its sources (or marked assumed there). */
export interface NativePackRules {
  /** The tick, ms (every native pack: 10). */
  tickMs: number;
  /**
   * The wake watch (./ticker.ts `VehicleWatch`): no keep-alive for `keepAliveMs` calls `onLost` (default: nothing);
   * for `sleepMs`, asleep until the next keep-alive. `Infinity` for a rule the pack does not have.
   */
  wake: Omit<VehicleWatchOptions, 'onLost'> & { onLost?: () => void };
  /** The state at attach, before any keep-alive: asleep (default awake) and / or lost (default not). */
  initially?: { asleep?: boolean; lost?: boolean };
}

/** What a profile hands to {@link NativePack.start}. */
export interface NativeCycle {
  /**
   * First on every tick: the profile's own watches and relay rules, in the order its contract gives, with
   * `pack.wake.check()` among them (the gate below reads `wake.awake` after this).
   */
  check(): void;
  /**
   * The sends of one awake tick not silenced by a 'comms-loss' fault. `tick` counts the awake ticks from the last
   * wake-up (0 at attach or at the first tick after a keep-alive woke the pack): the periods are `tick % n === 0`.
   */
  broadcast(tick: number): void;
  /** A frame on the bus, not extended, not an error frame, while attached; the profile filters ids itself. */
  onFrame(f: CanFrame): void;
}

/**
 * One attached native pack. Contract: `send` never throws (./can-link.ts `sendCounted`); the cycle runs `check`,
 * then, awake, counts the tick and either counts a silenced tick (comms-loss) or runs `broadcast`; `keepAlive()`
 * counts a heartbeat, tells the device and wakes the watch (restarting the tick count when it was asleep);
 * `detach()` unsubscribes, runs the `onDetach` closers in order, stops the tick; idempotent; the bus stays open.
 */
export class NativePack {
  readonly clock: Clock;
  readonly stats: CanProfileStats = emptyCanProfileStats();
  readonly wake: VehicleWatch;
  private isAttached = true;
  private awakeTicks = 0;
  private readonly closers: Array<() => void> = [];
  private unsubscribe: () => void = () => undefined;
  private stopTicker: () => void = () => undefined;

  constructor(
    readonly device: BmsDevice,
    readonly bus: CanBus,
    private readonly o: NativeAttachOptions,
    private readonly rules: NativePackRules,
  ) {
    this.clock = o.clock ?? bus.clock;
    this.wake = new VehicleWatch(this.clock, { ...rules.wake, onLost: rules.wake.onLost ?? (() => undefined) });
    if (rules.initially?.asleep) this.wake.awake = false;
    if (rules.initially?.lost) this.wake.lost = true;
  }

  get attached(): boolean {
    return this.isAttached;
  }

  /** Send one frame, counted (a refused send is a counted send error, never a throw). */
  readonly send = (f: CanFrame): void => sendCounted(this.bus, f, this.stats, this.o.onSendError);

  /** The frame is not an RTR and has `length` bytes; otherwise counted as malformed (false). */
  wellFormed(f: CanFrame, length: number): boolean {
    if (!f.rtr && f.data.length === length) return true;
    this.stats.malformedIgnored++;
    return false;
  }

  /** The wake watch heard the vehicle; true when it was asleep or lost. The tick count restarts after a sleep. */
  heard(): boolean {
    if (!this.wake.awake) this.awakeTicks = 0;
    return this.wake.heard();
  }

  /** A keep-alive of the vehicle: a counted heartbeat, `device.heartbeat()`, then {@link heard}. */
  keepAlive(): boolean {
    this.stats.heartbeats++;
    this.device.heartbeat();
    return this.heard();
  }

  /** Something more to close on `detach()` (after the listener, before the tick), e.g. a diagnostic link. */
  onDetach(close: () => void): void {
    this.closers.push(close);
  }

  /** Listen and start the tick (the first tick runs now). Call once, after the profile has set everything up. */
  start(c: NativeCycle): void {
    this.unsubscribe = this.bus.onFrame((f) => {
      if (this.isAttached && !f.extended && !f.error) c.onFrame(f);
    });
    this.stopTicker = startTicker(this.clock, this.rules.tickMs, () => {
      c.check();
      if (!this.wake.awake) return;
      const tick = this.awakeTicks++;
      if (this.device.faults.commsLost) {
        this.stats.silencedByCommsLoss++;
        return;
      }
      c.broadcast(tick);
    });
  }

  /** The `CanProfileAttachment` part of the profile's handle (spread it into the handle). */
  attachment(protocol: string): CanProfileAttachment {
    return { protocol, stats: this.stats, detach: () => this.detach() };
  }

  detach(): void {
    if (!this.isAttached) return;
    this.isAttached = false;
    this.unsubscribe();
    for (const close of this.closers) close();
    this.stopTicker();
  }
}

/** Request the contactors only when the wanted state changes (the first call requests when it differs from open). */
export function contactorRequester(device: BmsDevice): (want: boolean) => void {
  let closing = false;
  return (want) => {
    if (want === closing) return;
    closing = want;
    device.requestContactors(want);
  };
}
