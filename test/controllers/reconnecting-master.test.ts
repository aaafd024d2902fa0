/** The reference controller's reconnecting Modbus/TCP master against our TCP server, on loopback. */
import { VirtualClock } from '../../core/clock';
import { ClosedError, DisconnectedError, OperationError } from '../../core/errors';
import { ReconnectingTcpMaster } from '../../fixtures/controllers/reference/reconnecting-master';
import type { ModbusDevice } from '../../protocols/modbus/device';
import { ModbusTcpServer } from '../../protocols/modbus/tcp-server';

const device: ModbusDevice = { readHoldingRegisters: (a, q) => Array.from({ length: q }, (_, i) => (a + i) & 0xffff) };

describe('ReconnectingTcpMaster', () => {
  const servers: ModbusTcpServer[] = [];
  let master: ReconnectingTcpMaster | undefined;
  afterEach(async () => {
    await master?.close();
    master = undefined;
    for (const s of servers.splice(0)) await s.close();
  });

  async function serve(port = 0): Promise<number> {
    const s = new ModbusTcpServer({ port });
    s.core.addUnit(1, device);
    servers.push(s);
    return (await s.listen()).port;
  }

  it('reconnects after the server drops the connection, at most once per retryMs', async () => {
    const clock = new VirtualClock(0);
    const port = await serve();
    master = await ReconnectingTcpMaster.connect('127.0.0.1', port, clock, { unitId: 1, timeoutMs: 1000, retryMs: 1000 });
    expect(await master.readHolding(10, 2)).toEqual([10, 11]);
    await servers.shift()!.close(); // destroys the connection
    await expect(master.readHolding(10, 2)).rejects.toBeInstanceOf(DisconnectedError);
    await serve(port);
    // Within retryMs: no attempt, an immediate DisconnectedError.
    await expect(master.readHolding(10, 2)).rejects.toThrow(/is down \(next attempt within 1000 ms\)/);
    clock.advance(1000);
    expect(await master.readHolding(20, 1)).toEqual([20]);
    expect(master.reconnects).toBe(1);
  });

  it('fails connect with OperationError when nothing listens, and rejects calls with ClosedError after close', async () => {
    const port = await serve();
    await servers.shift()!.close();
    await expect(ReconnectingTcpMaster.connect('127.0.0.1', port, new VirtualClock(0))).rejects.toBeInstanceOf(OperationError);
    const port2 = await serve();
    master = await ReconnectingTcpMaster.connect('127.0.0.1', port2, new VirtualClock(0));
    await master.close();
    await master.close();
    await expect(master.readHolding(0, 1)).rejects.toBeInstanceOf(ClosedError);
  });
});
