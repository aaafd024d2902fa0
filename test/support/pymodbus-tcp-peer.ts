/**
 * The rig of the pymodbus TCP interop tests: our Modbus TCP server (port 0) with one device as unit 1, and a python
 * client script (`PyRequester`, started with `-c script 127.0.0.1 <port>` and `args`) driven by JSON requests;
 * opened before the file's tests, closed after them (client first). Call inside the `describe` body.
 */
import type { ModbusDevice } from '../../protocols/modbus/device';
import { ModbusTcpServer } from '../../protocols/modbus/tcp/tcp-server';
import { PyRequester } from './py-request';

export interface PymodbusTcpPeer {
  /** One JSON request to the script; its JSON answer. */
  ask(cmd: object): Promise<Record<string, unknown>>;
}

/** `unit()` (called once, before the tests) gives the device served as unit 1. */
export function usePymodbusTcpPeer(script: string, unit: () => ModbusDevice, args: readonly string[] = []): PymodbusTcpPeer {
  let server: ModbusTcpServer | undefined;
  let peer: PyRequester | undefined;

  beforeAll(async () => {
    server = new ModbusTcpServer();
    server.core.addUnit(1, unit());
    const { port } = await server.listen();
    peer = new PyRequester(['-c', script, '127.0.0.1', String(port), ...args]);
  });

  afterAll(async () => {
    await peer?.close();
    await server?.close();
  });

  return {
    ask(cmd) {
      if (!peer) throw new Error('no pymodbus peer outside the tests');
      return peer.ask(cmd);
    },
  };
}
