import { appendCrc, checkCrc, crc16Modbus } from './crc';

/** Bit-by-bit reference straight from the Modbus over Serial Line spec (6.2.2), independent of the table. */
function crcBitwise(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const b of bytes) {
    crc ^= b;
    for (let i = 0; i < 8; i++) crc = crc & 1 ? (crc >> 1) ^ 0xa001 : crc >> 1;
  }
  return crc;
}

const hex = (s: string): Uint8Array => Uint8Array.from(s.split(' ').map((x) => parseInt(x, 16)));

describe('crc16Modbus', () => {
  it('matches the CRC catalogue check value for "123456789"', () => {
    expect(crc16Modbus(new TextEncoder().encode('123456789'))).toBe(0x4b37);
  });

  it('matches the frames printed in the Modbus specifications', () => {
    // Modbus over Serial Line v1.02 / MODBUS Application Protocol examples.
    expect(appendCrc(hex('11 03 00 6B 00 03'))).toEqual(hex('11 03 00 6B 00 03 76 87'));
    expect(appendCrc(hex('01 03 00 00 00 0A'))).toEqual(hex('01 03 00 00 00 0A C5 CD'));
    expect(appendCrc(hex('01 06 00 01 00 03'))).toEqual(hex('01 06 00 01 00 03 98 0B'));
  });

  it('agrees with the bitwise reference on random inputs, and honours start/end', () => {
    let seed = 12345;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
    for (let n = 0; n < 200; n++) {
      const bytes = Uint8Array.from({ length: rnd() % 300 }, () => rnd() & 0xff);
      expect(crc16Modbus(bytes)).toBe(crcBitwise(bytes));
      const a = Math.min(bytes.length, rnd() % 10);
      expect(crc16Modbus(bytes, a, bytes.length)).toBe(crcBitwise(bytes.subarray(a)));
    }
  });

  it('checkCrc accepts framed bytes and rejects any single bit flip', () => {
    const frame = appendCrc(hex('07 10 00 10 00 02 04 00 0A 01 02'));
    expect(checkCrc(frame)).toBe(true);
    for (let i = 0; i < frame.length * 8; i++) {
      const bad = frame.slice();
      bad[i >> 3]! ^= 1 << (i & 7);
      expect(checkCrc(bad)).toBe(false);
    }
    expect(checkCrc(hex('01 02'))).toBe(false);
  });
});
