/**
 * Controller processes (real time): readiness by line, by first CAN frame, by first Modbus connection; output
 * buffering (PYTHONUNBUFFERED by default, the hint in the timeout message); the last stderr lines when a controller
 * fails. Each run is a 1-2 s scenario; waits are on the controller's own events (lines, frames, connections).
 */
import { join } from 'node:path';
import { parseBench } from '../../harness/bench/load-bench';
import { parseScenario } from '../../harness/scenario/load-scenario';
import { runScenario } from '../../harness/scenario/runner';
import { PYTHON } from '../support/peers';
import { existsSync } from 'node:fs';

jest.setTimeout(60_000);

const BENCH_FILE = join(__dirname, '..', '..', 'fixtures', 'benches', 'readiness.yaml');
const bench = (command: string[], dut: string) =>
  parseBench(
    [
      'bench: readiness',
      'can:',
      '  pack1: { hub: { socketcand: "127.0.0.1:0", bus: pack1 } }',
      'modbus:',
      '  site: { tcp: "127.0.0.1:0" }',
      'devices:',
      '  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1 }',
      '  - { name: inv1, type: inverter, modbus: site, unitId: 1, battery: pack1 }',
      'dut:',
      `  command: ${JSON.stringify(command)}`,
      ...dut.split('\n').map((l) => `  ${l}`),
      '',
    ].join('\n'),
    BENCH_FILE,
  );
const scenario = parseScenario('scenario: short\nduration: 1s\nexpect:\n  - { id: soc, atEnd: "pack1.soc > 0" }\n', 'short.yaml');
const node = (code: string): string[] => [process.execPath, '-e', code];

describe('controller processes: readiness, buffering, stderr on failure', () => {
  (existsSync(PYTHON) ? it : it.skip)('a Python controller printing its ready line without flushing is ready: PYTHONUNBUFFERED=1 by default', async () => {
    const r = await runScenario(bench([PYTHON, '-c', "import time\nprint('controller ready')\ntime.sleep(60)"], 'readyLine: controller ready\nreadyTimeout: 10s'), scenario, { mode: 'real' });
    expect(r.summary).toBe('1 expectation(s) met');
    expect(r.verdict).toBe('pass');
  });

  it('a ready line that never comes: the timeout names the buffering remedies and shows the stderr tail', async () => {
    const r = await runScenario(
      bench(node("console.error('warming up'); setInterval(() => process.stdout.write('partial '), 100)"), 'readyLine: controller ready\nreadyTimeout: 1s'),
      scenario,
      { mode: 'real' },
    );
    expect(r.verdict).toBe('error');
    expect(r.summary).toMatch(/did not print 'controller ready' within \d+ ms; a controller writing to a pipe may hold its output in a buffer: Python gets PYTHONUNBUFFERED=1 by default; for C\/C\+\+ start it with `stdbuf -oL <command>`/);
    expect(r.summary).toMatch(/its last stderr line\(s\):\n {4}warming up/);
  });

  it('a controller that exits before it is ready, and one that exits mid-scenario: the error shows its last stderr lines', async () => {
    const early = await runScenario(bench(node("console.error('cannot open config.toml'); process.exit(2)"), 'readyLine: controller ready\nreadyTimeout: 10s'), scenario, {
      mode: 'real',
    });
    expect(early.verdict).toBe('error');
    expect(early.summary).toMatch(/exited \(exit code 2\) before printing 'controller ready'\n {2}its last stderr line\(s\):\n {4}cannot open config\.toml$/);
    const mid = await runScenario(
      bench(
        node("console.log('controller ready'); setTimeout(() => { for (let i = 1; i <= 10; i++) console.error('trace ' + i); process.exit(3); }, 200)"),
        'readyLine: controller ready',
      ),
      parseScenario('scenario: longer\nduration: 20s\nexpect:\n  - { id: soc, atEnd: "pack1.soc > 0" }\n', 'longer.yaml'),
      { mode: 'real' },
    );
    expect(mid.verdict).toBe('error');
    expect(mid.summary).toContain('the controller exited during the scenario (exit code 3)');
    // The last 8 lines, oldest first.
    expect(mid.summary).toMatch(/its last stderr line\(s\):\n {4}trace 3\n[\s\S]*\n {4}trace 10$/);
    expect(mid.summary).not.toContain('trace 2\n');
  });

  it('readyWhen first-frame: t=0 once the controller sent its first frame (socketcand, placeholders host/port/bus)', async () => {
    const sendFrame = `const s = require('net').connect(Number(process.argv[2]), process.argv[1]); let buf = '';
      s.on('data', (d) => { buf += d; if (buf.includes('< hi >') && !buf.includes('open')) { buf += 'open'; s.write('< open ' + process.argv[3] + ' >'); }
        else if (buf.includes('< ok >') && !buf.includes('sent')) { buf += 'sent'; s.write('< send 305 8 00 00 00 00 00 00 00 00 >'); } });`;
    const r = await runScenario(bench([...node(sendFrame), '${can.pack1.host}', '${can.pack1.port}', '${can.pack1.bus}'], 'readyWhen: first-frame\nreadyTimeout: 10s'), scenario, {
      mode: 'real',
    });
    expect(r.summary).toBe('1 expectation(s) met');
  });

  it('readyWhen first-modbus-connection: t=0 once the controller connected (placeholder tcp = HOST:PORT)', async () => {
    const connect = "const [h, p] = process.argv[1].split(':'); require('net').connect(Number(p), h); setInterval(() => undefined, 1000);";
    const r = await runScenario(bench([...node(connect), '${modbus.site.tcp}'], 'readyWhen: first-modbus-connection\nreadyTimeout: 10s'), scenario, { mode: 'real' });
    expect(r.summary).toBe('1 expectation(s) met');
    const never = await runScenario(bench(node('setInterval(() => undefined, 1000)'), 'readyWhen: first-modbus-connection\nreadyTimeout: 1s'), scenario, { mode: 'real' });
    expect(never.summary).toMatch(/did not connect to a Modbus endpoint within the ready timeout/);
  });

  it('readyLine and readyWhen together, or readyWhen without the medium, are refused at load', () => {
    expect(() => bench(['x'], 'readyLine: up\nreadyWhen: first-frame')).toThrow(/give readyLine or readyWhen, not both/);
    expect(() =>
      parseBench('bench: b\nmodbus:\n  site: { tcp: "127.0.0.1:0" }\ndevices:\n  - { name: inv1, type: inverter, modbus: site }\ndut:\n  command: [x]\n  readyWhen: first-frame\n'),
    ).toThrow(/first-frame: the bench has no CAN bus/);
  });
});
