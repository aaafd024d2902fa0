import { resolve } from 'node:path';
import { VirtualClock } from '../../core/clock';
import { BenchInstance } from '../bench/bench-instance';
import { loadBench } from '../bench/load-bench';
import { createCompleter } from './completer';
import { EmulateInterpreter, MAX_LINE_LENGTH, finiteNumber, statusLine } from './interpreter';

const CI_BENCH = resolve(__dirname, '..', '..', 'fixtures', 'benches', 'ci.yaml');

let inst: BenchInstance;
let clock: VirtualClock;
let cli: EmulateInterpreter;

beforeEach(async () => {
  clock = new VirtualClock(1_000_000);
  inst = await BenchInstance.start(loadBench(CI_BENCH), { clock, mode: 'virtual', seed: 1, serveNetwork: false });
  cli = new EmulateInterpreter(inst, () => statusLine(inst));
});
afterEach(() => inst.close());

const run = (line: string): string[] => cli.run(line).lines;

describe('hil emulate command interpreter', () => {
  it('shows signals and device summaries; unknown signals are errors naming where to look', () => {
    expect(run('show pack1.soc inv1.ac.power')).toEqual(['pack1.soc=55 inv1.ac.power=0']);
    expect(run('show pack2')).toEqual(['pack2 soc=50% I=0A T=25C']);
    const r = cli.run('show pack1.soc pack1.socc');
    expect(r.error).toBe(true);
    expect(r.lines).toEqual(['pack1.soc=55', "error: unknown signal 'pack1.socc' (signals <device> lists them; Tab completes)"]);
    expect(run('show')).toEqual(['error: show what? (e.g. show pack1.soc, show pack1)']);
  });

  it('sets inputs to finite numbers only, and names the inputs a device takes', () => {
    expect(run('set inv1.grid.frequency 50.5')).toEqual(['ok']);
    inst.step(0.1);
    expect(inst.signal('inv1.Hz')).toBeCloseTo(50.5, 2);
    for (const bad of ['NaN', 'Infinity', '-Infinity', '1e999', '0x10', '12abc', '--1']) {
      expect(cli.run(`set inv1.grid.frequency ${bad}`)).toMatchObject({ error: true });
    }
    inst.step(0.1);
    expect(inst.signal('inv1.Hz')).toBeCloseTo(50.5, 2); // refused values changed nothing
    expect(run('set inv1.irradiance NaN')).toEqual(["error: set inv1.irradiance: 'NaN' is not a finite number"]);
    expect(run('set pack1.irradiance 3')).toEqual(["error: pack1 has no input 'irradiance' (it takes: ambient, current)"]);
    expect(run('set nope.x 3')).toEqual(["error: 'nope.x': no device 'nope' (devices: pack1, pack2, inv1, inv2)"]);
    expect(run('set ambient 40')).toEqual(['ok']);
  });

  it('injects faults with name=value or JSON parameters, lists them, refuses a reused id, and clears', () => {
    expect(run('faults')).toEqual(['no faults in force']);
    expect(run('fault hot pack1 self-heating cell=3 watts=20')).toEqual(["fault 'hot' injected: pack1 self-heating cell=3 watts=20"]);
    expect(run('fault hot pack2 comms-loss')).toEqual(["error: fault id 'hot' is already in force (clear hot first, or pick another id)"]);
    clock.advance(2500);
    expect(run('fault slow inv1 modbus-delay {"ms": 50, "address": {"from": 0, "to": 10}}')).toEqual([
      'fault \'slow\' injected: inv1 modbus-delay ms=50 address={"from":0,"to":10}',
    ]);
    expect(run('faults')).toEqual(['hot  pack1  self-heating cell=3 watts=20  (for 2.5 s)', 'slow  inv1  modbus-delay ms=50 address={"from":0,"to":10}  (for 0.0 s)']);
    expect(inst.activeFaults().map((f) => f.id)).toEqual(['hot', 'slow']);
    expect(run('clear nope')).toEqual(["error: no fault 'nope' in force (in force: hot, slow)"]);
    expect(run('clear hot')).toEqual(["fault 'hot' cleared"]);
    expect(run('clear hot')).toEqual(["error: no fault 'hot' in force (in force: slow)"]);
    expect(run('fault hot pack2 comms-loss')).toEqual(["fault 'hot' injected: pack2 comms-loss"]); // the id is free again
  });

  it('checks fault parameters against the kind before injecting anything', () => {
    const cases: Array<[string, string]> = [
      ['fault a pack1 self-heating cell=3', 'self-heating needs watts (e.g. watts=...)'],
      ['fault a pack1 self-heating cell=3 watts=NaN', "self-heating watts: 'NaN' is not a finite number"],
      ['fault a pack1 self-heating cell=3.5 watts=1', "self-heating cell: '3.5' is not a whole number"],
      ['fault a pack1 self-heating cell=3 watts=1 colour=red', "self-heating has no parameter 'colour' (it takes: cell, watts, doublingK, maxWatts)"],
      ['fault a pack1 self-heating cell=3 cell=4 watts=1', "parameter 'cell' given twice"],
      ['fault a pack1 self-heating cell 3', "'cell': write parameters as name=value (e.g. cell=... watts=...)"],
      ['fault a pack1 sensor-stuck sensor=voltage', "sensor-stuck sensor: 'voltage' is not one of cell-voltage, temperature, current, pack-voltage"],
      ['fault a pack1 self-heating {"cell": 3, "watts": 1e999}', 'watts: Infinity is not a finite number'],
      ['fault a pack1 self-heating {"cell": 3', expect.stringMatching(/^fault parameters: /) as unknown as string],
      ['fault a pack1 self-heating [1]', "'[1]': write parameters as name=value (e.g. cell=... watts=...)"],
      ['fault a pack1 grid-loss', "pack1 has no fault 'grid-loss' (kinds pack1 lists them)"],
      ['fault a pack9 comms-loss', "no device 'pack9' (devices: pack1, pack2, inv1, inv2)"],
      ['fault -x pack1 comms-loss', "fault id '-x': letters, digits, '_', '-', '.' (at most 64, not starting with a sign)"],
      ['fault a inv1 fault-code events=NOPE', expect.stringMatching(/^fault-code events: 'NOPE' is not one of /) as unknown as string],
      ['fault a', 'usage: fault <id> <device> <kind> [name=value ...|{json}]'],
    ];
    for (const [line, message] of cases) {
      const r = cli.run(line);
      expect({ line, lines: r.lines, error: r.error }).toEqual({ line, lines: [expect.anything()], error: true });
      expect(r.lines[0]).toEqual(typeof message === 'string' ? `error: ${message}` : expect.anything());
      if (typeof message !== 'string') expect(r.lines[0]!.slice(7)).toEqual(message);
    }
    expect(inst.activeFaults()).toEqual([]);
  });

  it('refuses lines over the limit whole, ignores blank lines and comments, and knows quit', () => {
    const long = `show ${'pack1.soc '.repeat(200)}`;
    expect(long.length).toBeGreaterThan(MAX_LINE_LENGTH);
    expect(run(long)).toEqual([`error: line too long (${long.length} characters; at most ${MAX_LINE_LENGTH})`]);
    expect(cli.run('x', 5000).lines).toEqual([`error: line too long (5000 characters; at most ${MAX_LINE_LENGTH})`]);
    expect(run('   ')).toEqual([]);
    expect(run('# a comment')).toEqual([]);
    expect(run('bogus')).toEqual(["error: unknown command 'bogus' (help lists the commands)"]);
    expect(cli.run('quit')).toEqual({ lines: [], quit: true });
    expect(cli.run('exit').quit).toBe(true);
  });

  it('lists fault kinds with their parameters (required marked) and signals by prefix', () => {
    const kinds = run('kinds inv1');
    expect(kinds).toContain('grid-voltage volts=number*');
    expect(kinds).toContain('modbus-delay ms=number* functionCode=integer address=object probability=number remaining=integer');
    expect(run('kinds pack1')).not.toContainEqual(expect.stringMatching(/^modbus-/)); // pack1 is on CAN only
    expect(run('signals pack1 temperature.')).toEqual(['temperature.max temperature.min temperature.avg']);
    expect(run('help fault')).toEqual(['fault <id> <device> <kind> [name=value ...|{json}]', '  inject a fault under a new id; e.g. fault hot pack1 self-heating cell=3 watts=20']);
  });

  it('reads numbers strictly', () => {
    expect([finiteNumber('12'), finiteNumber('-0.5'), finiteNumber('1e3'), finiteNumber('.5'), finiteNumber('+3.')]).toEqual([12, -0.5, 1000, 0.5, 3]);
    for (const bad of ['NaN', 'Infinity', '1e400', '0x1f', '', ' 1', '1_000', '1,5']) expect(finiteNumber(bad)).toBeUndefined();
  });
});

