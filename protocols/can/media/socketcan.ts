import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ConfigError,
  DisconnectedError,
  FrameError,
  InterfaceNotAvailableError,
  MediumLoadError,
  OperationError,
} from '../../../core/errors';
import { BaseCanBus } from '../base-bus';
import type { CanBusOptions } from '../bus';
import { frameDlc, MAX_EXT_ID, MAX_STD_ID, type CanFrame } from '../frame';
import type { MediumUrl } from '../medium-url';

/**
 * A message object as the `socketcan` npm package (4.x) sends and receives it: `id` without flag bits, `ext`,
 * `rtr` and `err` flags, `data` as a Buffer whose length is the DLC, and kernel timestamps on receive.
 */
export interface SocketCanMessage {
  id: number;
  ext?: boolean;
  rtr?: boolean;
  err?: boolean;
  data: Buffer;
  ts_sec?: number;
  ts_usec?: number;
}

/**
 * The part of the package's `RawChannel` this medium uses; tests pass a fake (STYLE.md point 4).
 *
 * Contract: `addListener('onMessage', fn)` calls `fn` for each received frame; `'onStopped'` after `stop()` or
 * when the socket failed. `send` returns the bytes written, negative when the kernel refused (buffer full,
 * interface down). `start` begins receiving; `stop` releases the socket.
 */
export interface RawChannelLike {
  addListener(event: 'onMessage', fn: (msg: SocketCanMessage) => void): void;
  addListener(event: 'onStopped', fn: () => void): void;
  start(): void;
  stop(): void;
  send(msg: SocketCanMessage): number | void;
}

/** ARPHRD_CAN: the link type of CAN interfaces in /sys/class/net/<if>/type. */
const ARPHRD_CAN = 280;
const IFF_UP = 0x1;

/** Where the probe looks (tests point it at a temporary directory). */
export interface SocketCanHost {
  platform: NodeJS.Platform;
  /** Present when the kernel has CAN (`/proc/net/can`). */
  procNetCan: string;
  /** Network interfaces (`/sys/class/net`). */
  sysClassNet: string;
}

const linuxHost: SocketCanHost = { platform: process.platform, procNetCan: '/proc/net/can', sysClassNet: '/sys/class/net' };

/** Why a SocketCAN interface cannot be opened, or that it can. */
export type SocketCanProbe =
  | { ok: true }
  | { ok: false; reason: 'platform' | 'no-kernel-can' | 'no-interface' | 'not-can' | 'down'; message: string };

/** CAN interfaces present on the host (link type CAN), sorted. */
export function listCanInterfaces(host: SocketCanHost = linuxHost): string[] {
  if (!existsSync(host.sysClassNet)) return [];
  return readdirSync(host.sysClassNet)
    .filter((name) => readNumber(join(host.sysClassNet, name, 'type')) === ARPHRD_CAN)
    .sort();
}

/**
 * Check, without opening a socket, whether `iface` can be used: Linux, a kernel with CAN, the interface exists,
 * is a CAN interface and is up. The message is one line saying what to do.
 */
export function probeSocketCan(iface: string, host: SocketCanHost = linuxHost): SocketCanProbe {
  const no = (reason: Exclude<SocketCanProbe, { ok: true }>['reason'], why: string): SocketCanProbe => ({
    ok: false,
    reason,
    message: `SocketCAN interface '${iface}' is not available: ${why}`,
  });
  if (host.platform !== 'linux') {
    return no('platform', `SocketCAN exists only on Linux (this is ${host.platform}); use virtual:, socketcand:// or slcan://`);
  }
  if (!existsSync(host.procNetCan)) {
    return no('no-kernel-can', `this kernel has no CAN support (no ${host.procNetCan}); use virtual:, socketcand:// or slcan://`);
  }
  const dir = join(host.sysClassNet, iface);
  if (!existsSync(dir)) {
    const present = listCanInterfaces(host);
    const hint = present.length > 0 ? `CAN interfaces here: ${present.join(', ')}` : 'no CAN interfaces here (for a virtual one: sudo ip link add dev vcan0 type vcan && sudo ip link set vcan0 up)';
    return no('no-interface', `no such interface; ${hint}`);
  }
  const type = readNumber(join(dir, 'type'));
  if (type !== ARPHRD_CAN) return no('not-can', `it is not a CAN interface (link type ${type ?? 'unknown'}, CAN is ${ARPHRD_CAN})`);
  const flags = readNumber(join(dir, 'flags'));
  if (flags !== undefined && (flags & IFF_UP) === 0) {
    return no('down', `it is down (sudo ip link set ${iface} up type can bitrate 500000, or for vcan: sudo ip link set ${iface} up)`);
  }
  return { ok: true };
}

