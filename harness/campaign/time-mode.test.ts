import { parseBench } from '../bench/load-bench';
import { parseScenario } from '../scenario/load-scenario';
import { describeRealTimePlan, planTimeModes } from './time-mode';

const bench = (dut: string) =>
  parseBench(`
bench: t
can:
  pack1: { hub: { socketcand: "127.0.0.1:0", bus: pack1 } }
devices:
  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1 }
${dut}
`);
// the module must exist (the bench check looks); any file does, nothing is loaded here
const both = bench('dut: { command: [ctl], module: examples/controllers/reference/controller.ts }');
const processOnly = bench('dut: { command: [ctl] }');
const wired = bench('');
const scenarios = (['any', 'virtual', 'real'] as const).map((m) => parseScenario(`scenario: ${m}-s\nduration: 2m\ntimeMode: ${m}\nexpect:\n  - { id: x, atEnd: "t > 0" }\n`, `${m}.yaml`));
const plan = (b: typeof both, choice: 'real' | 'virtual' | 'auto') =>
  planTimeModes(b, scenarios, choice).map((p) => (p.skip !== undefined ? 'skip' : `${p.mode}${p.forced ? '!' : ''}`));

describe('planTimeModes', () => {
  it.each([
    // bench, choice -> [any, virtual, real]
    ['module + command', both, 'auto', ['virtual', 'virtual', 'real']],
    ['module + command', both, 'virtual', ['virtual', 'virtual', 'skip']],
    ['module + command', both, 'real', ['real', 'real!', 'real']],
    ['process only', processOnly, 'auto', ['real', 'skip', 'real']],
    ['process only', processOnly, 'real', ['real', 'real!', 'real']],
    ['wired board', wired, 'auto', ['real', 'skip', 'real']],
  ] as const)('%s, --time-mode %s', (_name, b, choice, expected) => {
    expect(plan(b, choice)).toEqual(expected);
  });

  it('says why a scenario is skipped and how to run it anyway', () => {
    const [, v] = planTimeModes(processOnly, scenarios, 'auto');
    expect(v!.skip).toBe(
      "declares timeMode: virtual, but the bench's controller runs only as a process (dut.command, no dut.module); force it to real time with --time-mode real (it then takes 2m00s)",
    );
    const [, , r] = planTimeModes(both, scenarios, 'virtual');
    expect(r!.skip).toBe('declares timeMode: real and this run is in virtual time (run it with --time-mode real or auto; it takes 2m00s)');
  });

  it('prints the real-time plan: each scenario and the total', () => {
    expect(describeRealTimePlan(planTimeModes(both, scenarios, 'real'))).toEqual([
      'real time: 3 scenario(s), 6m00s of wall-clock time in total (plus controller start-up):',
      '     2m00s  any-s',
      '     2m00s  virtual-s (declared timeMode: virtual; forced to real time)',
      '     2m00s  real-s',
    ]);
    expect(describeRealTimePlan(planTimeModes(both, scenarios.slice(0, 2), 'virtual'))).toEqual([]);
  });
});
