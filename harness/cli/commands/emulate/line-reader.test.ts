import { PassThrough } from 'node:stream';
import { readBoundedLines } from './line-reader';

async function linesOf(chunks: Array<string | Buffer>, max: number): Promise<Array<[string, number]>> {
  const input = new PassThrough();
  const got: Array<[string, number]> = [];
  const ended = new Promise<void>((resolve) => readBoundedLines(input, max, (l, n) => got.push([l, n]), resolve));
  for (const c of chunks) input.write(c);
  input.end();
  await ended;
  return got;
}

describe('readBoundedLines', () => {
  it('splits LF and CR LF lines across chunks, and gives a last line without a newline', async () => {
    expect(await linesOf(['show pa', 'ck1.soc\r\nfaults\n', '\nquit'], 100)).toEqual([
      ['show pack1.soc', 14],
      ['faults', 6],
      ['', 0],
      ['quit', 4],
    ]);
  });

  it('keeps only the start of an overlong line, reports its real length, and goes on with the next line', async () => {
    const got = await linesOf(['x'.repeat(30), 'y'.repeat(5000), 'z\nshow t\n'], 16);
    expect(got).toEqual([
      ['x'.repeat(17), 5031],
      ['show t', 6],
    ]);
  });

  it('decodes UTF-8 split across chunks', async () => {
    const bytes = Buffer.from('set ambient 4°\n');
    expect(await linesOf([bytes.subarray(0, 14), bytes.subarray(14)], 100)).toEqual([['set ambient 4°', 14]]);
  });
});
