import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors';
import { INPUT_LIMITS } from './limits';
import { readTextFile } from './read-text-file';

function failure(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('readTextFile', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-read-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, bytes: string | Buffer): string => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  it('reads UTF-8 text, and drops a UTF-8 byte-order mark so columns count from the first character', () => {
    expect(readTextFile(file('plain.yaml', 'a: 1\n'))).toBe('a: 1\n');
    expect(readTextFile(file('bom.yaml', Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from('a: ü\n')])))).toBe('a: ü\n');
  });

  it('refuses UTF-16 and UTF-32 text by its byte-order mark', () => {
    expect(failure(() => readTextFile(file('le.yaml', Buffer.from([0xff, 0xfe, 0x61, 0x00])))).message).toMatch(/le\.yaml:1:1: file is UTF-16 or UTF-32 text \(byte-order mark FF FE\)/);
    expect(failure(() => readTextFile(file('be.yaml', Buffer.from([0xfe, 0xff, 0x00, 0x61])))).message).toContain('byte-order mark FE FF');
    expect(failure(() => readTextFile(file('32.yaml', Buffer.from([0, 0, 0xfe, 0xff, 0, 0, 0, 0x61])))).message).toContain('UTF-32');
  });

  it('refuses bytes that are not UTF-8, at the line and column of the first bad byte', () => {
    const bad = failure(() => readTextFile(file('latin1.yaml', Buffer.concat([Buffer.from('a: 1\nb: caf'), Buffer.from([0xe9]), Buffer.from('\n')]))));
    expect(bad.message).toMatch(/latin1\.yaml:2:7: file is not UTF-8 text \(byte 0xe9 at byte offset 11\)/);
    // A lead byte whose sequence is cut short by ASCII is the bad one.
    const cut = failure(() => readTextFile(file('cut.yaml', Buffer.from([0x61, 0x3a, 0x20, 0xe2, 0x82, 0x41]))));
    expect(cut.location).toMatch(/cut\.yaml:1:4$/);
  });

  it('refuses a directory, a FIFO and a missing file without blocking', () => {
    const sub = join(dir, 'sub.yaml');
    mkdirSync(sub);
    expect(failure(() => readTextFile(sub)).message).toContain('is a directory');
    const fifo = join(dir, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    const t0 = Date.now();
    expect(failure(() => readTextFile(fifo)).message).toContain('is a FIFO (named pipe), not a regular file');
    expect(Date.now() - t0).toBeLessThan(5000); // opened non-blocking: no writer needed
    expect(failure(() => readTextFile(join(dir, 'nope.yaml'))).message).toMatch(/nope\.yaml: no such file$/);
    const loop = join(dir, 'loop.yaml');
    symlinkSync(loop, loop);
    expect(failure(() => readTextFile(loop)).message).toContain('ELOOP');
  });

  it(`refuses a file over ${INPUT_LIMITS.fileBytes} bytes before reading it`, () => {
    const big = file('big.yaml', Buffer.alloc(INPUT_LIMITS.fileBytes + 1, 0x20));
    expect(failure(() => readTextFile(big)).message).toContain(`is ${INPUT_LIMITS.fileBytes + 1} bytes; bench and scenario files may have at most ${INPUT_LIMITS.fileBytes}`);
    expect(readTextFile(file('max.yaml', Buffer.alloc(INPUT_LIMITS.fileBytes, 0x20)))).toHaveLength(INPUT_LIMITS.fileBytes);
  });
});
