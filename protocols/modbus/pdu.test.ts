import { DecodeError, EncodeError } from '../../core/errors';
import { ExceptionCode } from './device';
import {
  decodeRequest,
  decodeResponse,
  deviceIdResponse,
  encodeException,
  encodeRequest,
  encodeResponse,
  FunctionCode,
  isException,
  type ModbusRequest,
  type ModbusResponse,
} from './pdu';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/ /g, ''), 'hex'));

describe('PDU codec', () => {
  it('encodes requests as the specification examples show', () => {
    // Modbus Application Protocol v1.1b3 examples.
    expect(hex(encodeRequest({ fc: 1, address: 19, quantity: 19 }))).toBe('0100130013');
    expect(hex(encodeRequest({ fc: 3, address: 107, quantity: 3 }))).toBe('03006b0003');
    expect(hex(encodeRequest({ fc: 5, address: 172, value: true }))).toBe('0500acff00');
    expect(hex(encodeRequest({ fc: 6, address: 1, value: 3 }))).toBe('0600010003');
    const fc15 = [true, false, true, true, false, false, true, true, true, false];
    expect(hex(encodeRequest({ fc: 15, address: 19, values: fc15 }))).toBe('0f0013000a02cd01');
    expect(hex(encodeRequest({ fc: 16, address: 1, values: [0x000a, 0x0102] }))).toBe('100001000204000a0102');
    expect(hex(encodeRequest({ fc: 23, readAddress: 3, readQuantity: 6, writeAddress: 14, values: [0xff, 0xff, 0xff] }))).toBe(
      '1700030006000e00030600ff00ff00ff',
    );
    expect(hex(encodeRequest({ fc: 43, meiType: 14, code: 1, objectId: 0 }))).toBe('2b0e0100');
  });

  it('round-trips every request type through decodeRequest', () => {
    const reqs: ModbusRequest[] = [
      { fc: 1, address: 0, quantity: 2000 },
      { fc: 2, address: 65535, quantity: 1 },
      { fc: 3, address: 40000, quantity: 125 },
      { fc: 4, address: 1, quantity: 1 },
      { fc: 5, address: 3, value: false },
      { fc: 6, address: 9, value: 0xffff },
      { fc: 15, address: 7, values: Array.from({ length: 1968 }, (_, i) => i % 3 === 0) },
      { fc: 16, address: 100, values: Array.from({ length: 123 }, (_, i) => i * 500) },
      { fc: 23, readAddress: 1, readQuantity: 125, writeAddress: 2, values: Array.from({ length: 121 }, (_, i) => i) },
      { fc: 43, meiType: 14, code: 4, objectId: 2 },
    ];
    for (const r of reqs) expect(decodeRequest(encodeRequest(r))).toEqual(r);
  });

  it('quantity limits and byte counts: IllegalDataValue; unknown function: IllegalFunction', () => {
    const cases: Array<[string, number, ExceptionCode]> = [
      ['0100000000', 1, ExceptionCode.IllegalDataValue],
      ['01000007d1', 1, ExceptionCode.IllegalDataValue], // 2001 coils
      ['030000007e', 3, ExceptionCode.IllegalDataValue], // 126 registers
      ['0400000000', 4, ExceptionCode.IllegalDataValue],
      ['0500001234', 5, ExceptionCode.IllegalDataValue], // coil value neither 0 nor FF00
      ['0f000007b1f7' + '00'.repeat(0xf7), 15, ExceptionCode.IllegalDataValue], // 1969 coils
      ['0f0000000a0100', 15, ExceptionCode.IllegalDataValue], // byte count 1 for 10 coils
      ['10000000020400010002ff', 16, ExceptionCode.IllegalDataValue], // trailing byte
      ['100000007cf8' + '00'.repeat(248), 16, ExceptionCode.IllegalDataValue], // 124 registers
      ['17000000010000007af4' + '00'.repeat(244), 23, ExceptionCode.IllegalDataValue], // 122 write
      ['030000', 3, ExceptionCode.IllegalDataValue], // truncated
      ['03ffff0002', 3, ExceptionCode.IllegalDataAddress], // past 65535
      ['07', 7, ExceptionCode.IllegalFunction],
      ['2b0d0100', 43, ExceptionCode.IllegalFunction], // MEI 13 (CANopen) unsupported
      ['2b0e0500', 43, ExceptionCode.IllegalDataValue], // read device id code 5
    ];
    for (const [h, fc, code] of cases) {
      const r = decodeRequest(bytes(h));
      expect({ h, r }).toEqual({ h, r: { fc, exception: code } });
    }
    expect(hex(encodeException(3, ExceptionCode.IllegalDataAddress))).toBe('8302');
  });

  it('refuses to encode out-of-limit requests', () => {
    expect(() => encodeRequest({ fc: 3, address: 0, quantity: 126 })).toThrow(EncodeError);
    expect(() => encodeRequest({ fc: 16, address: 0, values: [70000] })).toThrow(EncodeError);
    expect(() => encodeRequest({ fc: 6, address: -1, value: 0 })).toThrow(EncodeError);
    expect(() => encodeRequest({ fc: 15, address: 0, values: [] })).toThrow(EncodeError);
  });

  it('round-trips responses and decodes exceptions; rejects malformed responses', () => {
    const req: ModbusRequest = { fc: 1, address: 0, quantity: 10 };
    const res: ModbusResponse = { fc: 1, values: [true, false, true, true, false, false, true, true, true, false] };
    expect(hex(encodeResponse(res))).toBe('0102cd01');
    expect(decodeResponse(encodeResponse(res), req)).toEqual(res);
    const regs: ModbusResponse = { fc: FunctionCode.ReadHoldingRegisters, values: [0x022b, 0, 0x64] };
    expect(hex(encodeResponse(regs))).toBe('0306022b00000064');
    expect(decodeResponse(encodeResponse(regs))).toEqual(regs);
    expect(decodeResponse(bytes('8302'))).toEqual({ fc: 3, exception: 2 });
    expect(isException(decodeResponse(bytes('8302')))).toBe(true);
    expect(() => decodeResponse(bytes('030400'))).toThrow(DecodeError);
    expect(() => decodeResponse(bytes('0302000a'), { fc: 3, address: 0, quantity: 2 })).toThrow(DecodeError);
    expect(() => decodeResponse(bytes('0402000a'), { fc: 3, address: 0, quantity: 1 })).toThrow('does not match');
  });

  describe('Read Device Identification', () => {
    const id = {
      vendorName: 'Company identification',
      productCode: 'Product code XX',
      majorMinorRevision: 'V2.11',
      modelName: 'M1',
    };
    it('basic stream gives objects 0-2, regular adds the optional ones present', () => {
      const basic = deviceIdResponse(id, { code: 1, objectId: 0 });
      expect(isException(basic) ? basic : (basic as { objects: unknown[] }).objects).toEqual([
        { id: 0, value: 'Company identification' },
        { id: 1, value: 'Product code XX' },
        { id: 2, value: 'V2.11' },
      ]);
      // The specification's example response.
      expect(hex(encodeResponse(basic as ModbusResponse))).toBe(
        '2b0e01820000030016' + hex(Buffer.from('Company identification')) + '010f' + hex(Buffer.from('Product code XX')) + '0205' + hex(Buffer.from('V2.11')),
      );
      const regular = deviceIdResponse(id, { code: 2, objectId: 0 }) as { objects: Array<{ id: number }> };
      expect(regular.objects.map((o) => o.id)).toEqual([0, 1, 2, 5]);
    });
    it('individual access; unknown object is IllegalDataAddress; bad start restarts at 0', () => {
      expect(deviceIdResponse(id, { code: 4, objectId: 5 })).toMatchObject({ objects: [{ id: 5, value: 'M1' }] });
      expect(deviceIdResponse(id, { code: 4, objectId: 6 })).toEqual({ fc: 43, exception: ExceptionCode.IllegalDataAddress });
      expect(deviceIdResponse(id, { code: 1, objectId: 0x40 })).toMatchObject({ objects: [{ id: 0 }, { id: 1 }, { id: 2 }] });
    });
    it('splits with moreFollows when objects do not fit one PDU', () => {
      const big = { vendorName: 'v'.repeat(200), productCode: 'p'.repeat(200), majorMinorRevision: '1' };
      const first = deviceIdResponse(big, { code: 1, objectId: 0 });
      expect(first).toMatchObject({ moreFollows: true, nextObjectId: 1, objects: [{ id: 0 }] });
      const second = deviceIdResponse(big, { code: 1, objectId: 1 });
      expect(second).toMatchObject({ moreFollows: false, objects: [{ id: 1 }, { id: 2 }] });
      const decoded = decodeResponse(encodeResponse(second as ModbusResponse));
      expect(decoded).toEqual(second);
    });
  });
});