function readNumber(path: string): number | undefined {
  try {
    const n = Number(readFileSync(path, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Map a frame to the package's message object. Throws `FrameError` for what SocketCAN raw cannot send here. */
export function toSocketCanMessage(frame: CanFrame): SocketCanMessage {
  if (frame.error) throw new FrameError('SocketCAN cannot transmit error frames (the kernel reports them)');
  if (frame.fd) throw new FrameError('the socketcan medium does not carry CAN FD frames yet');
  const msg: SocketCanMessage = { id: frame.id, data: Buffer.from(frame.data) };
  if (frame.extended) msg.ext = true;
  if (frame.rtr) {
    msg.rtr = true;
    msg.data = Buffer.alloc(frameDlc(frame)); // the package takes the DLC from the buffer length
  }
  return msg;
}

/**
 * Map a received message to a frame, or `undefined` if it is malformed (counted by the bus). Kernel timestamps
 * become `timestamp` (epoch ms) when `kernelTime` is set, i.e. on a real clock.
 */
export function fromSocketCanMessage(msg: SocketCanMessage, kernelTime = true): CanFrame | undefined {
  if (typeof msg !== 'object' || msg === null || !Buffer.isBuffer(msg.data) || msg.data.length > 8) return undefined;
  const extended = msg.ext === true;
  const max = extended ? MAX_EXT_ID : MAX_STD_ID;
  if (!Number.isInteger(msg.id) || msg.id < 0 || (msg.id > max && !msg.err)) return undefined;
  const frame: CanFrame = { id: msg.id, extended, data: new Uint8Array(msg.data) };
  if (msg.err) frame.error = true;
  if (msg.rtr && !msg.err) {
    frame.rtr = true;
    frame.dlc = msg.data.length;
    frame.data = new Uint8Array(0);
  }
  if (kernelTime && typeof msg.ts_sec === 'number' && typeof msg.ts_usec === 'number') {
    frame.timestamp = msg.ts_sec * 1000 + msg.ts_usec / 1000;
  }
  return frame;
}

/** Options for {@link SocketCanBus}. */
export interface SocketCanBusOptions extends CanBusOptions {}

/**
 * A Linux SocketCAN raw socket through the optional `socketcan` package (STYLE.md point 2: loaded only when a
 * socketcan medium is opened). Other sockets on the same interface (other processes, or buses in this process)
 * see what this bus sends, as the kernel loops frames back locally. Frames are stamped with the kernel receive
 * time when the bus runs on a real clock.
 *
 * Contract beyond {@link CanBus}: sending an error frame or an FD frame throws `FrameError`; a send the kernel
 * refuses rejects with `OperationError`; once the socket stops without `close()` (interface gone), sends reject
 * with `DisconnectedError`. Error frames from the kernel arrive with `error: true`; the package keeps only the
 * low 11 bits of their class for standard-format ids.
 */
export class SocketCanBus extends BaseCanBus {
  readonly medium = 'socketcan';
  private lost = false;
  private stopping = false;

  constructor(
    iface: string,
    private readonly raw: RawChannelLike,
    options: SocketCanBusOptions = {},
  ) {
    super(iface, options);
    const kernelTime = this.clock.kind === 'real';
    raw.addListener('onMessage', (msg) => {
      const frame = fromSocketCanMessage(msg, kernelTime);
      if (frame) this.deliver(frame);
      else this.countMalformed();
    });
    raw.addListener('onStopped', () => {
      if (!this.stopping) this.lost = true;
    });
    raw.start();
  }

  protected transmit(frame: CanFrame): void {
    if (this.lost) throw new DisconnectedError(`SocketCAN interface '${this.channel}' stopped (interface down or removed)`);
    const result = this.raw.send(toSocketCanMessage(frame));
    if (typeof result === 'number' && result < 0) {
      throw new OperationError(`SocketCAN send on '${this.channel}' failed (transmit queue full or interface down)`);
    }
  }

  protected closeMedium(): void {
    this.stopping = true;
    this.raw.stop();
  }
}

/** Interface names as the kernel allows them (IFNAMSIZ 16 incl. NUL), nothing that walks a path. */
const IFACE_NAME = /^[A-Za-z0-9_.:-]{1,15}$/;

/** The `socketcan` package's entry point, as far as this medium uses it. */
interface SocketCanModule {
  createRawChannelWithOptions(iface: string, options: { timestamps?: boolean; non_block_send?: boolean }): RawChannelLike;
}

/** Hooks for tests: where to probe and how to load the package. */
export interface SocketCanOpenHooks {
  host?: SocketCanHost;
  load?: () => SocketCanModule;
}

/**
 * Open `socketcan://can0` / `socketcan:can0`. Throws `ConfigError` for a bad name, `InterfaceNotAvailableError`
 * (one line: no CAN in this kernel, no such interface, not CAN, down) before touching the package,
 * `MediumLoadError` if the package cannot be loaded, `OperationError` if the socket cannot be opened.
 */
export async function openSocketCanUrl(
  url: MediumUrl,
  options: SocketCanBusOptions = {},
  hooks: SocketCanOpenHooks = {},
): Promise<SocketCanBus> {
  const iface = url.channel;
  if (!IFACE_NAME.test(iface)) {
    throw new ConfigError(`'${url.raw}': '${iface}' is not an interface name (socketcan://can0 or socketcan:vcan0)`);
  }
  const unknown = Object.keys(url.params);
  if (unknown.length > 0) throw new ConfigError(`'${url.raw}': unknown parameter(s) ${unknown.join(', ')} (socketcan takes none; set the bitrate with ip link)`);
  const probe = probeSocketCan(iface, hooks.host);
  if (!probe.ok) throw new InterfaceNotAvailableError(probe.message);
  let mod: SocketCanModule;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = hooks.load ? hooks.load() : (require('socketcan') as SocketCanModule);
  } catch (err) {
    throw new MediumLoadError('socketcan', { cause: err });
  }
  let raw: RawChannelLike;
  try {
    raw = mod.createRawChannelWithOptions(iface, { timestamps: true, non_block_send: true });
  } catch (err) {
    throw new OperationError(`cannot open SocketCAN interface '${iface}': ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return new SocketCanBus(iface, raw, options);
}
