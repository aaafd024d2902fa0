import { ClosedError } from '../../../core/errors';
import { BaseCanBus } from '../base-bus';
import type { CanBusOptions } from '../bus';
import { copyFrame, type CanFrame } from '../frame';
import type { HubBus, HubMember } from './hub-bus';

/**
 * An in-process member of a socketcand hub bus (`SocketcandServer.attach`): emulators sit on the hub without TCP.
 * Frames it sends reach every TCP client and every other attached bus on that hub bus (synchronously, before
 * `send` resolves); frames they send reach it as copies. Closing it leaves the hub bus; closing the server closes
 * it (pending `recv` resolves null).
 */
export class HubAttachedBus extends BaseCanBus implements HubMember {
  readonly medium = 'socketcand-hub';
  readonly label: string;

  constructor(
    private readonly hubBus: HubBus,
    options: CanBusOptions = {},
    private readonly onClose: (bus: HubAttachedBus) => void = () => undefined,
  ) {
    super(hubBus.name, options);
    this.label = `attached bus on ${hubBus.name}`;
    hubBus.join(this);
  }

  protected transmit(frame: CanFrame): void {
    if (this.closed) throw new ClosedError(`CAN bus ${this.medium}:${this.channel}`);
    // With its own frames to deliver, this bus keeps the transmit copy for them (`ownFrame`); members copy.
    this.hubBus.broadcast(this, frame, this.receiveOwnMessages);
  }

  /** The transmit copy itself: every member copied what it keeps during `transmit`, nobody else holds it. */
  protected override ownFrame(copy: CanFrame): CanFrame {
    return copy;
  }

  /** @internal called by the hub bus. */
  receive(frame: Readonly<CanFrame>, _wire?: () => string, last = false): void {
    if (!this.accepts(frame)) return; // filtered out: no copy
    if (this.lendsOnly()) {
      // Only borrowers read this bus (a controller's listener that decodes and forgets): no copy at all.
      this.lend(frame);
      return;
    }
    // The last receiver keeps the payload buffer (nobody else reads it after): no allocation per frame.
    const copy = last ? copyFrame(frame, frame.data) : copyFrame(frame);
    // Receivers stamp with their own clock (CanFrame contract). Cleared, not deleted: a delete turns the frame into
    // a slow dictionary object on the hot path (copyFrame keeps one shape for all frames).
    copy.timestamp = undefined;
    this.deliver(copy);
  }

  protected closeMedium(): void {
    this.hubBus.leave(this);
    this.onClose(this);
  }
}

