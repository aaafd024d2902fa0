import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseBench } from '../bench/load-bench';
import { preflightDut } from './dut-preflight';

// The reference controller from its sources (jest compiles it), so this test does not need the build.
const ROOT = resolve(__dirname, '..', '..');
const ci = readFileSync(resolve(ROOT, 'fixtures', 'benches', 'ci.yaml'), 'utf8').replace('module: dist/examples/controllers/reference/controller.js', 'module: examples/controllers/reference/controller.ts');
const bench = (text: string) => parseBench(text, resolve(ROOT, 'fixtures', 'benches', 'ci-test.yaml'));
const run = (text: string, mode: 'real' | 'virtual', dutOptions: string[] = [], dutArgs: string[] = []) => {
  const cwd = process.cwd();
  process.chdir(ROOT); // dut.module and dut.command paths are relative to where hil runs
  try {
    const r = preflightDut(bench(text), { mode, dutOptions, dutArgs });
    return { ...r, lines: r.problems.map((p) => `${p.where?.replace(`${ROOT}/`, '')} | ${p.message}`) };
  } finally {
    process.chdir(cwd);
  }
};

describe('controller preflight (before any port or process)', () => {
  it('the CI bench: a process in real time, the module in virtual time with typed options', () => {
    expect(run(ci, 'real')).toMatchObject({ plan: { kind: 'process' }, problems: [] });
    const v = run(ci, 'virtual', ['defects=ignore-overtemp,no-heartbeat', 'periodMs=200']);
    expect(v.problems).toEqual([]);
    expect(v.plan).toEqual({ kind: 'module', moduleOptions: { defects: ['ignore-overtemp', 'no-heartbeat'], periodMs: 200 } });
  });

  it('virtual time with only a process controller is refused at the dut block', () => {
    const r = run(ci.replace(/\n {2}module: .*\n/, '\n'), 'virtual');
    expect(r.lines).toEqual([expect.stringMatching(/^fixtures\/benches\/ci-test\.yaml:\d+:3 \| --virtual-time: bench 'ci' starts its controller as a process/)]);
  });

  it('--dut-option goes to an in-process controller only, --dut-arg to a process only', () => {
    expect(run(ci, 'real', ['periodMs=5']).lines).toEqual([
      "--dut-option periodMs=5 | in real time bench 'ci' runs its controller as a process ('dut.command'), which takes no --dut-option; pass it arguments with --dut-arg, or run its in-process module with --virtual-time",
    ]);
    expect(run(ci, 'virtual', [], ['--verbose']).lines).toEqual([
      "--dut-arg --verbose | in virtual time bench 'ci' runs its controller in-process ('dut.module'), which takes no --dut-arg; give it options with --dut-option",
    ]);
    const none = ci.replace(/\ndut:[\s\S]*$/, '\n');
    expect(run(none, 'real', ['a=1'], ['b']).lines).toEqual([
      "--dut-option a=1 | bench 'ci' has no controller to take options (no 'dut')",
      "--dut-arg b | bench 'ci' has no controller command to take arguments (no 'dut.command')",
    ]);
  });

  it('unknown placeholders in --dut-arg, a program not on PATH, options the module does not declare', () => {
    expect(run(ci, 'real', [], ['${modbus.site.prot}']).lines).toEqual([
      "--dut-arg ${modbus.site.prot} | unknown placeholder ${modbus.site.prot} (did you mean 'modbus.site.port'?) (this bench has: can.pack1.url, can.pack1.host, can.pack1.port, can.pack1.bus, can.pack1.socketcand, can.pack2.url, can.pack2.host, can.pack2.port, can.pack2.bus, can.pack2.socketcand, modbus.site.url, modbus.site.host, modbus.site.port, modbus.site.tcp)",
    ]);
    expect(run(ci.replace('    - node\n', '    - no-such-program-xyz\n'), 'real').lines).toEqual([
      expect.stringMatching(/ci-test\.yaml:\d+:7 \| the controller program 'no-such-program-xyz' is not found on PATH or is not executable$/),
    ]);
    expect(run(ci, 'virtual', ['periodMS=1']).lines[0]).toContain("has no option 'periodMS' (did you mean 'periodMs'?)");
    expect(run(`${ci}  moduleOptions: { defects: [slow] }\n`, 'virtual').lines).toEqual([
      expect.stringMatching(/ci-test\.yaml:\d+:20 \| option defects: 'slow' is not one of ignore-overtemp, .* \(did you mean 'slow-reaction'\?\)$/),
    ]);
  });

  it('a module that cannot be loaded or does not export createController', () => {
    expect(run(ci.replace('examples/controllers/reference/controller.ts', 'examples/controllers/reference/defects.ts'), 'virtual').lines).toEqual([
      expect.stringMatching(/\| controller module 'examples\/controllers\/reference\/defects\.ts' does not export createController\(io, options\)$/),
    ]);
  });
});
