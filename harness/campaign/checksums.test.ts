import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors';
import { verifyChecksums, writeChecksums } from './checksums';

describe('evidence checksums', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-sums-'));
    mkdirSync(join(dir, 'sc1'));
    writeFileSync(join(dir, 'results.jsonl'), '{"type":"run"}\n');
    writeFileSync(join(dir, 'sc1', 'pack1.log.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
    writeFileSync(join(dir, 'sc1', 'with space.txt'), 'x');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every file and verifies an intact folder', () => {
    writeChecksums(dir);
    expect(verifyChecksums(dir)).toEqual({ checked: 3, changed: [], missing: [], added: [], ok: true });
  });

  it('is read by GNU sha256sum -c', () => {
    writeChecksums(dir);
    let out: string;
    try {
      out = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir, encoding: 'utf8' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return console.warn('skipped: sha256sum (coreutils) is not installed');
      throw err;
    }
    expect(out.trim().split('\n')).toHaveLength(3);
    expect(out).not.toMatch(/FAILED/);
  });

  it('reports files changed, missing and added', () => {
    writeChecksums(dir);
    appendFileSync(join(dir, 'results.jsonl'), 'tampered\n');
    unlinkSync(join(dir, 'sc1', 'pack1.log.gz'));
    writeFileSync(join(dir, 'sc1', 'extra.json'), '{}');
    const r = verifyChecksums(dir);
    expect(r).toEqual({ checked: 3, changed: ['results.jsonl'], missing: ['sc1/pack1.log.gz'], added: ['sc1/extra.json'], ok: false });
  });

  it('refuses bad input: no folder, no checksum file, a malformed line (with file:line)', () => {
    expect(() => verifyChecksums(join(dir, 'nope'))).toThrow(ConfigError);
    expect(() => verifyChecksums(dir)).toThrow(/no SHA256SUMS/);
    writeFileSync(join(dir, 'SHA256SUMS'), `${'a'.repeat(64)}  results.jsonl\nnot a line\n`);
    expect(() => verifyChecksums(dir)).toThrow(/SHA256SUMS:2:1: not a sha256sum line/);
  });
});
