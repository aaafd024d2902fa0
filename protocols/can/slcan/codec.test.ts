import { ConfigError, DecodeError, EncodeError } from '../../../core/errors';
import { framesEqual, makeFrame } from '../frame';
import {
  bitrateCode,
  bitrateOf,
  decodeFrame,
  encodeFrame,
  formatCommand,
  formatSerial,
  formatStatus,
  formatVersion,
  parseCommand,
  TimestampUnwrapper,
} from './codec';

describe('SLCAN frame codec', () => {
  it('encodes the four frame kinds as Lawicel lines', () => {
    expect(encodeFrame(makeFrame(0x123, [0xaa, 0x0b]))).toBe('t1232AA0B');
    expect(encodeFrame(makeFrame(0x7ff, []))).toBe('t7FF0');
    expect(encodeFrame(makeFrame(0x12345678, [1, 2, 3, 4, 5, 6, 7, 8]))).toBe('T123456788' + '0102030405060708');
    expect(encodeFrame(makeFrame(0x5, [1], { extended: true }))).toBe('T00000005101');
    expect(encodeFrame(makeFrame(0x123, [], { rtr: true, dlc: 8 }))).toBe('r1238');
    expect(encodeFrame(makeFrame(0x1abcdef0, [], { rtr: true, dlc: 3 }))).toBe('R1ABCDEF03');
  });

  it('appends a 4-digit timestamp modulo 60000 ms', () => {
    expect(encodeFrame(makeFrame(0x1, [0xff]), 0)).toBe('t0011FF0000');
    expect(encodeFrame(makeFrame(0x1, [0xff]), 59999)).toBe('t0011FFEA5F');
    expect(encodeFrame(makeFrame(0x1, [0xff]), 60001.7)).toBe('t0011FF0001');
    expect(encodeFrame(makeFrame(0x1, [], { rtr: true, dlc: 2 }), 1000)).toBe('r001203E8');
    expect(encodeFrame(makeFrame(0x1, []), -1)).toBe('t0010EA5F');
    expect(() => encodeFrame(makeFrame(0x1, []), NaN)).toThrow(EncodeError);
  });

  it('refuses what SLCAN cannot carry', () => {
    expect(() => encodeFrame({ id: 4, extended: false, error: true, data: new Uint8Array(8) })).toThrow(EncodeError);
    expect(() => encodeFrame({ id: 4, extended: false, fd: true, data: new Uint8Array(12) })).toThrow(/FD/);
    expect(() => encodeFrame({ id: 0x800, extended: false, data: new Uint8Array(0) })).toThrow(EncodeError);
    expect(() => encodeFrame({ id: 1, extended: false, data: new Uint8Array(9) })).toThrow(EncodeError);
  });

  it('decodes what it encodes, for every kind and length', () => {
    const frames = [
      makeFrame(0, []),
      makeFrame(0x7ff, [0, 0xff, 0x10]),
      makeFrame(0x1fffffff, [1, 2, 3, 4, 5, 6, 7, 8]),
      makeFrame(0x10, [9], { extended: true }),
      makeFrame(0x321, [], { rtr: true, dlc: 5 }),
      makeFrame(0x18ff50e5, [], { rtr: true, dlc: 0 }),
    ];
    for (const f of frames) {
      const d = decodeFrame(encodeFrame(f));
      expect(framesEqual(d.frame, f)).toBe(true);
      expect(d.timestamp).toBeUndefined();
      const t = decodeFrame(encodeFrame(f, 12345));
      expect(framesEqual(t.frame, f)).toBe(true);
      expect(t.timestamp).toBe(12345);
    }
    expect(decodeFrame('t1232aa0b').frame.data).toEqual(Uint8Array.from([0xaa, 0x0b])); // lower-case hex
  });

  it.each([
    ['x1230', /must start with/],
    ['t12', /too short/],
    ['t12G0', /non-hex/],
    ['t8000', /does not fit 11 bits/],
    ['T200000000', /does not fit 29 bits/],
    ['t1239', /not 0..8/],
    ['t1232AA', /expected 4/],
    ['t1231AABB', /expected 2/],
    ['t1230EA60', /not below 60000/],
    ['r12380', /expected 0/],
  ])('rejects %s with a DecodeError saying why', (line, why) => {
    expect(() => decodeFrame(line)).toThrow(DecodeError);
    expect(() => decodeFrame(line)).toThrow(why);
  });
});

