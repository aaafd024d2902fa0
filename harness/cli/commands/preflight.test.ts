import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { allProblems, inspect } from './preflight';

const ROOT = resolve(__dirname, '..', '..', '..');
const CI = join(ROOT, 'fixtures', 'benches', 'ci.yaml');

describe('inspect (what hil run checks first and hil validate reports)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-inspect-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const run = (paths: string[], benchPath?: string) =>
    inspect({ paths, ...(benchPath ? { benchPath } : {}), mode: 'real', dutOptions: [], dutArgs: [], benchesAmongPaths: true });

  it("reports a scenario's file problems and its problems against the bench together, in file order", async () => {
    const f = file(
      'multi.yaml',
      'scenario: multi\nduration: 1m\ntimeline:\n  - at: 1s\n    fault: { device: pakc1, kind: comms-loss }\n  - at: 2s\n    set: { inv1.irradience: 5, pack1.current: 1e308 }\nexpect:\n  - id: a\n    atEnd: pack1.soc >\n  - id: b\n    atEnd: pack1.sock > 1\n',
    );
    const r = await run([f], CI);
    expect(r.scenarios).toEqual([]);
    expect(allProblems(r).map((p) => [p.where!.replace(`${f}:`, ''), p.message])).toEqual([
      ['4:5', expect.stringContaining("no device 'pakc1' on this bench (did you mean 'pack1'?)")],
      ['7:12', expect.stringContaining("device 'inv1' has no input 'irradience' (did you mean 'irradiance'?)")],
      ['7:47', expect.stringContaining('pack1.current 1e+308 A is not physically plausible')],
      ['10:12', expect.stringContaining('expression ends too soon')],
      ['12:12', expect.stringContaining("unknown signal 'pack1.sock': device 'pack1' has no signal 'sock' (did you mean 'soc'?)")],
    ]);
  });

  it('takes directories and mixes of benches and scenarios; refuses duplicate scenario ids and bad paths', async () => {
    const sub = join(dir, 'mix');
    mkdirSync(sub);
    writeFileSync(join(sub, 'a.yaml'), 'scenario: same\nduration: 1m\nexpect: [{ id: e, atEnd: pack1.soc > 0 }]\n');
    writeFileSync(join(sub, 'b.yaml'), 'scenario: same\nduration: 1m\nexpect: [{ id: e, atEnd: pack1.soc > 0 }]\n');
    writeFileSync(join(sub, 'bench.yml'), 'bench: tiny\ndevices:\n  - { name: inv1, type: inverter, modbus: nowhere }\n');
    writeFileSync(join(sub, 'notes.txt'), 'not yaml');
    const r = await run([sub, join(dir, 'missing.yaml')], CI);
    const strip = (x: string | undefined): string => (x ?? '').replace(`${dir}/`, '');
    expect(r.files.map((f) => [strip(f.file), f.kind, f.problems.map((p) => [strip(p.where), p.message])])).toEqual([
      [CI, 'bench', []],
      ['mix/a.yaml', 'scenario', []],
      ['mix/b.yaml', 'scenario', [['mix/b.yaml:1:11', `scenario id 'same' is also used by ${join(sub, 'a.yaml')}`]]],
      ['mix/bench.yml', 'bench', [['mix/bench.yml:3:43', expect.stringContaining("no Modbus endpoint 'nowhere' on this bench")]]],
      ['missing.yaml', 'path', [['missing.yaml', 'no such file or directory']]],
    ]);
    expect(r.scenarios.map((s) => s.id)).toEqual(['same']);
  });
});
