import type { Clock } from '../../../core/clock';
import type { CanFrame } from '../frame';
import { formatFrameMessage } from './messages';

/**
 * Something on a hub bus that receives frames: a TCP client session or an in-process attached bus.
 *
 * Contract: `receive` is called synchronously during the sender's `broadcast`, never for the member's own frames.
 * The frame is shared between members and must not be modified; `wire()` returns the raw-mode message for it
 * (formatted once per frame, on first use; call it during `receive` only). `last` is true for the frame's last receiver: nobody reads the frame
 * after it, so that member may keep its payload buffer instead of copying it (zero-copy delivery to in-process
 * buses). A member never throws from `receive` (it counts its own drops).
 */
export interface HubMember {
  /** Short label for logs: `client 127.0.0.1:50312` or `attached`. */
  readonly label: string;
  receive(frame: Readonly<CanFrame>, wire: () => string, last: boolean): void;
}

/** Counters of one hub bus. */
export interface HubBusStats {
  name: string;
  /** Members now: TCP clients that opened it plus attached in-process buses. */
  members: number;
  /** Frames put on the bus by any member. */
  frames: number;
  /** Frame copies handed to members (frames x receivers). */
  deliveries: number;
  /** Frame copies members dropped (slow clients over their write bound). */
  dropped: number;
}

/** One named bus on the hub: relays each frame to every member but its sender. */
export class HubBus {
  readonly members = new Set<HubMember>();
  readonly stats: HubBusStats;

  constructor(
    readonly name: string,
    private readonly clock: Clock,
  ) {
    this.stats = { name, members: 0, frames: 0, deliveries: 0, dropped: 0 };
  }

  join(member: HubMember): void {
    this.members.add(member);
    this.stats.members = this.members.size;
  }

  leave(member: HubMember): void {
    this.members.delete(member);
    this.stats.members = this.members.size;
  }

  /** Frame being relayed, its hub time and its raw-mode message once formatted (for the shared `wire` function). */
  private relayedFrame: CanFrame | undefined;
  private relayedMs = 0;
  private relayedWire: string | undefined;
  /** One function for every broadcast (no closure per frame): the raw-mode message of the frame being relayed. */
  private readonly wire = (): string => (this.relayedWire ??= formatFrameMessage(this.relayedFrame!, this.relayedMs));

  /**
   * Relay a validated frame from `from` to all other members, stamped with the hub clock. `senderKeeps`: the sender
   * delivers this very object to its own receivers afterwards (`receiveOwnMessages`), so no member may keep its
   * payload (`last` is false for all).
   */
  broadcast(from: HubMember | undefined, frame: CanFrame, senderKeeps = false): void {
    const ms = this.clock.now();
    frame.timestamp = ms;
    frame.channel = this.name;
    this.stats.frames++;
    // A member's listener may send on this bus while it receives (a nested broadcast): keep the outer frame's state.
    const outerFrame = this.relayedFrame;
    const outerMs = this.relayedMs;
    const outerWire = this.relayedWire;
    this.relayedFrame = frame;
    this.relayedMs = ms;
    this.relayedWire = undefined;
    // The frame is the sender's transmit copy (BaseCanBus.send), owned by nobody else: its last receiver may keep it.
    let left = senderKeeps ? -1 : this.members.size - (from !== undefined && this.members.has(from) ? 1 : 0);
    try {
      for (const m of this.members) {
        if (m === from) continue;
        this.stats.deliveries++;
        m.receive(frame, this.wire, --left === 0);
      }
    } finally {
      this.relayedFrame = outerFrame;
      this.relayedMs = outerMs;
      this.relayedWire = outerWire;
    }
  }

  /** A member reports it dropped a copy. */
  countDrop(): void {
    this.stats.dropped++;
  }
}
