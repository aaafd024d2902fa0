/**
 * The shared CRC-8 against the check values of the CRC catalogue (reveng.sourceforge.io/crc-catalogue/1-15.htm:
 * CRC-8/SAE-J1850 poly 0x1D init 0xFF xorout 0xFF check 0x4B; CRC-8/SMBUS poly 0x07 init 0 check 0xF4; both over
 * the ASCII "123456789") and against a constant BMW i3 frame of Battery-Emulator (0x12F, init 0x60, CRC in byte 0).
 */
import { crc8, crc8J1850 } from './crc8';

const CHECK = Uint8Array.from('123456789', (c) => c.charCodeAt(0));

describe('native-common crc8', () => {
  it('gives the catalogue check values', () => {
    expect(crc8J1850(CHECK, 0xff, 0, CHECK.length) ^ 0xff).toBe(0x4b);
    expect(crc8(0x07)(CHECK, 0, 0, CHECK.length)).toBe(0xf4);
  });

  it('covers only data[from..to) and starts from init', () => {
    const i3 = Uint8Array.of(0xe6, 0x24, 0x86, 0x1a, 0xf1, 0x31, 0x30, 0x00);
    expect(crc8J1850(i3, 0x60, 1, i3.length)).toBe(0xe6);
    expect(crc8J1850(i3, 0x00, 1, i3.length)).not.toBe(0xe6);
    expect(crc8J1850(Uint8Array.of(0xff, 0x01), 0, 1, 1)).toBe(0);
  });
});
