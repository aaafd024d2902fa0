import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectExecutable } from './elf-probe';
import { parseAlignReport, whyNotFaketime, whyNotFaketimeCommand } from './faketime';
import { speedOption } from '../cli/commands/run-options';

const hasCc = spawnSync('sh', ['-c', 'command -v cc'], { stdio: 'ignore' }).status === 0;
const maybe = hasCc ? describe : describe.skip;
if (!hasCc) process.stderr.write('[skip] ELF kinds built with cc: no C compiler (cc) on this machine\n');

maybe('ELF kinds (programs built here with cc)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-elf-'));
    writeFileSync(join(dir, 'main.c'), 'int main(void) { return 0; }\n');
    // A section named like the one every Go >= 1.18 binary carries: what the probe looks for.
    writeFileSync(join(dir, 'go.c'), '__attribute__((section(".go.buildinfo"), used)) static const char info[32] = "\\xff Go buildinf:";\nint main(void) { return 0; }\n');
    const cc = (out: string, src: string, ...flags: string[]): void => {
      const r = spawnSync('cc', ['-o', join(dir, out), join(dir, src), ...flags], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(r.stderr);
    };
    cc('dynamic', 'main.c');
    cc('static', 'main.c', '-static');
    cc('golike', 'go.c');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('tells dynamic, static and Go binaries apart', () => {
    expect(inspectExecutable(join(dir, 'dynamic')).kind).toBe('dynamic');
    expect(inspectExecutable(join(dir, 'static')).kind).toBe('static');
    expect(inspectExecutable(join(dir, 'golike')).kind).toBe('go');
    expect(inspectExecutable(process.execPath).kind).toBe('dynamic');
  });

  it('refuses Go and static programs for --speed with one line naming the file; accepts dynamic ones and scripts', () => {
    expect(whyNotFaketime(join(dir, 'golike'))).toMatch(/^--speed: .*golike is a Go program; .*libfaketime cannot speed it up/);
    expect(whyNotFaketime(join(dir, 'static'))).toMatch(/^--speed: .*static is statically linked; LD_PRELOAD/);
    expect(whyNotFaketime(join(dir, 'dynamic'))).toBeUndefined();
    expect(whyNotFaketime('node')).toBeUndefined();
    const script = join(dir, 'ctl.sh');
    writeFileSync(script, `#!${join(dir, 'golike')}\n`);
    chmodSync(script, 0o755);
    expect(whyNotFaketime(script)).toMatch(/ctl\.sh \(interpreter .*golike\) is a Go program/);
    expect(whyNotFaketime('no-such-program-here')).toBeUndefined(); // the start reports a missing program
    // Through launchers that run another program.
    expect(whyNotFaketimeCommand(['stdbuf', '-oL', join(dir, 'golike'), '--x'])).toMatch(/golike is a Go program/);
    expect(whyNotFaketimeCommand(['env', '-u', 'X', 'A=1', 'nice', '-n', '5', join(dir, 'static')])).toMatch(/static is statically linked/);
    expect(whyNotFaketimeCommand(['stdbuf', '-o', 'L', join(dir, 'dynamic')])).toBeUndefined();
    expect(whyNotFaketimeCommand(['stdbuf', '-oL'])).toBeUndefined();
  });
});

describe('inspectExecutable on non-programs', () => {
  it('a missing file, a text file and a short file are unknown; a script names its interpreter', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hil-elf-'));
    try {
      writeFileSync(join(dir, 'text'), 'hello');
      writeFileSync(join(dir, 'elf-stub'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1]));
      writeFileSync(join(dir, 'py'), '#!/usr/bin/env python3 -u\nprint(1)\n');
      expect(inspectExecutable(join(dir, 'missing')).kind).toBe('unknown');
      expect(inspectExecutable(join(dir, 'text')).kind).toBe('unknown');
      expect(inspectExecutable(join(dir, 'elf-stub')).kind).toBe('unknown');
      expect(inspectExecutable(join(dir, 'py'))).toEqual({ kind: 'script', interpreter: ['/usr/bin/env', 'python3'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('--speed option and the launcher report', () => {
  it('accepts positive numbers up to 1000, refuses the rest with one line', () => {
    expect(speedOption(undefined)).toBeUndefined();
    expect(speedOption('10')).toBe(10);
    expect(speedOption('2.5')).toBe(2.5);
    for (const bad of ['0', '-3', 'fast', '1e3', '1001', '']) expect(() => speedOption(bad)).toThrow(/--speed '.*': expected a number above 0 and at most 1000/);
  });

  it('parses the launcher line; a line without the clocks or with an error is refused', () => {
    const ok = { faked_realtime_ns: 1, faked_monotonic_ns: 2, real_monotonic_ns: 3, uncertainty_ns: 4 };
    expect(parseAlignReport(JSON.stringify(ok))).toEqual(ok);
    expect(() => parseAlignReport('{')).toThrow(/unreadable line/);
    expect(() => parseAlignReport('{"error":"unsupported architecture sparc"}')).toThrow(/failed: unsupported architecture sparc/);
    expect(() => parseAlignReport('{"faked_realtime_ns":1}')).toThrow(/lacks faked_monotonic_ns/);
  });
});
