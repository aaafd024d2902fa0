import { join } from 'node:path';
import { DecodeError, EncodeError } from '../../../core/errors';
import { makeFrame } from '../frame';
import { formatDecoded, loadDbc, parseDbc } from './index';

const FIXTURES = join(__dirname, '../../../data/dbc');
const lv = loadDbc(join(FIXTURES, 'pylon-lv.dbc'));
const sma = loadDbc(join(FIXTURES, 'sma-lv.dbc'));
const smaBe = loadDbc(join(FIXTURES, 'sma-lv-bigendian.dbc'));
const hv = loadDbc(join(FIXTURES, 'pylon-hv.dbc'));
const features = loadDbc(join(FIXTURES, 'features.dbc'));

const hex = (s: string): Uint8Array => Uint8Array.from(s.split(' ').map((b) => parseInt(b, 16)));
const toHex = (d: Uint8Array): string => [...d].map((b) => b.toString(16).padStart(2, '0')).join(' ');

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected an error');
}

describe('decoding real captures (public samples)', () => {
  it('decodes Pylontech LV frames published by setfirelabs.com', () => {
    expect(lv.decode(makeFrame(0x351, hex('14 02 74 0e 74 0e cc 01'))).signals).toEqual({
      ChargeVoltageLimit: 53.2, ChargeCurrentLimit: 370, DischargeCurrentLimit: 370, DischargeVoltageLimit: 46,
    });
    expect(lv.decode(makeFrame(0x356, hex('7a 13 f2 fe 6b 01'))).signals).toEqual({
      BatteryVoltage: 49.86, BatteryCurrent: -27, BatteryTemperature: 36.3,
    });
    const prot = lv.decode(makeFrame(0x359, hex('00 00 00 00 06 50 4e')));
    expect([prot.signals.PackCount, prot.signals.MarkerP, prot.signals.MarkerN]).toEqual([6, 0x50, 0x4e]);
    const req = lv.decode(makeFrame(0x35c, hex('c0 00')));
    expect(req.signals).toMatchObject({ ChargeEnable: 1, DischargeEnable: 1, RequestForceChargeI: 0 });
    expect(req.choices).toEqual({ ChargeEnable: 'Enabled', DischargeEnable: 'Enabled' });
    const name = lv.decode(makeFrame(0x35e, hex('50 59 4c 4f 4e 20 20 20')));
    expect(String.fromCharCode(...Object.values(name.signals))).toBe('PYLON   ');
  });

  it('decodes a 4-byte (Pylontech) 0x355 against the SMA layout only when truncation is allowed', () => {
    const frame = makeFrame(0x355, hex('58 00 5e 00'));
    expect(lv.decode(frame).signals).toEqual({ SOC: 88, SOH: 94 });
    const err = thrown(() => sma.decode(frame));
    expect(err).toBeInstanceOf(DecodeError);
    expect(err.message).toBe("message 'BMS_StateOfCharge' (0x355) signal 'SOC_HiRes' needs 6 bytes, frame has 4");
    expect(sma.decode(frame, { allowTruncated: true }).signals).toEqual({ SOC: 88, SOH: 94 });
  });

  it('decodes Pylon HV frames from Battery-Emulator PYLON-CAN.cpp', () => {
    const status = hv.decode(makeFrame(0x4210, hex('a5 09 30 75 9d 04 2e 64'), { extended: true }));
    expect(status.message.name).toBe('BMS_Status');
    expect(status.signals).toEqual({ Voltage: 246.9, Current: 0, Temperature: 18.1, SOC: 46, SOH: 100 });
    expect(status.raw.Current).toBe(30000);
    const limits = hv.decode(makeFrame(0x4220, hex('8c 0a e9 07 4a 79 4a 79'), { extended: true }));
    expect(limits.signals).toEqual({
      // Battery-Emulator's frame counts the discharge limit positive (variant pylon-discharge-positive); the DBC
      // reads the standard negative convention (30000 - I x 10), so it shows -105 A here.
      ChargeCutoffVoltage: 270, DischargeCutoffVoltage: 202.5, MaxChargeCurrent: 105, MaxDischargeCurrent: -105,
    });
    expect(hv.decode(makeFrame(0x4200, hex('02 00 00 00 00 00 00 00'), { extended: true })).choices).toEqual({
      RequestType: 'SystemEquipmentInformation',
    });
  });
});