describe('hil emulate completion', () => {
  const complete = (line: string): string[] => createCompleter(inst, cli)(line)[0];

  it('completes commands, then devices and signals one segment at a time', () => {
    expect(complete('')).toContain('show ');
    expect(complete('fa')).toEqual(['fault ', 'faults ']);
    expect(complete('sh')).toEqual(['show ']);
    expect(complete('show pa')).toEqual(['pack1 ', 'pack1.', 'pack2 ', 'pack2.']);
    expect(complete('show pack1.temp')).toEqual(['pack1.temperature.']);
    expect(complete('show pack1.temperature.m')).toEqual(['pack1.temperature.max ', 'pack1.temperature.min ']);
    expect(complete('show pack1.soc pack2.so')).toEqual(['pack2.soc ', 'pack2.soh ']);
    expect(complete('show can.pack1.BMS_Prot')).toEqual(['can.pack1.BMS_Protections.']);
    expect(complete('show modbus.site.ill')).toEqual(['modbus.site.illegalWrites ']);
    const [, word] = createCompleter(inst, cli)('show pack1.so');
    expect(word).toBe('pack1.so');
  });

  it('completes inputs for set, kinds and parameters for fault, ids in force for clear', () => {
    expect(complete('set inv1.gr')).toEqual(['inv1.grid.']);
    expect(complete('set am')).toEqual(['ambient ']);
    expect(complete('fault hot p')).toEqual(['pack1 ', 'pack2 ']);
    expect(complete('fault hot pack1 self-')).toEqual(['self-heating ']);
    expect(complete('fault hot inv1 modbus-del')).toEqual(['modbus-delay ']);
    expect(complete('fault hot pack1 self-heating ')).toEqual(['cell=', 'watts=', 'doublingK=', 'maxWatts=']);
    expect(complete('fault hot pack1 self-heating cell=3 ')).toEqual(['watts=', 'doublingK=', 'maxWatts=']);
    expect(complete('fault s pack1 sensor-stuck sensor=te')).toEqual(['sensor=temperature ']);
    expect(complete('fault f inv1 fault-code events=')).toContain('events=GROUND_FAULT');
    expect(complete('fault f inv1 fault-code events=GROUND_FAULT,DC_O')).toEqual(expect.arrayContaining(['events=GROUND_FAULT,DC_OVER_VOLT']));
    expect(complete('clear ')).toEqual([]);
    run('fault hot pack1 comms-loss');
    run('fault cold pack2 comms-loss');
    expect(complete('clear ')).toEqual(['cold ', 'hot ']);
    expect(complete('clear h')).toEqual(['hot ']);
    expect(complete('bogus ')).toEqual([]);
  });
});
