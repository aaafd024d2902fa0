import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../core/errors';
import { loadBench } from '../bench/load-bench';
import { hashOf } from '../evidence/provenance';
import { loadScenario } from '../scenario/load-scenario';
import { prepareResume } from './resume';

describe('prepareResume', () => {
  let dir: string;
  let out: string;
  let log: string;
  const BENCH = `bench: r
can:
  pack1: { hub: { socketcand: "127.0.0.1:0", bus: pack1 } }
devices:
  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1 }
`;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hil-resume-'));
    out = join(dir, 'out');
    mkdirSync(out);
    log = join(out, 'results.jsonl');
    writeFileSync(join(dir, 'bench.yaml'), BENCH);
    for (const id of ['a', 'b', 'c', 'd']) writeFileSync(join(dir, `${id}.yaml`), `scenario: ${id}\nduration: 10s\nexpect:\n  - { id: x, atEnd: "t > 0" }\n`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const bench = () => loadBench(join(dir, 'bench.yaml'));
  const scenarios = () => ['a', 'b', 'c', 'd'].map((id) => loadScenario(join(dir, `${id}.yaml`)));
  const runRec = (shard?: string) =>
    JSON.stringify({
      type: 'run',
      scenarios: ['a', 'b', 'c', 'd'],
      total: 4,
      timeMode: 'auto',
      bench: { name: 'r', file: join(dir, 'bench.yaml'), sha256: hashOf(join(dir, 'bench.yaml'), () => '') },
      ...(shard ? { shard: { index: Number(shard[0]), count: Number(shard[2]) } } : {}),
    });
  const result = (id: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      type: 'result',
      scenario: id,
      verdict: 'pass',
      expectations: [],
      provenance: { scenario: { file: join(dir, `${id}.yaml`), sha256: hashOf(join(dir, `${id}.yaml`), () => '') } },
      ...extra,
    });

  it('keeps finished results; interrupted, skipped, changed and unstarted scenarios run again; old evidence is kept aside', () => {
    writeFileSync(
      log,
      [runRec(), result('a'), result('b', { interrupted: { signal: 'SIGINT', atMs: 3 } }), result('c', { verdict: 'skip' }), result('d'), ''].join('\n'),
    );
    writeFileSync(join(dir, 'd.yaml'), 'scenario: d\nduration: 20s\nexpect:\n  - { id: x, atEnd: "t > 0" }\n'); // edited since
    mkdirSync(join(out, 'b'));
    mkdirSync(join(out, 'b.attempt-1'));
    const state = prepareResume(out, bench(), scenarios(), undefined);
    expect([...state.kept.keys()]).toEqual(['a']);
    expect(state.notes).toEqual([
      `resume: 'd' changed since its result (${join(dir, 'd.yaml')}); it runs again`,
      `resume: the evidence of the earlier, unfinished attempt at 'b' is kept in ${join(out, 'b')}.attempt-2`,
      `resume: 1 scenario(s) already judged in ${log} (kept), 3 to run`,
    ]);
    expect(existsSync(join(out, 'b.attempt-2'))).toBe(true);
    expect(existsSync(join(out, 'b'))).toBe(false);
  });

  it('drops a last line cut mid-record (and adds a missing final newline), so appended records stay whole', () => {
    writeFileSync(log, [runRec(), result('a'), '{"type":"result","scen'].join('\n'));
    const state = prepareResume(out, bench(), scenarios(), undefined);
    expect(state.notes[0]).toBe(`resume: dropped line 3 of ${log}, a record the stopped run never finished`);
    expect(readFileSync(log, 'utf8')).toBe([runRec(), result('a'), ''].join('\n'));
    writeFileSync(log, [runRec(), result('a')].join('\n'));
    prepareResume(out, bench(), scenarios(), undefined);
    expect(readFileSync(log, 'utf8').endsWith('\n')).toBe(true);
  });

  it('refuses a damaged record inside the file, another bench file, another shard', () => {
    writeFileSync(log, [runRec(), 'garbage', result('a'), ''].join('\n'));
    expect(() => prepareResume(out, bench(), scenarios(), undefined)).toThrow(
      new ConfigError('cannot resume: damaged record (not a JSON record); repair or remove that line, or start a new --out', `${log}:2`),
    );
    writeFileSync(log, [runRec('1/2'), result('a'), ''].join('\n'));
    expect(() => prepareResume(out, bench(), scenarios(), undefined)).toThrow(/holds shard 1\/2, this run asks for no shard/);
    expect(() => prepareResume(out, bench(), scenarios(), { index: 1, count: 2 })).not.toThrow();
    writeFileSync(join(dir, 'bench.yaml'), BENCH.replace('bench: r', 'bench: r2'));
    expect(() => prepareResume(out, bench(), scenarios(), { index: 1, count: 2 })).toThrow(/cannot resume: .* holds results of bench file .*, and .* differs/);
  });

  it('with nothing to resume, starts a new run', () => {
    rmSync(log, { force: true });
    expect(prepareResume(out, bench(), scenarios(), undefined)).toEqual({ kept: new Map(), notes: [`resume: no ${log} yet; starting a new run`] });
  });
});
