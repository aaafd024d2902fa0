import type { Clock, TimerHandle } from '../../../../core/clock';
import { ConfigError, EncodeError } from '../../../../core/errors';
import type { CanBusOptions } from '../../../../protocols/can/bus';
import { loadDbc } from '../../../../protocols/can/dbc';
import { formatFrame, type CanFrame } from '../../../../protocols/can/frame';
import type { CliIo } from './cli-io';
import { parseFrameArg } from './frame-arg';
import { openMedium } from './open-medium';
import { parseSignalArgs } from './signal-args';

/** Options for {@link runSend}. */
export interface SendOptions {
  medium: string;
  /** Frames in compact form (`123#DEADBEEF`, `1FFFFFFF#00`, `123#R`). */
  frames?: readonly string[];
  /** DBC file for `message`. */
  dbc?: string;
  /** Message (name, or id as `0x351`/decimal) to encode from `set`; signals left out get their start value. */
  message?: string;
  /** `sig=value[,sig=value]` arguments. */
  set?: readonly string[];
  /** Send all frames every `periodMs` (ms on the bus clock, no drift). */
  periodMs?: number;
  /** Rounds to send (default 1, or until stopped when `periodMs` is given). */
  count?: number;
  signal?: AbortSignal;
  busOptions?: CanBusOptions;
}

/**
 * Build the frames `send` would put on the bus, without opening it. Throws `ConfigError` naming a malformed
 * frame, a bad `--set`, an unknown message or signal, or a value the signal cannot carry (the DBC's own
 * `EncodeError` message, which names message and signal).
 */
export function buildSendFrames(options: Pick<SendOptions, 'frames' | 'dbc' | 'message' | 'set'>): CanFrame[] {
  const frames = (options.frames ?? []).map(parseFrameArg);
  if (options.message === undefined) {
    if (options.dbc !== undefined) throw new ConfigError('--dbc needs --message NAME (the message to encode)');
    if (options.set?.length) throw new ConfigError('--set needs --dbc FILE and --message NAME');
  } else {
    if (options.dbc === undefined) throw new ConfigError(`--message ${options.message} needs --dbc FILE`);
    const db = loadDbc(options.dbc);
    const values = parseSignalArgs(options.set ?? []);
    const key = /^(0x[0-9a-f]+|\d+)$/i.test(options.message) ? Number(options.message) : options.message;
    try {
      frames.push(db.encode(key, values, { allowMissing: true }));
    } catch (err) {
      if (err instanceof EncodeError) throw new ConfigError(`${err.message}`, options.dbc, { cause: err });
      throw err;
    }
  }
  if (frames.length === 0) throw new ConfigError('nothing to send: give frames like 123#DEADBEEF, or --dbc FILE --message NAME --set sig=value');
  return frames;
}

/**
 * `hil can send`: put frames on a medium once, `count` times back to back, or every `periodMs` (due times on the
 * bus clock, so no drift) until `count` rounds or the signal. Bad arguments fail before the medium is opened.
 * Writes a summary line to `err`. Resolves with the number of frames sent.
 */
export async function runSend(options: SendOptions, io: CliIo): Promise<{ sent: number }> {
  const frames = buildSendFrames(options);
  const rounds = options.count ?? (options.periodMs !== undefined ? Infinity : 1);
  const bus = await openMedium(options.medium, options.busOptions, (l) => io.err(`send: ${l}`));
  let sent = 0;
  try {
    const start = bus.clock.now();
    for (let round = 0; round < rounds && !options.signal?.aborted; round++) {
      if (options.periodMs !== undefined && round > 0) {
        if (!(await sleepUntil(bus.clock, start + round * options.periodMs, options.signal))) break;
      }
      for (const frame of frames) {
        await bus.send(frame);
        sent++;
      }
    }
  } finally {
    await bus.close();
  }
  const what = frames.length === 1 ? formatFrame(frames[0]!) : `${frames.length} frames per round`;
  io.err(`send: ${sent} frame${sent === 1 ? '' : 's'} to ${options.medium} (${what})`);
  return { sent };
}

/** Wait until `at` on `clock`; false if the signal aborted first. */
function sleepUntil(clock: Clock, at: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clock.clearTimer(timer);
      resolve(false);
    };
    const timer: TimerHandle = clock.setTimer(at, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
