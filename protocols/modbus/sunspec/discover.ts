/**
 * Client side of SunSpec discovery, as real clients do it: probe the base addresses (40000, 0, 50000) for `SunS`,
 * then walk the chain of models (ID, L) until 0xFFFF. Transport-agnostic: give it a function that reads holding
 * registers (over TCP, RTU, or straight from a `ModbusDevice`).
 */
import { ExceptionCode } from '../device';
import type { ModbusDevice } from '../device';
import { DecodeError, OperationError } from '../../../core/errors';
import { SUNS_MARKER, SUNSPEC_BASES } from './sunspec-device';

/** Read `quantity` holding registers at `address`; reject (or throw) on an exception or I/O error. */
export type ReadRegisters = (address: number, quantity: number) => Promise<ArrayLike<number>>;

export interface DiscoveredModel {
  id: number;
  /** Address of the model's ID register. */
  address: number;
  /** L: registers after ID and L. */
  length: number;
}

export interface Discovery {
  base: number;
  models: DiscoveredModel[];
}

/**
 * Find `SunS` and walk the chain. Throws `OperationError` when no base answers `SunS`, `DecodeError` when the chain
 * runs past the register space or exceeds `maxModels` (a loop or a broken device).
 */
export async function discoverSunSpec(read: ReadRegisters, bases: readonly number[] = SUNSPEC_BASES, maxModels = 256): Promise<Discovery> {
  let base: number | undefined;
  for (const b of bases) {
    try {
      const r = await read(b, 2);
      if (r[0] === SUNS_MARKER[0] && r[1] === SUNS_MARKER[1]) {
        base = b;
        break;
      }
    } catch {
      // Not here (exception or timeout): try the next base, as clients do.
    }
  }
  if (base === undefined) throw new OperationError(`no SunSpec marker 'SunS' at ${bases.join(', ')}`);
  const models: DiscoveredModel[] = [];
  let addr = base + 2;
  for (;;) {
    if (addr + 2 > 0x10000) throw new DecodeError(`SunSpec chain runs past the register space at ${addr}`);
    const hdr = await read(addr, 2);
    const id = hdr[0]!;
    const length = hdr[1]!;
    if (id === 0xffff) break;
    models.push({ id, address: addr, length });
    if (models.length > maxModels) throw new DecodeError(`SunSpec chain longer than ${maxModels} models`);
    addr += 2 + length;
  }
  return { base, models };
}

/** Read a whole block in chunks of at most 125 registers (the Modbus limit). */
export async function readBlock(read: ReadRegisters, address: number, quantity: number): Promise<number[]> {
  const out: number[] = [];
  for (let done = 0; done < quantity; done += 125) {
    const n = Math.min(125, quantity - done);
    out.push(...Array.from(await read(address + done, n)));
  }
  return out;
}

/** A `ReadRegisters` over a device in the same process (exceptions become rejections naming the code). */
export function readerFor(device: ModbusDevice): ReadRegisters {
  return async (address, quantity) => {
    const r = device.readHoldingRegisters?.(address, quantity);
    if (r === undefined) throw new OperationError('device does not serve holding registers');
    if (typeof r === 'number') throw new OperationError(`exception ${r} (${ExceptionCode[r]}) reading ${quantity} at ${address}`);
    return r;
  };
}
