import { ConfigError, MediumLoadError, UnknownMediumError } from '../../core/errors';
import type { CanBus, CanBusOptions } from './bus';
import { parseMediumUrl, type MediumUrl } from './medium-url';

/** Opens a bus for a parsed medium string. Each medium module exports one. */
export type MediumOpener = (url: MediumUrl, options: CanBusOptions) => Promise<CanBus>;

/**
 * Media by name, loaded on first use (STYLE.md point 2): a medium whose optional dependency is missing fails with
 * `MediumLoadError` only when someone asks for it, and an unknown name fails with `UnknownMediumError`.
 */
const loaders = new Map<string, () => MediumOpener>();

/** Register (or replace) a medium. */
export function registerMedium(name: string, load: () => MediumOpener): void {
  loaders.set(name, load);
}

/** Names of the registered media. */
export function knownMedia(): string[] {
  return [...loaders.keys()];
}

registerMedium('virtual', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openVirtualBus } = require('./media/virtual') as typeof import('./media/virtual');
  return async (url, options) => {
    if (!url.channel) throw new ConfigError(`'${url.raw}': the virtual medium needs a channel name (virtual:bus0)`);
    return openVirtualBus(url, options); // virtual:bus0?bitrate=500000&stuffing=exact
  };
});

/**
 * Open a bus from a medium string (`virtual:bus0`, `socketcand://host:port/bus`, `slcan:///dev/ttyX`,
 * `socketcan://can0`). Throws `ConfigError` for a malformed string, `UnknownMediumError`, `MediumLoadError`, or
 * the medium's own error (`InterfaceNotAvailableError`, `OperationError`) when opening fails.
 */
export async function openBus(medium: string, options: CanBusOptions = {}): Promise<CanBus> {
  const url = parseMediumUrl(medium);
  const load = loaders.get(url.medium);
  if (!load) throw new UnknownMediumError(url.medium, knownMedia());
  let opener: MediumOpener;
  try {
    opener = load();
  } catch (err) {
    throw new MediumLoadError(url.medium, { cause: err });
  }
  return opener(url, options);
}

registerMedium('socketcand', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SocketcandBus } = require('./media/socketcand') as typeof import('./media/socketcand');
  return async (url, options) => {
    if (!url.channel) {
      throw new ConfigError(`'${url.raw}': the socketcand medium needs a bus name (socketcand://host:port/bus)`);
    }
    return SocketcandBus.connect({ ...options, host: url.host ?? '127.0.0.1', port: url.port ?? 29536, bus: url.channel });
  };
});

registerMedium('slcan', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openSlcanUrl } = require('./media/slcan') as typeof import('./media/slcan');
  return openSlcanUrl;
});

registerMedium('socketcan', () => {
  // The medium module is light; it requires the native `socketcan` package only after checking the interface.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { openSocketCanUrl } = require('./media/socketcan') as typeof import('./media/socketcan');
  return (url, options) => openSocketCanUrl(url, options);
});
