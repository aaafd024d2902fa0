import { ExceptionCode, type ModbusDevice } from './device';
import { ModbusServerCore, type RequestContext, type ServerTransaction } from './server-core';

/** A plain array-backed device: holding 0..99, input 0..9, coils 0..31. */
function arrayDevice(): ModbusDevice & { holding: number[]; coils: boolean[] } {
  const holding = Array.from({ length: 100 }, (_, i) => i * 3);
  const input = Array.from({ length: 10 }, (_, i) => 1000 + i);
  const coils = Array.from({ length: 32 }, () => false);
  const inRange = (a: number, q: number, n: number): boolean => a + q <= n;
  return {
    holding,
    coils,
    readHoldingRegisters: (a, q) => (inRange(a, q, 100) ? holding.slice(a, a + q) : ExceptionCode.IllegalDataAddress),
    readInputRegisters: (a, q) => (inRange(a, q, 10) ? input.slice(a, a + q) : ExceptionCode.IllegalDataAddress),
    readCoils: (a, q) => (inRange(a, q, 32) ? coils.slice(a, a + q) : ExceptionCode.IllegalDataAddress),
    writeCoils: (a, v) => {
      if (!inRange(a, v.length, 32)) return ExceptionCode.IllegalDataAddress;
      v.forEach((b, i) => (coils[a + i] = b));
      return undefined;
    },
    writeRegisters: (a, v) => {
      if (!inRange(a, v.length, 100)) return ExceptionCode.IllegalDataAddress;
      for (let i = 0; i < v.length; i++) holding[a + i] = v[i]!;
      return undefined;
    },
    identification: () => ({ vendorName: 'Acme', productCode: 'P1', majorMinorRevision: '1.2', modelName: 'M' }),
  };
}

const tcp = (unitId = 1): RequestContext => ({ transport: 'tcp', unitId });
const rtu = (unitId = 1): RequestContext => ({ transport: 'rtu', unitId });
const hex = (b: Uint8Array | null): string | null => (b ? Buffer.from(b).toString('hex') : null);

