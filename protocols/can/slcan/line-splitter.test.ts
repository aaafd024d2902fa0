import { SlcanLineSplitter, type SlcanToken } from './line-splitter';

function feedBytewise(s: SlcanLineSplitter, text: string): SlcanToken[] {
  const out: SlcanToken[] = [];
  for (const ch of Buffer.from(text, 'latin1')) out.push(...s.push(Uint8Array.of(ch)));
  return out;
}

describe('SlcanLineSplitter', () => {
  const stream = 't1232AABB\r\rz\rV1013\r\x07T0000012300\r';
  const expected: SlcanToken[] = [
    { kind: 'line', text: 't1232AABB' },
    { kind: 'line', text: '' },
    { kind: 'line', text: 'z' },
    { kind: 'line', text: 'V1013' },
    { kind: 'bell', text: '' },
    { kind: 'line', text: 'T0000012300' },
  ];

  it('splits CR-terminated lines and BEL replies, however the chunks fall', () => {
    expect(new SlcanLineSplitter().push(stream)).toEqual(expected);
    expect(feedBytewise(new SlcanLineSplitter(), stream)).toEqual(expected);
    const s = new SlcanLineSplitter();
    const buf = Buffer.from(stream, 'latin1');
    const out = [...s.push(buf.subarray(0, 7)), ...s.push(buf.subarray(7, 20)), ...s.push(buf.subarray(20))];
    expect(out).toEqual(expected);
    expect(s.droppedTotal).toBe(0);
  });

  it('keeps a partial line until its terminator arrives', () => {
    const s = new SlcanLineSplitter();
    expect(s.push('t12')).toEqual([]);
    expect(s.push('30')).toEqual([]);
    expect(s.push('\r')).toEqual([{ kind: 'line', text: 't1230' }]);
  });

  it('takes LF and CR LF as one terminator each', () => {
    expect(new SlcanLineSplitter().push('O\nC\r\nV\r')).toEqual([
      { kind: 'line', text: 'O' },
      { kind: 'line', text: 'C' },
      { kind: 'line', text: 'V' },
    ]);
  });

  it('drops over-long lines whole, counts them, and resynchronises at the next terminator', () => {
    const drops: string[] = [];
    const s = new SlcanLineSplitter({ maxLineLength: 10, onDrop: (r) => drops.push(r) });
    const out = s.push('t123' + 'A'.repeat(200) + '\rt1230\r');
    expect(out).toEqual([
      { kind: 'dropped', reason: 'too-long', excerpt: 't123AAAAAA' },
      { kind: 'line', text: 't1230' },
    ]);
    expect(s.dropped['too-long']).toBe(1);
    expect(drops).toEqual(['too-long']);
  });

  it('drops lines with control or non-ASCII bytes; on the adapter side a BEL byte is garbage', () => {
    const s = new SlcanLineSplitter({ bellTerminates: false });
    const out = s.push(Buffer.from([0x74, 0x00, 0xff, 0x0d, 0x07, 0x4f, 0x0d, 0x4f, 0x0d]));
    expect(out).toEqual([
      { kind: 'dropped', reason: 'non-printable', excerpt: 't\x00\xff' },
      { kind: 'dropped', reason: 'non-printable', excerpt: '\x07O' },
      { kind: 'line', text: 'O' },
    ]);
    expect(s.dropped['non-printable']).toBe(2);
  });

  it('still reports the BEL after a dropped garbage reply on the host side', () => {
    const s = new SlcanLineSplitter();
    expect(s.push('\x01\x02\x07')).toEqual([
      { kind: 'dropped', reason: 'non-printable', excerpt: '\x01\x02' },
      { kind: 'bell', text: '' },
    ]);
  });
});
