import { ConfigError, exitCodeFor } from '../../core/errors';
import { parseFilterArg } from '../../harness/cli/commands/can/filter-arg';
import { parseFrameArg } from '../../harness/cli/commands/can/frame-arg';
import { formatLine } from '../../harness/cli/commands/can/dump';
import { parseCount, parseDurationArg, parsePort, parsePositive } from '../../harness/cli/commands/can/number-args';
import { buildSendFrames } from '../../harness/cli/commands/can/send';
import { parseSignalArgs } from '../../harness/cli/commands/can/signal-args';
import { join } from 'node:path';

const DBC = join(__dirname, '..', '..', 'data', 'dbc', 'pylon-lv.dbc');
const bytes = (d: Uint8Array): number[] => [...d];

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect(exitCodeFor(err)).toBe(2);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseFrameArg (cansend compact form)', () => {
  it('reads standard, extended, empty, dotted and remote frames', () => {
    const std = parseFrameArg('351#1402f401');
    expect([std.id, std.extended, bytes(std.data)]).toEqual([0x351, false, [0x14, 0x02, 0xf4, 0x01]]);
    const ext = parseFrameArg('1FFFFFFF#00');
    expect([ext.id, ext.extended, bytes(ext.data)]).toEqual([0x1fffffff, true, [0]]);
    const low = parseFrameArg('00000123#01');
    expect([low.id, low.extended]).toEqual([0x123, true]);
    expect(bytes(parseFrameArg('123#').data)).toEqual([]);
    expect(bytes(parseFrameArg('123#DE.AD.BE.EF').data)).toEqual([0xde, 0xad, 0xbe, 0xef]);
    const rtr = parseFrameArg('123#R');
    expect([rtr.rtr, rtr.dlc, rtr.data.length]).toEqual([true, undefined, 0]);
    expect(parseFrameArg('7FF#R4').dlc).toBe(4);
  });

  it.each([
    ['123DEADBEEF', "no '#'"],
    ['12#00', "id '12' must have 3 hex digits"],
    ['1234#00', "id '1234' must have 3 hex digits"],
    ['XYZ#00', "id 'XYZ' is not hexadecimal"],
    ['123#0G', "data '0G' is not pairs of hex digits"],
    ['123#ABC', "data 'ABC' is not pairs"],
    ['123#000102030405060708', '9 data bytes'],
    ['123##0AA', 'CAN FD'],
    ['123#R9', "remote frame length '9'"],
    ['800#00', 'does not fit 11 bits'],
  ])('rejects %s naming the frame (%s)', (text, why) => {
    const err = configError(() => parseFrameArg(text));
    expect(err.message).toContain(`frame '${text}'`);
    expect(err.message).toContain(why);
  });
});

describe('parseFilterArg', () => {
  it('reads id, id:mask, extended ids and lists', () => {
    expect(parseFilterArg('351')).toEqual([{ id: 0x351, mask: 0x7ff, extended: false }]);
    expect(parseFilterArg('350:7F0,0x35E')).toEqual([
      { id: 0x350, mask: 0x7f0, extended: false },
      { id: 0x35e, mask: 0x7ff, extended: false },
    ]);
    expect(parseFilterArg('18FF50E5:1FFFFF00')).toEqual([{ id: 0x18ff50e5, mask: 0x1fffff00, extended: true }]);
    expect(parseFilterArg('00000100')).toEqual([{ id: 0x100, mask: 0x1fffffff, extended: true }]);
  });

  it('rejects what is not hex id[:mask]', () => {
    expect(configError(() => parseFilterArg('351:zz')).message).toContain("filter '351:zz'");
    expect(configError(() => parseFilterArg('351~7FF')).message).toContain("filter '351~7FF'");
    expect(configError(() => parseFilterArg(',')).message).toContain('names no id');
  });
});

describe('parseSignalArgs', () => {
  it('reads numbers, hex, booleans, choice names and 64-bit raw values', () => {
    expect(parseSignalArgs(['A=53.2,B=-5', 'C=0x1F', 'D=true,E=False', 'F=Enabled', 'G=1e3', 'H=18446744073709551615'])).toEqual({
      A: 53.2,
      B: -5,
      C: 31,
      D: true,
      E: false,
      F: 'Enabled',
      G: 1000,
      H: 18446744073709551615n,
    });
  });

  it('rejects parts without = and signals set twice', () => {
    expect(configError(() => parseSignalArgs(['A'])).message).toContain("--set 'A' is not signal=value");
    expect(configError(() => parseSignalArgs(['=3'])).message).toContain("--set '=3'");
    expect(configError(() => parseSignalArgs(['A=1', 'A=2'])).message).toContain("signal 'A' is set twice");
  });
});

