import { makeFrame, type CanFrame } from '../frame';
import { formatCandumpLine, parseCandumpLine } from './candump-format';

function parsed(line: string): CanFrame {
  const r = parseCandumpLine(line);
  if ('error' in r) throw new Error(`unexpected parse error: ${r.error}`);
  return r.frame;
}

describe('candump log lines', () => {
  it('formats standard, extended, RTR, error and FD frames like candump -l', () => {
    const at = (f: CanFrame, ms: number): CanFrame => ({ ...f, timestamp: ms });
    expect(formatCandumpLine(at(makeFrame(0x123, [0xde, 0xad, 0xbe, 0xef]), 1700000000123.456))).toBe('(1700000000.123456) can0 123#DEADBEEF');
    expect(formatCandumpLine({ ...at(makeFrame(0x1abcde, [1]), 5), channel: 'vcan1' })).toBe('(0.005000) vcan1 001ABCDE#01');
    expect(formatCandumpLine(at(makeFrame(0x5, [], { extended: true }), 0))).toBe('(0.000000) can0 00000005#');
    expect(formatCandumpLine(at(makeFrame(0x7ff, [], { rtr: true }), 1))).toBe('(0.001000) can0 7FF#R');
    expect(formatCandumpLine(at(makeFrame(0x10, [], { rtr: true, dlc: 4 }), 1))).toBe('(0.001000) can0 010#R4');
    expect(formatCandumpLine(at(makeFrame(0x4, [0, 4, 0, 0, 0, 0, 0, 0], { error: true }), 2), 'x')).toBe('(0.002000) x 20000004#0004000000000000');
    expect(formatCandumpLine(at(makeFrame(0x123, new Array(12).fill(0x11), { fd: true }), 0))).toBe('(0.000000) can0 123##0111111111111111111111111');
  });

  it('parses what it formats', () => {
    const frames = [
      makeFrame(0x123, [1, 2, 3]),
      makeFrame(0x1fffffff, [0xff]),
      makeFrame(0x12, [], { extended: true }),
      makeFrame(0x100, [], { rtr: true, dlc: 8 }),
      makeFrame(0x20, [0, 0, 0, 0, 0, 0, 0, 0], { error: true }),
    ];
    frames.forEach((f, i) => {
      const line = formatCandumpLine({ ...f, timestamp: 1700000000000 + i * 1.5, channel: 'can1' });
      expect(parsed(line)).toEqual({ ...f, timestamp: 1700000000000 + i * 1.5, channel: 'can1' });
    });
  });

  it('reads timestamps with any number of decimals and tolerates separators and trailing words', () => {
    expect(parsed('(12.5) can0 123#11').timestamp).toBe(12500);
    expect(parsed('(3) can0 123#11').timestamp).toBe(3000);
    expect(parsed('  (0.000001) can0 123#11.22.33  ').data).toEqual(Uint8Array.of(0x11, 0x22, 0x33));
    expect(parsed('(0.1) can0 123#1122 R').data).toEqual(Uint8Array.of(0x11, 0x22));
    expect(parsed('(0.1) can0 123#1122334455667788_9').data).toHaveLength(8);
  });

  it('tolerates CAN FD (##) on read', () => {
    const f = parsed('(1.000000) can0 12345678##1' + '00'.repeat(16));
    expect(f).toMatchObject({ id: 0x12345678, extended: true, fd: true });
    expect(f.data).toHaveLength(16);
  });

  it.each([
    ['garbage', 'hello world', 'not a candump log line'],
    ['no timestamp', 'can0 123#11', 'not a candump log line'],
    ['a 4-digit id', '(1.0) can0 1234#11', "id '1234' must have 3 hex digits"],
    ['a standard id above 0x7FF', '(1.0) can0 800#11', 'above 0x7FF'],
    ['odd hex digits', '(1.0) can0 123#112', 'not pairs of hex digits'],
    ['nine bytes', '(1.0) can0 123#112233445566778899', 'at most 8'],
    ['a bad RTR dlc', '(1.0) can0 123#R9', "dlc '9' is not 0..8"],
    ['a bad FD length', '(1.0) can0 123##0' + '00'.repeat(9), 'not a valid FD length'],
    ['FD without flags', '(1.0) can0 123##', 'flags digit'],
  ])('says what is wrong with %s', (_name, line, reason) => {
    const r = parseCandumpLine(line);
    expect('error' in r && r.error).toContain(reason);
  });
});
