/** The reference controller's reconnecting Modbus/TCP master against our TCP server, on loopback. */
import { VirtualClock } from '../../core/clock';
import { ClosedError, DisconnectedError, OperationError } from '../../core/errors';
import { ReconnectingTcpMaster } from '../../examples/controllers/reference/reconnecting-master';
import type { ModbusDevice } from '../../protocols/modbus/device';
import { ModbusTcpServer } from '../../protocols/modbus/tcp/tcp-server';
import { refusedPort } from '../support/ports';
import { startTcpRelay, type TcpRelay } from '../support/tcp-relay';

const device: ModbusDevice = { readHoldingRegisters: (a, q) => Array.from({ length: q }, (_, i) => (a + i) & 0xffff) };

describe('ReconnectingTcpMaster', () => {
  const servers: ModbusTcpServer[] = [];
  const relays: TcpRelay[] = [];
  let master: ReconnectingTcpMaster | undefined;
  afterEach(async () => {
    await master?.close();
    master = undefined;
    for (const r of relays.splice(0)) await r.close();
    for (const s of servers.splice(0)) await s.close();
  });

  async function serve(): Promise<number> {
    const s = new ModbusTcpServer({ port: 0 });
    s.core.addUnit(1, device);
    servers.push(s);
    return (await s.listen()).port;
  }

  it('reconnects after the connection is dropped, at most once per retryMs', async () => {
    const clock = new VirtualClock(0);
    // Through a relay that drops connections but keeps its address: no port released and listened on again.
    const relay = await startTcpRelay(await serve());
    relays.push(relay);
    master = await ReconnectingTcpMaster.connect('127.0.0.1', relay.port, clock, { unitId: 1, timeoutMs: 5000, retryMs: 1000 });
    expect(await master.readHolding(10, 2)).toEqual([10, 11]);
    await relay.cut();
    await expect(master.readHolding(10, 2)).rejects.toBeInstanceOf(DisconnectedError);
    // Within retryMs: no attempt, an immediate DisconnectedError.
    await expect(master.readHolding(10, 2)).rejects.toThrow(/is down \(next attempt within 1000 ms\)/);
    clock.advance(1000);
    expect(await master.readHolding(20, 1)).toEqual([20]);
    expect(master.reconnects).toBe(1);
  });

  it('fails connect with OperationError when nothing listens, and rejects calls with ClosedError after close', async () => {
    await expect(ReconnectingTcpMaster.connect('127.0.0.1', await refusedPort(), new VirtualClock(0))).rejects.toBeInstanceOf(OperationError);
    master = await ReconnectingTcpMaster.connect('127.0.0.1', await serve(), new VirtualClock(0));
    await master.close();
    await master.close();
    await expect(master.readHolding(0, 1)).rejects.toBeInstanceOf(ClosedError);
  });
});