describe('SLCAN commands', () => {
  it('parses every command the adapter serves and formats them back', () => {
    const lines = ['S0', 'S6', 'S9', 's031C', 'O', 'L', 'C', 'V', 'N', 'F', 'Z0', 'Z1', '', 't1232AABB', 'R123456780'];
    for (const line of lines) {
      const cmd = parseCommand(line);
      expect(formatCommand(cmd)).toBe(line.replace('s031C', 's031C'));
    }
    expect(parseCommand('S6')).toEqual({ kind: 'bitrate', code: 6, bitrate: 500000 });
    expect(parseCommand('s031c')).toEqual({ kind: 'btr', btr0: 0x03, btr1: 0x1c });
    expect(parseCommand('Z1')).toEqual({ kind: 'timestamps', on: true });
  });

  it.each([
    ['Q', /unknown SLCAN command 'Q'/],
    ['S', /S0..S9/],
    ['SA', /S0..S9/],
    ['s12', /sXXYY/],
    ['Z2', /Z0 or Z1/],
    ['Ox', /takes no argument/],
    ['t1230ABCD', /trailing/],
    ['\x01\x02', /unknown SLCAN command '\\x01\\x02'/],
  ])('rejects %j', (line, why) => {
    expect(() => parseCommand(line)).toThrow(why);
  });

  it('maps bitrates to Sn codes, with python-can\'s aliases, and lists the valid ones otherwise', () => {
    expect(bitrateCode(500000)).toBe(6);
    expect(bitrateCode(10000)).toBe(0);
    expect(bitrateCode(1000000)).toBe(8);
    expect(bitrateCode(800000)).toBe(7);
    expect(bitrateCode(750000)).toBe(7);
    expect(bitrateCode(83300)).toBe(9);
    expect(bitrateOf(6)).toBe(500000);
    expect(() => bitrateCode(512000)).toThrow(ConfigError);
    expect(() => bitrateCode(512000)).toThrow(/512000.*valid: 10000, 20000, .*500000, 800000\/750000, 1000000, 83333\/83300/);
  });

  it('formats V, N and F replies', () => {
    expect(formatVersion(10, 13)).toBe('V1013');
    expect(formatVersion(1, 2)).toBe('V0102');
    expect(() => formatVersion(100, 0)).toThrow(EncodeError);
    expect(formatSerial('A1b2')).toBe('NA1b2');
    expect(() => formatSerial('TOO-LONG')).toThrow(EncodeError);
    expect(formatStatus(0x08)).toBe('F08');
  });
});

describe('TimestampUnwrapper', () => {
  it('anchors at the host clock and follows the adapter across the 60000 ms wrap', () => {
    const u = new TimestampUnwrapper();
    expect(u.unwrap(59990, 1000)).toBe(1000);
    expect(u.unwrap(59999, 1009.5)).toBe(1009);
    expect(u.unwrap(5, 1016)).toBe(1015); // wrapped: 59999 -> 5 is 6 ms
    expect(u.unwrap(100, 1200)).toBe(1110); // adapter says 95 ms, host noise does not matter
  });

  it('recovers whole wraps from the host clock after long silence', () => {
    const u = new TimestampUnwrapper();
    u.unwrap(1000, 0);
    // 130.5 s later on the host, adapter shows (1000 + 130500) % 60000 = 11500
    expect(u.unwrap(11500, 130_480)).toBe(130_500);
    u.reset();
    expect(u.unwrap(5, 7)).toBe(7);
  });
});
