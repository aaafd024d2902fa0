import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { hostname } from 'node:os';
import type { Clock, TimerHandle } from '../../../core/clock';
import type { LogSink } from './stderr-log';

/** Options of the socketcand discovery beacon (off unless given). */
export interface BeaconOptions {
  /** Destination address (default 255.255.255.255, the limited broadcast). */
  address?: string;
  /** Destination UDP port (default 42000, as Kayak and socketcand use). */
  port?: number;
  /** Interval in ms (default 2000; the protocol asks for at most 3 s). */
  intervalMs?: number;
  /** Device name in the beacon (default the host name). */
  name?: string;
}

/** `<CANBeacon>` XML (socketcand doc/protocol.md "Service discovery"). */
export function beaconXml(name: string, url: string, buses: readonly string[]): string {
  const esc = (s: string): string =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const busXml = buses.map((b) => `<Bus name="${esc(b)}"/>`).join('');
  return `<CANBeacon name="${esc(name)}" type="SocketCAN" description="hil socketcand hub"><URL>${esc(url)}</URL>${busXml}</CANBeacon>`;
}

/**
 * Sends the beacon every `intervalMs` on the given clock until `stop()`. Send failures are logged, not thrown
 * (a host without a broadcast route must not take the hub down).
 */
export class Beacon {
  private readonly socket: UdpSocket;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private readonly address: string;
  private readonly port: number;
  private readonly intervalMs: number;
  private readonly name: string;
  /** Beacons sent. */
  sent = 0;

  constructor(
    private readonly clock: Clock,
    private readonly url: string,
    private readonly buses: () => string[],
    private readonly log: LogSink,
    options: BeaconOptions = {},
  ) {
    this.address = options.address ?? '255.255.255.255';
    this.port = options.port ?? 42000;
    this.intervalMs = options.intervalMs ?? 2000;
    this.name = options.name ?? hostname();
    this.socket = createSocket('udp4');
    this.socket.on('error', (err) => this.log(`beacon: ${err.message}`));
    this.socket.bind(0, () => {
      if (this.stopped) return;
      this.socket.setBroadcast(true);
      this.tick();
    });
  }

  private readonly tick = (): void => {
    if (this.stopped) return;
    const msg = Buffer.from(beaconXml(this.name, this.url, this.buses()));
    this.socket.send(msg, this.port, this.address, (err) => {
      if (err) this.log(`beacon to ${this.address}:${this.port} failed: ${err.message}`);
      else this.sent++;
    });
    this.timer = this.clock.setTimeout(this.tick, this.intervalMs);
  };

  stop(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
