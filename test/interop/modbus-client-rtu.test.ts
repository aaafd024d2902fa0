/**
 * Our ModbusClient in RTU mode (modbus-serial connectRTUBuffered) against our RTU server over a socat pty pair.
 */
import { ModbusExceptionError } from '../../core/errors';
import { ModbusClient } from '../../protocols/modbus/client';
import { RegisterMap } from '../../protocols/modbus/register-map';
import { PtyPair } from '../../protocols/modbus/rtu/rtu-pty-pair';
import { ModbusRtuServer } from '../../protocols/modbus/rtu/rtu-server';
import { ModbusServerCore } from '../../protocols/modbus/server-core';
import { describeWithPeers } from '../support/peers';

describeWithPeers(['socat'], 'ModbusClient over RTU (socat pty pair, our RTU server)', () => {
  let pty: PtyPair | undefined;
  let server: ModbusRtuServer | undefined;
  let client: ModbusClient | undefined;
  const map = new RegisterMap()
    .addRegisters({ table: 'holding', start: 0, values: [10, 11, 12, 13] })
    .addBits({ table: 'coils', start: 0, length: 8 });

  beforeAll(async () => {
    pty = await PtyPair.start();
    const core = new ModbusServerCore();
    core.addUnit(5, map);
    server = await ModbusRtuServer.open({ path: pty.a, baudRate: 115200, parity: 'none', stopBits: 1, core });
    client = await ModbusClient.connectRtu(pty.b, { baudRate: 115200 }, { unitId: 5, timeoutMs: 5000 });
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
    await pty?.close();
  });

  it('reads, writes and gets exceptions', async () => {
    expect(await client!.readHolding(1, 3)).toEqual([11, 12, 13]);
    await client!.writeRegisters(0, [7, 8]);
    expect(map.get('holding', 0, 2)).toEqual([7, 8]);
    await client!.writeCoils(2, [true, true]);
    expect(await client!.readCoils(0, 4)).toEqual([false, false, true, true]);
    const e = await client!.readHolding(3, 2).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModbusExceptionError);
    expect(e).toMatchObject({ exceptionCode: 2 });
    expect(await client!.readHolding(0, 1)).toEqual([7]);
  });
});
