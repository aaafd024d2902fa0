import { encodeAdu, MbapSplitter, type MbapDrop, type MbapFrame } from './mbap';

function collect(): { frames: Array<{ tid: number; unit: number; pdu: string }>; drops: MbapDrop[]; s: MbapSplitter } {
  const frames: Array<{ tid: number; unit: number; pdu: string }> = [];
  const drops: MbapDrop[] = [];
  const s = new MbapSplitter(
    (f: MbapFrame) => frames.push({ tid: f.transactionId, unit: f.unitId, pdu: Buffer.from(f.pdu).toString('hex') }),
    (d) => drops.push(d),
  );
  return { frames, drops, s };
}

describe('MbapSplitter', () => {
  it('assembles ADUs fed one byte at a time and several in one chunk', () => {
    const { frames, s } = collect();
    const a = encodeAdu(7, 1, Uint8Array.of(3, 0, 0, 0, 2));
    const b = encodeAdu(8, 2, Uint8Array.of(6, 0, 1, 0, 5));
    expect(a.toString('hex')).toBe('000700000006010300000002');
    for (const byte of a) s.push(Buffer.of(byte));
    expect(frames).toEqual([{ tid: 7, unit: 1, pdu: '0300000002' }]);
    const both = Buffer.concat([a, b, a.subarray(0, 3)]);
    s.push(both);
    expect(frames.map((f) => f.tid)).toEqual([7, 7, 8]);
    expect(s.buffered).toBe(3);
    s.push(a.subarray(3));
    expect(frames.map((f) => f.tid)).toEqual([7, 7, 8, 7]);
    expect(s.buffered).toBe(0);
  });

  it('skips bad protocol ids and too-short lengths whole; refuses oversize', () => {
    const { frames, drops, s } = collect();
    const bad = encodeAdu(1, 1, Uint8Array.of(3, 0, 0, 0, 1));
    bad[3] = 1;
    expect(s.push(Buffer.concat([bad, Buffer.from('000200000000' + '00030000000101', 'hex'), encodeAdu(4, 1, Uint8Array.of(4, 0, 0, 0, 1))]))).toBe(true);
    expect(drops).toEqual([
      { reason: 'bad-protocol-id', bytes: 12, protocolId: 1 },
      { reason: 'bad-length', bytes: 6, length: 0 },
      { reason: 'bad-length', bytes: 7, length: 1 },
    ]);
    expect(frames.map((f) => f.tid)).toEqual([4]);
    expect(s.push(Buffer.from('000400000100', 'hex'))).toBe(false);
    expect(drops.at(-1)).toEqual({ reason: 'oversize', bytes: 6, length: 256 });
  });
});