describe('encoding', () => {
  it('encodes the LV limits little-endian and the sma-bigendian limits big-endian with DCL before CCL', () => {
    const values = { ChargeVoltageLimit: 53.2, ChargeCurrentLimit: 50, DischargeCurrentLimit: 100, DischargeVoltageLimit: 46 };
    expect(toHex(lv.encode('BMS_Limits', values).data)).toBe('14 02 f4 01 e8 03 cc 01');
    expect(toHex(smaBe.encode(0x351, values).data)).toBe('02 14 03 e8 01 f4 01 cc');
    expect(smaBe.decode(smaBe.encode(0x351, values)).signals).toEqual(values);
  });

  it('builds extended frames for 29-bit messages and accepts choice names', () => {
    const frame = hv.encode('BMS_ForbiddenMarks', { ChargeForbidden: 'Forbidden', DischargeForbidden: 'Allowed' });
    expect(frame.id).toBe(0x4280);
    expect(frame.extended).toBe(true);
    expect(toHex(frame.data)).toBe('aa 00 00 00 00 00 00 00');
    // 400.0 V -> 4000; -12.5 A + 3000 A -> 29875 = 0x74B3; 25 degC + 100 -> 1250 = 0x04E2.
    expect(toHex(hv.encode(0x4210, { Voltage: 400, Current: -12.5, Temperature: 25, SOC: 80, SOH: 97 }).data))
      .toBe('a0 0f b3 74 e2 04 50 61');
  });

  it('packs little/big-endian, signed, offset and cross-byte Motorola signals bit-exactly', () => {
    const m = features.getMessage('Mixed');
    const data = m.encode({
      LeUnsigned: 0, LeSigned: -0.25, Flag: true, Gear: 'Drive', NoRange: -8, BeUnsigned: 12.34, BeSigned: -507, BeNibble: 3, Tail: 0xa,
    });
    // LeUnsigned raw 20 -> 0x014; LeSigned raw -1 -> 0xFFF in bits 12-23; Flag bit 24; Gear 3 in bits 25-27;
    // NoRange -8 -> 0x8 in bits 28-31; BeUnsigned 1234 = 0x04D2 in bytes 4-5; BeSigned raw -512 = 0x200: its MSB is
    // byte 6 bit 5; BeNibble 3 in byte 6 bits 7-6; Tail 0xA in byte 7 bits 3-0.
    expect(toHex(data)).toBe('14 f0 ff 87 04 d2 e0 0a');
    const back = m.decode(data);
    expect(back.signals).toEqual({
      LeUnsigned: 0, LeSigned: -0.25, Flag: 1, Gear: 3, NoRange: -8, BeUnsigned: 12.34, BeSigned: -507, BeNibble: 3, Tail: 10,
    });
    expect(back.choices).toEqual({ Gear: 'Drive' });
    // BeSigned raw 1 puts its LSB at byte 7 bit 4.
    expect(toHex(m.encode({ ...back.signals, BeSigned: 6, BeNibble: 0, Tail: 0 }).subarray(6))).toBe('00 10');
  });

  it('encodes IEEE floats (both byte orders), doubles and 64-bit integers', () => {
    expect(toHex(features.getMessage('Floats').encode({ LeFloat: 1.5, BeFloat: 4 }))).toBe('00 00 c0 3f 3f c0 00 00');
    expect(features.getMessage('Floats').decode(hex('00 00 c0 3f 3f c0 00 00')).signals).toEqual({ LeFloat: 1.5, BeFloat: 4 });
    expect(toHex(features.getMessage('Double').encode({ Value: -2.5 }))).toBe('00 00 00 00 00 00 04 c0');
    const big = (1n << 63n) + 5n;
    const wide = features.getMessage('Wide');
    expect(toHex(wide.encode({ Counter64: big }))).toBe('05 00 00 00 00 00 00 80');
    expect(wide.decode(hex('05 00 00 00 00 00 00 80')).raw.Counter64).toBe(big);
  });

  it('multiplexes: only the selected group is encoded and decoded', () => {
    const m = features.getMessage('Muxed');
    const data = m.encode({ Mux: 1, Volt: 3.3, State: 'On', Counter: 7 });
    expect(toHex(data)).toBe('01 e4 0c 00 00 01 00 07');
    expect(m.decode(data).signals).toEqual({ Mux: 1, Volt: 3.3, State: 1, Counter: 7 });
    expect(m.decode(hex('00 e4 0c 00 00 01 00 07')).signals).toEqual({ Mux: 0, TempA: 330, TempB: 0, Counter: 7 });
    const err = thrown(() => m.encode({ Mux: 1, TempA: 1, Volt: 1, State: 0, Counter: 0 }));
    expect(err.message).toBe("message 'Muxed' (0x200) signal 'TempA' is not sent when Mux = 1 (it needs 0)");
  });

  it('follows extended multiplexing (SG_MUL_VAL_) through two levels', () => {
    const m = features.getMessage('ExtMux');
    expect(toHex(m.encode({ Mux1: 1, Mux2: 4, SigB: 0x1234 }))).toBe('41 34 12 00 00 00 00 00');
    expect(m.decode(hex('41 34 12 00 00 00 00 00')).signals).toEqual({ Mux1: 1, Mux2: 4, SigB: 0x1234 });
    expect(m.decode(hex('31 fe ff 00 00 00 00 00')).signals).toEqual({ Mux1: 1, Mux2: 3, SigC: -2 });
    expect(m.decode(hex('f0 09 00 00 00 00 00 00')).signals).toEqual({ Mux1: 0, SigA: 9 });
    expect(thrown(() => m.encode({ Mux1: 0, Mux2: 4, SigA: 1 })).message).toContain("signal 'Mux2' is not sent when Mux1 = 0");
  });

  it('fills left-out signals from GenSigStartValue only when asked', () => {
    const m = features.getMessage('Mixed');
    expect(thrown(() => m.encode({ Flag: 1 })).message).toBe("message 'Mixed' (0x100): signal 'LeUnsigned' is missing");
    const d = m.decode(m.encode({ Flag: 1 }, { allowMissing: true }));
    expect(d.signals.Gear).toBe(2);
    expect(d.signals.Flag).toBe(1);
  });
});

