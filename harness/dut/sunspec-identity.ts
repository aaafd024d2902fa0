/**
 * The controller's identity from its own SunSpec server (bench `dut.identity.sunspec`): a Modbus TCP client
 * (protocols/modbus/client.ts) reads model 1 with the project's SunSpec client (`readCommonModel`: discovery at
 * 40000, 0, 50000, then the Common model by its official layout). Evidence only: whatever goes wrong becomes a note
 * saying why the identity is absent, never an error of the run.
 */
import { ClosedError, DisconnectedError, HilTimeoutError, ModbusExceptionError } from '../../core/errors';
import { ModbusClient } from '../../protocols/modbus/client';
import { SUNSPEC_BASES } from '../../protocols/modbus/sunspec/sunspec-device';
import { readCommonModel } from '../../protocols/modbus/sunspec/common-model';
import type { SunSpecIdentityEndpoint } from '../bench/load-bench';
import { describeEndpoint, type SunSpecIdentityRead } from './sunspec-identity-note';

export { describeEndpoint, type SunSpecIdentityRead };

/**
 * Read the controller's SunSpec model 1. Connection refusals are retried (every 100 ms) until `timeoutMs` has passed,
 * for a controller that opens its port just after it said it was ready; every request is bounded by `timeoutMs`.
 * Never rejects.
 */
export async function readSunSpecIdentity(e: SunSpecIdentityEndpoint): Promise<SunSpecIdentityRead> {
  const where = describeEndpoint(e);
  const client = await connect(e).catch((err: unknown) => err as Error);
  if (client instanceof Error) return { note: `SunSpec model 1 not read: ${client.message} (${where})` };
  // Each probe's outcome, so the note can tell a silent server from one without the marker.
  const probes = new Map<number, string>();
  const read = async (address: number, quantity: number): Promise<number[]> => {
    try {
      const r = await client.readHolding(address, quantity, { unitId: e.unitId });
      if (quantity === 2 && (SUNSPEC_BASES as readonly number[]).includes(address) && !probes.has(address)) probes.set(address, `0x${hex(r[0])} 0x${hex(r[1])}`);
      return r;
    } catch (err) {
      if ((SUNSPEC_BASES as readonly number[]).includes(address) && !probes.has(address)) probes.set(address, outcome(err, e.timeoutMs));
      throw err;
    }
  };
  try {
    const r = await readCommonModel(read);
    return { common: r.values, note: `SunSpec model 1 at ${r.address} (SunS at ${r.base}) of ${where}` };
  } catch (err) {
    const outcomes = [...probes.values()];
    if (outcomes.length > 0 && outcomes.every((o) => o.startsWith('no reply'))) {
      return { note: `SunSpec model 1 not read: ${where} accepted the connection but nothing answered (no reply within ${e.timeoutMs} ms at ${SUNSPEC_BASES.join(', ')})` };
    }
    const seen = probes.size > 0 ? ` (read: ${[...probes].map(([a, o]) => `${a}: ${o}`).join('; ')})` : '';
    return { note: `SunSpec model 1 not read: ${(err as Error).message}${seen} (${where})` };
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function connect(e: SunSpecIdentityEndpoint): Promise<ModbusClient> {
  const deadline = Date.now() + e.timeoutMs;
  for (;;) {
    try {
      return await ModbusClient.connectTcp(e.host, e.port, { unitId: e.unitId, timeoutMs: e.timeoutMs });
    } catch (err) {
      if (Date.now() + 100 > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100)); // the controller may open its port just after its ready line
    }
  }
}

function outcome(err: unknown, timeoutMs: number): string {
  if (err instanceof HilTimeoutError) return `no reply within ${timeoutMs} ms`;
  if (err instanceof ModbusExceptionError) return `exception ${err.exceptionCode}`;
  if (err instanceof DisconnectedError || err instanceof ClosedError) return 'connection closed by the controller';
  return (err as Error).message;
}

function hex(n: number | undefined): string {
  return (n ?? 0).toString(16).padStart(4, '0');
}
