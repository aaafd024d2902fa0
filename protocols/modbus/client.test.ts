import { ClosedError, DisconnectedError, HilTimeoutError, ModbusExceptionError, OperationError } from '../../core/errors';
import { ExceptionCode } from './device';
import { ModbusClient } from './client';
import { RegisterMap } from './register-map';
import { ModbusTcpServer } from './tcp/tcp-server';
import { refusedPort } from '../../test/support/ports';

describe('ModbusClient over TCP against our server', () => {
  let server: ModbusTcpServer;
  let client: ModbusClient;
  let map: RegisterMap;

  beforeEach(async () => {
    server = new ModbusTcpServer();
    map = new RegisterMap({ identification: { vendorName: 'Acme', productCode: 'BMS-1', majorMinorRevision: '2.3', modelName: 'Pack48' } })
      .addRegisters({ table: 'holding', start: 0, length: 50 })
      .addRegisters({ table: 'input', start: 100, values: [1, 2, 3] })
      .addBits({ table: 'coils', start: 0, length: 16 })
      .addBits({ table: 'discrete', start: 0, values: [true, false, true] });
    server.core.addUnit(1, map);
    server.core.addUnit(9, new RegisterMap().addRegisters({ table: 'holding', start: 0, values: [99] }));
    const { port } = await server.listen();
    // The answer timeout is only a failure bound here: a busy machine may hold a loopback answer up for a while.
    client = await ModbusClient.connectTcp('127.0.0.1', port, { timeoutMs: 5000 });
  });

  afterEach(async () => {
    await client.close();
    await server.close();
  });

  it('reads and writes every table, per unit id', async () => {
    await client.writeRegisters(10, [1, 2, 0xffff]);
    expect(map.get('holding', 10, 3)).toEqual([1, 2, 0xffff]);
    await client.writeRegister(0, 7);
    expect(await client.readHolding(0, 1)).toEqual([7]);
    expect(await client.readHolding(11, 2)).toEqual([2, 0xffff]);
    expect(await client.readInput(100, 3)).toEqual([1, 2, 3]);
    await client.writeCoils(1, [true, true, false, true]);
    await client.writeCoil(15, true);
    expect(await client.readCoils(0, 5)).toEqual([false, true, true, false, true]);
    expect(map.getBits('coils', 15)).toEqual([true]);
    expect(await client.readDiscreteInputs(0, 3)).toEqual([true, false, true]);
    expect(await client.readWriteRegisters(20, 2, 20, [5, 6])).toEqual([5, 6]);
    expect(await client.readHolding(0, 1, { unitId: 9 })).toEqual([99]);
  });

  it('reads device identification', async () => {
    const id = await client.readDeviceIdentification(2, 0);
    expect(id.conformityLevel).toBe(0x82);
    expect(id.objects).toEqual({ 0: 'Acme', 1: 'BMS-1', 2: '2.3', 5: 'Pack48' });
    expect((await client.readDeviceIdentification(1)).objects).toEqual({ 0: 'Acme', 1: 'BMS-1', 2: '2.3' });
    expect((await client.readDeviceIdentification(4, 5)).objects).toEqual({ 5: 'Pack48' });
  });

  it('maps exceptions and bad arguments to our error classes', async () => {
    const e = await client.readHolding(60, 2).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModbusExceptionError);
    expect(e).toMatchObject({ functionCode: 3, exceptionCode: ExceptionCode.IllegalDataAddress });
    await expect(client.readHolding(0, 1, { unitId: 42 })).rejects.toMatchObject({ exceptionCode: 0x0b });
    await expect(client.readHolding(0, 126)).rejects.toBeInstanceOf(RangeError);
    await expect(client.writeRegister(0, 70000)).rejects.toBeInstanceOf(RangeError);
  });

  it('times out with HilTimeoutError when the server does not answer, and the connection stays usable', async () => {
    // A timeout that must expire, so short; the answer after it still gets a margin of 1 s.
    const short = await ModbusClient.connectTcp('127.0.0.1', server.address.port, { timeoutMs: 1000 });
    try {
      server.core.faults.add({ fault: { kind: 'no-response' }, remaining: 1 });
      await expect(short.readHolding(0, 1)).rejects.toBeInstanceOf(HilTimeoutError);
      expect(await short.readHolding(0, 1)).toEqual([0]);
    } finally {
      await short.close();
    }
  });

  it('serializes concurrent calls', async () => {
    const reads = await Promise.all(Array.from({ length: 20 }, (_, i) => client.writeRegister(i, i * 2).then(() => client.readHolding(i, 1))));
    expect(reads.map((r) => r[0])).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
  });

  it('rejects with DisconnectedError when the server goes away and ClosedError after close', async () => {
    await server.close();
    await expect(client.readHolding(0, 1)).rejects.toBeInstanceOf(DisconnectedError);
    await client.close();
    await expect(client.readHolding(0, 1)).rejects.toBeInstanceOf(ClosedError);
  });

  it('fails to connect with OperationError', async () => {
    await expect(ModbusClient.connectTcp('127.0.0.1', await refusedPort())).rejects.toBeInstanceOf(OperationError);
  });
});
