import { ConfigError } from '../../../../core/errors';
import type { CanFilter } from '../../../../protocols/can/bus';
import { MAX_EXT_ID, MAX_STD_ID } from '../../../../protocols/can/frame';

/**
 * Parse receive filters like candump's: `id[:mask][,id[:mask]...]`, hexadecimal (an optional `0x` is allowed).
 * A frame passes when `frame.id & mask == id & mask`. An id written with 8 hex digits (or above 0x7FF) filters
 * extended frames, a shorter one standard frames. The mask defaults to all id bits (exactly that id).
 * Throws `ConfigError` naming the bad part.
 */
export function parseFilterArg(text: string): CanFilter[] {
  const filters: CanFilter[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const m = /^(?:0x)?([0-9A-Fa-f]{1,8})(?::(?:0x)?([0-9A-Fa-f]{1,8}))?$/.exec(part);
    if (!m) {
      throw new ConfigError(`filter '${part}' is not id[:mask] in hex (e.g. 351, 350:7F0, 18FF50E5:1FFFFFFF)`);
    }
    const id = parseInt(m[1]!, 16);
    const extended = m[1]!.length === 8 || id > MAX_STD_ID;
    if (id > MAX_EXT_ID) throw new ConfigError(`filter '${part}': id 0x${m[1]} does not fit 29 bits`);
    const full = extended ? MAX_EXT_ID : MAX_STD_ID;
    const mask = m[2] !== undefined ? parseInt(m[2], 16) & full : full;
    filters.push({ id, mask, extended });
  }
  if (filters.length === 0) throw new ConfigError(`filter '${text}' names no id`);
  return filters;
}
