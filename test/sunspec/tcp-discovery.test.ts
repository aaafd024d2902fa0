/**
 * Our own Modbus client over TCP against the inverter's SunSpec map on our TCP server: discovery (SunS at 50000
 * after exceptions at 40000 and 0), the chain read in 125-register chunks, and the official-JSON conformance
 * check done over the wire.
 */
import { constant } from '../../emulators/inverter/irradiance';
import { Inverter } from '../../emulators/inverter/inverter';
import { createInverterSunSpec } from '../../emulators/inverter/sunspec-map';
import { ModbusClient } from '../../protocols/modbus/client';
import { discoverSunSpec } from '../../protocols/modbus/sunspec';
import { ModbusTcpServer } from '../../protocols/modbus/tcp/tcp-server';
import { expectMatchesOfficial, haveOfficialModels } from './official-models';

describe('SunSpec over Modbus TCP with our client', () => {
  let server: ModbusTcpServer | undefined;
  let client: ModbusClient | undefined;
  const inv = new Inverter({ profile: constant(700), seed: 21, phases: 'split' });
  const { device } = createInverterSunSpec(inv, { base: 50000 });

  beforeAll(async () => {
    for (let i = 0; i < 300; i++) inv.step(0.1);
    server = new ModbusTcpServer();
    server.core.addUnit(1, device);
    const { port } = await server.listen();
    client = await ModbusClient.connectTcp('127.0.0.1', port, { timeoutMs: 2000 });
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('discovers the chain over the wire', async () => {
    const d = await discoverSunSpec((a, n) => client!.readHolding(a, n));
    expect(d.base).toBe(50000);
    expect(d.models.map((m) => m.id)).toEqual([1, 102, 120, 121, 122, 123, 160, 701, 702, 704]);
    expect(d.models[1]!.address).toBe(50000 + 2 + 68);
  });

  (haveOfficialModels ? it : it.skip)('matches the official model JSON point by point, read over the wire', async () => {
    const r = await expectMatchesOfficial(device, (a, n) => client!.readHolding(a, n));
    expect(r.points).toBeGreaterThan(300);
  });
});
