/**
 * What every tiny native-pack vehicle controller does the same way (leaf, i3, zoe, kia64, tesla-legacy): it listens
 * to its pack bus from `start()` to `stop()`, sends on repeating timers, goes silent (stops sending, so the pack
 * drops its relays) once, and trips once, logging both. Subclasses add their frames and their judgement.
 */
import type { Clock } from '../../../core/clock';
import type { CanBus } from '../../../protocols/can/bus';
import type { CanFrame } from '../../../protocols/can/frame';
import { Every } from './every';
import type { NativeVehicle } from './vehicle-controller';

/** Options every vehicle takes. */
export interface VehicleSideOptions {
  /** Go silent at this many seconds after the vehicle was built (default never). */
  silentAtS?: number;
}

export abstract class VehicleSide<O extends VehicleSideOptions> implements NativeVehicle {
  /** Why it tripped, or undefined. */
  tripped: string | undefined;
  /** True once it stopped sending. */
  silent = false;
  protected readonly every: Every;
  private readonly t0: number;
  private unsubscribe: (() => void) | undefined;

  constructor(
    readonly name: string,
    protected readonly bus: CanBus,
    protected readonly clock: Clock,
    protected readonly o: O = {} as O,
    protected readonly log: (line: string) => void = () => undefined,
  ) {
    this.t0 = clock.now();
    this.every = new Every(clock);
  }

  /** Listen to the bus, then start the timers (`schedule`). */
  start(): void {
    this.unsubscribe = this.bus.onFrame((f) => this.onFrame(f));
    this.schedule();
  }

  stop(): void {
    this.unsubscribe?.();
    this.every.stop();
  }

  /** Stop sending (the pack then drops its relays and sleeps); logged once. */
  goSilent(why: string): void {
    if (this.silent) return;
    this.silent = true;
    this.log(`${this.name}: vehicle side silent (${why})`);
  }

  /** Add the vehicle's repeating sends to `this.every`. */
  protected abstract schedule(): void;

  /** Every frame the pack bus delivers. */
  protected abstract onFrame(f: CanFrame): void;

  /** Whether `silentAtS` is set and that time has come. */
  protected silentAtReached(): boolean {
    return this.o.silentAtS !== undefined && (this.clock.now() - this.t0) / 1000 >= this.o.silentAtS;
  }

  /** Send a standard frame; a failed send (bus closing) is dropped. Does not look at `silent`. */
  protected sendFrame(id: number, data: number[]): void {
    this.bus.send({ id, extended: false, data: Uint8Array.from(data) }).catch(() => undefined);
  }

  /** Record the first trip and log it (`note` appended); false when it had already tripped. */
  protected trip(why: string, note = ''): boolean {
    if (this.tripped) return false;
    this.tripped = why;
    this.log(`${this.name}: trip: ${why}${note}`);
    return true;
  }
}
