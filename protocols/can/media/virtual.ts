import { ClosedError } from '../../../core/errors';
import { BaseCanBus } from '../base-bus';
import type { CanBusOptions } from '../bus';
import { copyFrame, type CanFrame } from '../frame';

/** Options for the in-process virtual medium. */
export interface VirtualBusOptions extends CanBusOptions {}

/** Buses joined on one channel name in this process. */
class VirtualChannel {
  readonly members = new Set<VirtualBus>();
  constructor(readonly name: string) {}
}

const channels = new Map<string, VirtualChannel>();

/**
 * In-process CAN, keyed by channel name (python-can `virtual`, STYLE.md point 3): every bus opened on the same
 * channel sees the frames the others send, as copies, synchronously during `send`. Sending on a closed bus throws
 * `ClosedError`.
 */
export class VirtualBus extends BaseCanBus {
  readonly medium = 'virtual';
  private readonly hub: VirtualChannel;

  constructor(channel: string, options: VirtualBusOptions = {}) {
    super(channel, options);
    let hub = channels.get(channel);
    if (!hub) {
      hub = new VirtualChannel(channel);
      channels.set(channel, hub);
    }
    this.hub = hub;
    hub.members.add(this);
  }

  protected transmit(frame: CanFrame): void {
    if (this.closed) throw new ClosedError(`CAN bus virtual:${this.channel}`);
    for (const peer of this.hub.members) {
      if (peer !== this) peer.receive(copyFrame(frame));
    }
  }

  /** @internal delivery from a peer on the same channel. */
  receive(frame: CanFrame): void {
    this.deliver(frame);
  }

  protected closeMedium(): void {
    this.hub.members.delete(this);
    if (this.hub.members.size === 0) channels.delete(this.hub.name);
  }
}

/** Channels with at least one open bus (for leak checks in tests). */
export function openVirtualChannels(): string[] {
  return [...channels.keys()];
}