describe('ModbusServerCore', () => {
  it('reports each transaction with the request as it decoded it and whether the function writes', () => {
    const seen: ServerTransaction[] = [];
    const core = new ModbusServerCore({ onTransaction: (t) => seen.push(t) });
    core.addUnit(1, arrayDevice());
    core.handle(Uint8Array.of(3, 0, 2, 0, 2), tcp());
    core.handle(Uint8Array.of(16, 0, 10, 0, 2, 4, 0, 1, 0, 2), tcp());
    core.handle(Uint8Array.of(16, 0, 10, 0, 2, 3, 0, 1, 0), tcp()); // byte count 3 for 2 registers: malformed
    core.handle(Uint8Array.of(23, 0, 0, 0, 1, 0, 4, 0, 1, 2, 0, 7), tcp());
    core.handle(Uint8Array.of(6, 0, 1, 0, 9), tcp(9)); // nobody serves unit 9: still a write, answered 0x0B
    expect(seen.map((t) => t.write)).toEqual([false, true, true, true, true]);
    expect(seen[0]!.decoded).toEqual({ fc: 3, address: 2, quantity: 2 });
    expect(seen[1]!.decoded).toEqual({ fc: 16, address: 10, values: [1, 2] });
    expect(seen[2]!.decoded).toEqual({ fc: 16, exception: ExceptionCode.IllegalDataValue });
    expect(seen[3]!.decoded).toMatchObject({ fc: 23, writeAddress: 4, values: [7] });
    expect(seen[4]!.decoded).toEqual({ fc: 6, address: 1, value: 9 });
    expect(hex(seen[4]!.response)).toBe('860b');
  });

  it('reads holding registers and writes them, visible at once', () => {
    const core = new ModbusServerCore();
    const dev = arrayDevice();
    core.addUnit(1, dev);
    expect(hex(core.handle(Uint8Array.of(3, 0, 2, 0, 2), tcp()).pdu)).toBe('0304' + '0006' + '0009');
    expect(hex(core.handle(Uint8Array.of(6, 0, 5, 0x12, 0x34), tcp()).pdu)).toBe('0600051234');
    expect(dev.holding[5]).toBe(0x1234);
    expect(hex(core.handle(Uint8Array.of(16, 0, 10, 0, 2, 4, 0, 1, 0, 2), tcp()).pdu)).toBe('10000a0002');
    expect(dev.holding.slice(10, 12)).toEqual([1, 2]);
    expect(core.stats).toMatchObject({ requests: 3, responses: 3, exceptions: 0 });
  });

  it('answers exceptions: unknown function, bad quantity, bad address, unsupported function', () => {
    const core = new ModbusServerCore();
    core.addUnit(1, { readHoldingRegisters: () => [1] });
    expect(hex(core.handle(Uint8Array.of(0x42), tcp()).pdu)).toBe('c201');
    expect(hex(core.handle(Uint8Array.of(3, 0, 0, 0, 126), tcp()).pdu)).toBe('8303');
    expect(hex(core.handle(Uint8Array.of(3, 0xff, 0xff, 0, 2), tcp()).pdu)).toBe('8302');
    expect(hex(core.handle(Uint8Array.of(4, 0, 0, 0, 1), tcp()).pdu)).toBe('8401');
    expect(core.stats.exceptions).toBe(4);
  });

  it('unknown unit: TCP answers 0x0B, RTU is silent; TCP unit 255 reaches a lone unit', () => {
    const core = new ModbusServerCore();
    core.addUnit(7, arrayDevice());
    expect(hex(core.handle(Uint8Array.of(3, 0, 0, 0, 1), tcp(8)).pdu)).toBe('830b');
    expect(core.handle(Uint8Array.of(3, 0, 0, 0, 1), rtu(8)).pdu).toBeNull();
    expect(hex(core.handle(Uint8Array.of(3, 0, 1, 0, 1), tcp(255)).pdu)).toBe('03020003');
    expect(core.stats.unknownUnit).toBe(2);
  });

  it('RTU broadcast writes every unit and answers nothing; reads are ignored', () => {
    const core = new ModbusServerCore();
    const a = arrayDevice();
    const b = arrayDevice();
    core.addUnit(1, a);
    core.addUnit(2, b);
    expect(core.handle(Uint8Array.of(6, 0, 0, 0, 42), rtu(0)).pdu).toBeNull();
    expect([a.holding[0], b.holding[0]]).toEqual([42, 42]);
    expect(core.handle(Uint8Array.of(3, 0, 0, 0, 1), rtu(0)).pdu).toBeNull();
    expect(core.stats.broadcasts).toBe(1);
  });

  it('turns a throwing or malformed device into ServerDeviceFailure, never throwing', () => {
    const core = new ModbusServerCore();
    core.addUnit(1, {
      readHoldingRegisters: () => {
        throw new Error('model crashed');
      },
      readInputRegisters: () => [70000],
      readCoils: () => [true],
    });
    expect(hex(core.handle(Uint8Array.of(3, 0, 0, 0, 1), tcp()).pdu)).toBe('8304');
    expect(hex(core.handle(Uint8Array.of(4, 0, 0, 0, 1), tcp()).pdu)).toBe('8404');
    expect(hex(core.handle(Uint8Array.of(1, 0, 0, 0, 2), tcp()).pdu)).toBe('8104');
    expect(core.stats.deviceErrors).toBe(3);
  });

  it('FC23 writes before it reads; FC5 echoes; FC43/14 answers identification', () => {
    const core = new ModbusServerCore();
    const dev = arrayDevice();
    core.addUnit(1, dev);
    expect(hex(core.handle(Uint8Array.of(23, 0, 0, 0, 2, 0, 1, 0, 1, 2, 0xab, 0xcd), tcp()).pdu)).toBe('17040000abcd');
    expect(hex(core.handle(Uint8Array.of(5, 0, 3, 0xff, 0), tcp()).pdu)).toBe('050003ff00');
    expect(dev.coils[3]).toBe(true);
    const id = core.handle(Uint8Array.of(43, 14, 1, 0), tcp()).pdu!;
    expect(Buffer.from(id).subarray(0, 7).toString('hex')).toBe('2b0e0182000003');
    expect(hex(core.handle(Uint8Array.of(43, 14, 4, 4), tcp()).pdu)).toBe('ab02');
  });

  describe('faults', () => {
    it('exception, no-response (not executed), delay and ADU faults, with remaining counts', () => {
      const core = new ModbusServerCore();
      const dev = arrayDevice();
      core.addUnit(1, dev);
      core.faults.add({ fault: { kind: 'exception', code: ExceptionCode.ServerDeviceBusy }, functionCode: 3, remaining: 1 });
      expect(hex(core.handle(Uint8Array.of(3, 0, 0, 0, 1), tcp()).pdu)).toBe('8306');
      expect(hex(core.handle(Uint8Array.of(3, 0, 0, 0, 1), tcp()).pdu)).toBe('03020000');

      const stop = core.faults.add({ fault: { kind: 'no-response' }, functionCode: 6 });
      expect(core.handle(Uint8Array.of(6, 0, 1, 0, 9), tcp()).pdu).toBeNull();
      expect(dev.holding[1]).toBe(3);
      stop();

      core.faults.add({ fault: { kind: 'delay', ms: 50 }, address: { from: 10, to: 20 } });
      core.faults.add({ fault: { kind: 'truncate', bytes: 3 }, address: { from: 10, to: 20 } });
      const p = core.handle(Uint8Array.of(3, 0, 8, 0, 3), tcp());
      expect(p.delayMs).toBe(50);
      expect(p.aduFaults).toEqual([{ kind: 'truncate', bytes: 3 }]);
      expect(core.handle(Uint8Array.of(3, 0, 0, 0, 3), tcp()).delayMs).toBe(0);
      expect(core.stats.faults).toBe(4);
    });

    it('probability is deterministic for a seed', () => {
      const run = (seed: number): string => {
        const core = new ModbusServerCore({ seed });
        core.addUnit(1, arrayDevice());
        core.faults.add({ fault: { kind: 'no-response' }, probability: 0.5 });
        let s = '';
        for (let i = 0; i < 64; i++) s += core.handle(Uint8Array.of(3, 0, 0, 0, 1), tcp()).pdu ? '1' : '0';
        return s;
      };
      const a = run(42);
      expect(run(42)).toBe(a);
      expect(run(43)).not.toBe(a);
      const ones = [...a].filter((c) => c === '1').length;
      expect(ones).toBeGreaterThan(16);
      expect(ones).toBeLessThan(48);
    });
  });
});
