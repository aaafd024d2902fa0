/**
 * The line of the Modbus RTU interop tests: our RTU server (115200 baud 8N1) on one end of a socat pty pair, the
 * other end for the master under test (mbpoll, pymodbus); opened before the file's tests, closed after them. Call
 * inside the `describe` body.
 */
import type { ModbusDevice } from '../../protocols/modbus/device';
import { ModbusRtuServer } from '../../protocols/modbus/rtu/rtu-server';
import { PtyPair } from '../../protocols/modbus/rtu/rtu-pty-pair';
import { ModbusServerCore } from '../../protocols/modbus/server-core';

export interface RtuLineOverPty {
  /** The master's end of the line (a pty path). */
  readonly masterPath: string;
  /** Our server on the other end (its counters). */
  readonly server: ModbusRtuServer;
}

/** `units()` (called once, before the tests) gives the unit ids and devices the server answers for. */
export function useRtuServerOverPty(units: () => Iterable<readonly [number, ModbusDevice]>): RtuLineOverPty {
  let pty: PtyPair | undefined;
  let server: ModbusRtuServer | undefined;

  beforeAll(async () => {
    pty = await PtyPair.start();
    const core = new ModbusServerCore();
    for (const [id, device] of units()) core.addUnit(id, device);
    server = await ModbusRtuServer.open({ path: pty.a, baudRate: 115200, parity: 'none', stopBits: 1, core });
  });

  afterAll(async () => {
    await server?.close();
    await pty?.close();
  });

  return {
    get masterPath() {
      if (!pty) throw new Error('no RTU line outside the tests');
      return pty.b;
    },
    get server() {
      if (!server) throw new Error('no RTU server outside the tests');
      return server;
    },
  };
}