describe('errors name the message and the signal', () => {
  it.each([
    ['a value above max', () => lv.encode('BMS_StateOfCharge', { SOC: 101, SOH: 100 }),
      EncodeError, "message 'BMS_StateOfCharge' (0x355) signal 'SOC': value 101 is outside its range [0|100] %"],
    ['a value outside the raw range', () => features.encode('Mixed', { LeUnsigned: 0, LeSigned: 0, Flag: 0, Gear: 0, NoRange: 8, BeUnsigned: 0, BeSigned: 0, BeNibble: 0, Tail: 0 }),
      EncodeError, "message 'Mixed' (0x100) signal 'NoRange': value 8 (raw 8) does not fit 4 signed bits (raw -8..7)"],
    ['an unknown choice', () => features.encode('Mixed', { Gear: 'Sport' }, { allowMissing: true }),
      EncodeError, "message 'Mixed' (0x100) signal 'Gear': 'Sport' is not one of its choices (Park, Reverse, Neutral, Drive)"],
    ['an unknown signal', () => lv.encode(0x379, { Capacity: 1 }),
      EncodeError, "message 'BMS_Capacity' (0x379) has no signal 'Capacity' (signals: InstalledCapacity)"],
    ['an unknown message', () => lv.encode('BMS_Nope', {}), EncodeError, "unknown message 'BMS_Nope' (the database has 14 messages)"],
    ['a non-finite value', () => lv.encode(0x379, { InstalledCapacity: NaN }),
      EncodeError, "message 'BMS_Capacity' (0x379) signal 'InstalledCapacity': value NaN is not a finite number"],
    ['a frame too short', () => lv.decode(makeFrame(0x351, hex('14 02 74 0e 74'))),
      DecodeError, "message 'BMS_Limits' (0x351) signal 'DischargeCurrentLimit' needs 6 bytes, frame has 5"],
    ['an unknown id', () => lv.decode(makeFrame(0x123, [])), DecodeError, 'no message with id 0x123 (standard) in the database'],
    ['a standard frame for an extended message', () => hv.decode(makeFrame(0x4210 & 0x7ff, [1])),
      DecodeError, 'no message with id 0x210 (standard) in the database'],
  ])('%s', (_name, fn, type, message) => {
    const err = thrown(fn);
    expect(err).toBeInstanceOf(type);
    expect(err.message).toBe(message);
  });

  it('tryDecode returns undefined for unknown ids and remote frames', () => {
    expect(lv.tryDecode(makeFrame(0x123, [1]))).toBeUndefined();
    expect(lv.tryDecode(makeFrame(0x351, [], { rtr: true, dlc: 8 }))).toBeUndefined();
  });

  it('round-trips every signal of every fixture message at its minimum and maximum', () => {
    for (const db of [lv, sma, smaBe, hv]) {
      for (const m of db.messages) {
        for (const pick of ['minimum', 'maximum'] as const) {
          const values: Record<string, number> = {};
          for (const s of m.signals) values[s.name] = s.hasRange ? s[pick] : 0;
          const decoded = db.decode(db.encode(m.name, values)).signals;
          for (const [k, v] of Object.entries(values)) expect([m.name, k, decoded[k]]).toEqual([m.name, k, v]);
        }
      }
    }
  });
});

describe('the model is independent of the file format', () => {
  it('a database built from a minimal text encodes like one from the fixture', () => {
    const db = parseDbc('BU_: A\nBO_ 849 L: 2 A\n SG_ V : 0|16@1+ (0.1,0) [0|6553.5] "V" Vector__XXX\n');
    expect(toHex(db.encode(0x351, { V: 53.2 }).data)).toBe('14 02');
  });
});

describe('formatDecoded', () => {
  it('prints one readable line with units and choice names', () => {
    expect(formatDecoded(lv.decode(makeFrame(0x351, hex('14 02 74 0e 74 0e cc 01'))))).toBe(
      'BMS_Limits ChargeVoltageLimit=53.2 V ChargeCurrentLimit=370 A DischargeCurrentLimit=370 A DischargeVoltageLimit=46 V',
    );
    expect(formatDecoded(lv.decode(makeFrame(0x35c, hex('80 00'))))).toBe(
      'BMS_Requests RequestFullCharge=0 RequestForceChargeII=0 RequestForceChargeI=0 DischargeEnable=Disabled(0) ChargeEnable=Enabled(1)',
    );
    expect(formatDecoded(features.decode(makeFrame(0x103, hex('ff ff ff ff ff ff ff ff'))))).toBe('Wide Counter64=18446744073709551615');
  });
});
