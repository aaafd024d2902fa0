import { ConfigError } from '../../../../core/errors';
import { makeFrame, type CanFrame } from '../../../../protocols/can/frame';

/**
 * Parse a frame in `cansend`'s compact form: `123#DEADBEEF` (3 hex digits: standard id), `1FFFFFFF#00` (8 hex
 * digits: extended id), `123#` (no data), `123#R` / `123#R4` (remote frame, optional dlc), data bytes optionally
 * separated by dots (`123#DE.AD.BE.EF`). Throws `ConfigError` naming the argument and what is wrong.
 */
export function parseFrameArg(text: string): CanFrame {
  const bad = (why: string): ConfigError => new ConfigError(`frame '${text}': ${why} (expected e.g. 123#DEADBEEF, 1FFFFFFF#00 or 123#R)`);
  const hash = text.indexOf('#');
  if (hash < 0) throw bad("no '#' between id and data");
  const idText = text.slice(0, hash);
  const rest = text.slice(hash + 1);
  if (!/^[0-9A-Fa-f]+$/.test(idText)) throw bad(`id '${idText}' is not hexadecimal`);
  if (idText.length !== 3 && idText.length !== 8) {
    throw bad(`id '${idText}' must have 3 hex digits (standard) or 8 (extended)`);
  }
  const id = parseInt(idText, 16);
  const extended = idText.length === 8;
  if (rest.startsWith('#')) throw bad('CAN FD frames are not supported by this command');
  try {
    if (/^[Rr]/.test(rest)) {
      const dlcText = rest.slice(1);
      if (dlcText !== '' && !/^[0-8]$/.test(dlcText)) throw bad(`remote frame length '${dlcText}' is not 0..8`);
      return makeFrame(id, [], { extended, rtr: true, ...(dlcText ? { dlc: Number(dlcText) } : {}) });
    }
    const hex = rest.replace(/\./g, '');
    if (!/^(?:[0-9A-Fa-f]{2})*$/.test(hex)) throw bad(`data '${rest}' is not pairs of hex digits`);
    const data: number[] = [];
    for (let i = 0; i < hex.length; i += 2) data.push(parseInt(hex.slice(i, i + 2), 16));
    if (data.length > 8) throw bad(`${data.length} data bytes; classic CAN carries at most 8`);
    return makeFrame(id, data, { extended });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw bad((err as Error).message);
  }
}
