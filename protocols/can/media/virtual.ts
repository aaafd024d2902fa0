import type { Clock } from '../../../core/clock';
import { ClosedError, ConfigError } from '../../../core/errors';
import { BaseCanBus } from '../base-bus';
import type { CanBusOptions } from '../bus';
import { copyFrame, type CanFrame } from '../frame';
import type { StuffingMode } from '../frame-bits';
import type { MediumUrl } from '../medium-url';
import { VirtualWire, type VirtualWireStats, type WireMember } from './virtual-wire';

export type { VirtualWireStats } from './virtual-wire';

/** Options for the in-process virtual medium. */
export interface VirtualBusOptions extends CanBusOptions {
  /**
   * Model bit timing at this bitrate (bit/s): frames take their wire time on the bus clock, pending frames of all
   * members arbitrate by id, and `send` resolves when the frame has been transmitted. Without it the channel is
   * instantaneous and delivery is synchronous inside `send`. All buses on a channel must agree (the first sets it;
   * later ones may omit it), and in timed mode share one clock.
   */
  bitrate?: number;
  /** Stuff-bit counting for the timing model (default `exact`: computed from each frame's bits). */
  stuffing?: StuffingMode;
  /** Window for the bus load figure, ms on the bus clock (default 1000). */
  loadWindowMs?: number;
}

/** Buses joined on one channel name in this process. */
class VirtualChannel {
  readonly members = new Set<VirtualBus>();
  constructor(
    readonly name: string,
    readonly wire: VirtualWire | undefined,
  ) {}
}

const channels = new Map<string, VirtualChannel>();

/**
 * In-process CAN, keyed by channel name (python-can `virtual`, STYLE.md point 3): every bus opened on the same
 * channel sees the frames the others send, as copies. Sending on a closed bus throws `ClosedError`.
 *
 * Instantaneous (default): delivery happens synchronously during `send`, so a virtual-time benchmark runs as fast
 * as the CPU allows. With `bitrate`: see {@link VirtualBusOptions.bitrate}; `wireStats()` then gives the bus load
 * and queue figures. Error frames are controller notifications, not wire traffic: they are delivered at once in
 * either mode.
 */
export class VirtualBus extends BaseCanBus implements WireMember {
  readonly medium = 'virtual';
  private readonly hub: VirtualChannel;

  constructor(channel: string, options: VirtualBusOptions = {}) {
    super(channel, options);
    this.hub = joinChannel(channel, this.clock, options);
    this.hub.members.add(this);
    this.hub.wire?.join(this);
  }

  /** Whether this channel models bit timing. */
  get timed(): boolean {
    return this.hub.wire !== undefined;
  }

  /** Wire figures (bus load, queued frames) of a timed channel; `undefined` on an instantaneous one. */
  wireStats(): VirtualWireStats | undefined {
    return this.hub.wire?.stats();
  }

  /** Frames this bus has waiting for the wire (0 on an instantaneous channel). */
  get txQueueLength(): number {
    return this.hub.wire?.queuedFor(this) ?? 0;
  }

  protected transmit(frame: CanFrame): Promise<void> | void {
    if (this.closed) throw new ClosedError(`CAN bus virtual:${this.channel}`);
    const wire = this.hub.wire;
    if (wire && !frame.error) return wire.transmit(this, frame);
    for (const peer of this.hub.members) {
      if (peer !== this) peer.deliver(copyFrame(frame));
    }
  }

  /** @internal a frame another member transmitted on the timed wire. */
  fromWire(frame: CanFrame): void {
    this.deliver(frame);
  }

  protected closeMedium(): void {
    this.hub.wire?.leave(this, `CAN bus virtual:${this.channel}`);
    this.hub.members.delete(this);
    if (this.hub.members.size === 0) channels.delete(this.hub.name);
  }
}

function joinChannel(name: string, clock: Clock, options: VirtualBusOptions): VirtualChannel {
  const bitrate = options.bitrate;
  if (bitrate !== undefined && !(Number.isFinite(bitrate) && bitrate > 0)) {
    throw new ConfigError(`virtual:${name}: bitrate must be a positive number of bit/s, got ${String(bitrate)}`);
  }
  const stuffing = options.stuffing ?? 'exact';
  if (!['exact', 'worst', 'none'].includes(stuffing)) {
    throw new ConfigError(`virtual:${name}: stuffing must be exact, worst or none, got '${String(stuffing)}'`);
  }
  let hub = channels.get(name);
  if (!hub) {
    const wire = bitrate !== undefined ? new VirtualWire(clock, bitrate, stuffing, options.loadWindowMs ?? 1000) : undefined;
    hub = new VirtualChannel(name, wire);
    channels.set(name, hub);
    return hub;
  }
  const wire = hub.wire;
  if (!wire && bitrate !== undefined) {
    throw new ConfigError(`virtual:${name} is already open without a bit-timing model; cannot join it at ${bitrate} bit/s`);
  }
  if (wire && bitrate !== undefined && bitrate !== wire.bitrate) {
    throw new ConfigError(`virtual:${name} runs at ${wire.bitrate} bit/s; cannot join it at ${bitrate} bit/s`);
  }
  if (wire && wire.clock !== clock) {
    throw new ConfigError(`virtual:${name} models bit timing: every bus on it must use the same clock`);
  }
  return hub;
}

/**
 * Open a virtual bus from a medium string: `virtual:bench0`, `virtual:bench0?bitrate=500000&stuffing=worst`.
 * URL parameters override nothing given in `options` explicitly.
 */
export function openVirtualBus(url: MediumUrl, options: CanBusOptions & VirtualBusOptions = {}): VirtualBus {
  if (!url.channel) throw new ConfigError(`'${url.raw}': the virtual medium needs a channel name (virtual:bus0)`);
  const opts: VirtualBusOptions = { ...options };
  const { bitrate, stuffing, loadWindowMs, ...rest } = url.params;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) {
    throw new ConfigError(`'${url.raw}': unknown parameter(s) ${unknown.join(', ')} (known: bitrate, stuffing, loadWindowMs)`);
  }
  if (bitrate !== undefined && opts.bitrate === undefined) opts.bitrate = parseNumber(url.raw, 'bitrate', bitrate);
  if (stuffing !== undefined && opts.stuffing === undefined) opts.stuffing = stuffing as StuffingMode;
  if (loadWindowMs !== undefined && opts.loadWindowMs === undefined) {
    opts.loadWindowMs = parseNumber(url.raw, 'loadWindowMs', loadWindowMs);
  }
  return new VirtualBus(url.channel, opts);
}

function parseNumber(raw: string, key: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new ConfigError(`'${raw}': ${key}=${value} is not a positive number`);
  }
  return n;
}

/** Channels with at least one open bus (for leak checks in tests). */
export function openVirtualChannels(): string[] {
  return [...channels.keys()];
}