describe('option values', () => {
  it('parses counts, durations, positive numbers and ports, naming the option when wrong', () => {
    expect(parseCount('--count', '3')).toBe(3);
    expect(configError(() => parseCount('--count', '0')).message).toContain('--count');
    expect(configError(() => parseCount('--count', '2.5')).message).toContain("'2.5'");
    expect(parseDurationArg('--timeout', '1.5')).toBe(1500);
    expect(parseDurationArg('--timeout', '250ms')).toBe(250);
    expect(configError(() => parseDurationArg('--duration', '3 apples')).message).toContain('--duration');
    expect(configError(() => parseDurationArg('--duration', '0s')).message).toContain('longer than 0');
    expect(parsePositive('--speed', '0.5', true)).toBe(0.5);
    expect(parsePositive('--speed', 'max', true)).toBe(Infinity);
    expect(configError(() => parsePositive('--period', 'max')).message).toContain('--period');
    expect(configError(() => parsePositive('--speed', '-1', true)).message).toContain("or 'max'");
    expect(parsePort('--port', '0')).toBe(0);
    expect(configError(() => parsePort('--port', '65536')).message).toContain('--port');
  });
});

describe('buildSendFrames', () => {
  it('encodes a DBC message from signal values (bytes computed by hand from pylon-lv.dbc)', () => {
    const [f] = buildSendFrames({
      dbc: DBC,
      message: 'BMS_Limits',
      set: ['ChargeVoltageLimit=53.2,ChargeCurrentLimit=50', 'DischargeCurrentLimit=-10,DischargeVoltageLimit=48'],
    });
    // 532 = 0x0214, 500 = 0x01F4, -100 = 0xFF9C, 480 = 0x01E0, 16-bit little-endian
    expect([f!.id, f!.extended, bytes(f!.data)]).toEqual([0x351, false, [0x14, 0x02, 0xf4, 0x01, 0x9c, 0xff, 0xe0, 0x01]]);
  });

  it('fills signals left out with their start value, finds messages by id, and adds raw frames first', () => {
    const frames = buildSendFrames({ frames: ['305#00'], dbc: DBC, message: '0x35C', set: ['ChargeEnable=1'] });
    expect(frames.map((f) => [f.id, bytes(f.data)])).toEqual([
      [0x305, [0]],
      [0x35c, [0x80, 0x00]],
    ]);
  });

  it('names the unknown signal, the bad value, the unknown message and the missing pieces', () => {
    expect(configError(() => buildSendFrames({ dbc: DBC, message: 'BMS_Limits', set: ['Foo=1'] })).message).toMatch(
      /pylon-lv\.dbc: message 'BMS_Limits' \(0x351\) has no signal 'Foo'/,
    );
    expect(configError(() => buildSendFrames({ dbc: DBC, message: 'BMS_Limits', set: ['ChargeVoltageLimit=7000'] })).message).toContain(
      "signal 'ChargeVoltageLimit': value 7000 is outside its range",
    );
    expect(configError(() => buildSendFrames({ dbc: DBC, message: 'NoSuch' })).message).toContain("unknown message 'NoSuch'");
    expect(configError(() => buildSendFrames({ message: 'BMS_Limits' })).message).toContain('needs --dbc');
    expect(configError(() => buildSendFrames({ frames: ['123#00'], set: ['A=1'] })).message).toContain('--set needs');
    expect(configError(() => buildSendFrames({})).message).toContain('nothing to send');
    expect(configError(() => buildSendFrames({ frames: ['123#00', 'bad'] })).message).toContain("frame 'bad'");
  });
});

describe('formatLine', () => {
  const frame = { id: 0x351, extended: false, data: Uint8Array.of(1, 2), timestamp: 1_700_000_000_123.456, channel: 'can1' };
  it('prints candump -L lines, deltas since the previous frame, or no time', () => {
    expect(formatLine(frame, 'x', 'abs', undefined)).toBe('(1700000000.123456) can1 351#0102');
    expect(formatLine(frame, 'x', 'none', undefined)).toBe('can1 351#0102');
    expect(formatLine(frame, 'x', 'delta', undefined)).toBe('(000.000000) can1 351#0102');
    expect(formatLine(frame, 'x', 'delta', 1_700_000_000_123.456 - 61_250.5)).toBe('(061.250500) can1 351#0102');
    expect(formatLine({ ...frame, channel: undefined }, 'bus7', 'none', undefined)).toBe('bus7 351#0102');
    expect(formatLine({ id: 0x18ff50e5, extended: true, rtr: true, dlc: 3, data: new Uint8Array(0) }, 'c', 'none', undefined)).toBe('c 18FF50E5#R3');
  });
});
