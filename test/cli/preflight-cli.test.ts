import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeIf, NEEDS_BUILD, ROOT } from '../support/describe-if';

const CLI = join(ROOT, 'dist', 'harness', 'cli', 'main.js');
const MODULE = join(ROOT, 'dist', 'examples', 'controllers', 'reference', 'controller.js');
const SCENARIO = join(ROOT, 'fixtures', 'scenarios', 'overtemp-fast-charge.yaml');

/**
 * Configuration problems are found before anything starts (issue 10): exit 2 and one line, with no port opened and
 * no process spawned. Proof: the bench's socketcand hub asks for a port this test already holds (a run that got as
 * far as listening would fail with "cannot serve socketcand" instead), and its controller command writes a marker
 * file when it runs (it must not exist afterwards). The control case shows both tripwires work.
 */
describeIf(existsSync(CLI), NEEDS_BUILD, 'hil run: configuration problems before anything starts', () => {
  let dir: string;
  let held: Server;
  let port: number;
  let marker: string;
  const bench = (name: string, dut: string): string => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      `bench: ${name}
can:
  pack1: { hub: { socketcand: "127.0.0.1:${port}", bus: pack1 } }
  pack2: { hub: { socketcand: "127.0.0.1:${port}", bus: pack2 } }
modbus:
  site: { tcp: "127.0.0.1:0" }
devices:
  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1 }
  - { name: pack2, type: bms, pack: tesla-model-s-module, protocol: pylon-lv, can: pack2 }
  - { name: inv1, type: inverter, modbus: site, unitId: 1, battery: pack1 }
  - { name: inv2, type: inverter, modbus: site, unitId: 2, battery: pack2 }
dut:
${dut}`,
    );
    return file;
  };
  const command = (arg = '${can.pack1.url}'): string =>
    `  command: [${JSON.stringify(process.execPath)}, -e, "require('fs').writeFileSync(process.argv[1], 'ran')", ${JSON.stringify(marker)}, "${arg}"]\n`;
  const module = `  module: ${JSON.stringify(MODULE)}\n`;
  const hil = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hil-preflight-'));
    marker = join(dir, 'controller-ran');
    held = createServer();
    await new Promise<void>((r) => held.listen(0, '127.0.0.1', r));
    port = (held.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((r) => held.close(r));
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => rmSync(marker, { force: true }));

  const refused = (args: string[], line: RegExp): void => {
    const r = hil('run', SCENARIO, ...args);
    expect(r.status).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(line);
    expect(r.stderr).not.toContain('cannot serve socketcand');
    expect(r.stdout).toBe('');
    expect(existsSync(marker)).toBe(false);
  };

  it('control: a good configuration gets as far as listening, where the held port stops it', () => {
    const r = hil('run', SCENARIO, '--bench', bench('control', command()));
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`cannot serve socketcand on 127.0.0.1:${port}`);
  });

  it('--virtual-time with only a process controller', () => {
    refused(['--bench', bench('process-only', command()), '--virtual-time'], /^hil: .*process-only\.yaml:13:3: --virtual-time: bench 'process-only' starts its controller as a process/);
  });

  it('an unknown placeholder in dut.command', () => {
    refused(['--bench', bench('placeholder', command('${can.pack3.url}'))], /^hil: .*placeholder\.yaml:13:\d+: dut\.command\[\d+\]: unknown placeholder \$\{can\.pack3\.url\}: no CAN bus 'pack3' on this bench \(have: pack1, pack2\) \(did you mean 'can\.pack1\.url'\?\)/);
  });

  it('a missing dut.module', () => {
    refused(['--bench', bench('no-module', '  module: dist/no/such/controller.js\n'), '--virtual-time'], /^hil: .*no-module\.yaml:13:11: dut\.module 'dist\/no\/such\/controller\.js' not found/);
  });

  it('an unknown --dut-option key, and a bad value, for the in-process controller', () => {
    refused(['--bench', bench('module', module), '--virtual-time', '--dut-option', 'perodMs=50'], /^hil: --dut-option perodMs=50: the controller module '.*controller\.js' has no option 'perodMs' \(did you mean 'periodMs'\?\)/);
    refused(['--bench', bench('module', module), '--virtual-time', '--dut-option', 'defects=ignore-overtemp,no-hearbeat'], /^hil: --dut-option defects=ignore-overtemp,no-hearbeat: option defects: 'no-hearbeat' is not one of .* \(did you mean 'no-heartbeat'\?\)$/);
    refused(['--bench', bench('module', module), '--virtual-time', '--dut-option', 'periodMs=fast'], /^hil: --dut-option periodMs=fast: 'fast' is not a finite number$/);
  });

  it('a --dut-option for a process controller is an error, not silence (and --dut-arg for an in-process one)', () => {
    refused(['--bench', bench('both', command() + module), '--time-mode', 'real', '--dut-option', 'defects=ignore-overtemp'], /^hil: --dut-option defects=ignore-overtemp: in real time bench 'both' runs its controller as a process/);
    refused(['--bench', bench('both', command() + module), '--virtual-time', '--dut-arg', '--fast'], /^hil: --dut-arg --fast: in virtual time bench 'both' runs its controller in-process/);
  });

  it('every problem of every file and option at once, one per line, nothing started', () => {
    const badScenario = join(dir, 'bad-scenario.yaml');
    writeFileSync(badScenario, 'scenario: bad\nduration: 1m\nexpect:\n  - id: e\n    atEnd: pack1.soc >\n');
    const r = hil('run', SCENARIO, badScenario, '--bench', bench('both', command() + module), '--time-mode', 'real', '--dut-option', 'x=1', '--dut-arg', '${modbus.site.prot}');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'hil: 3 problems; nothing was started:',
      `  ${badScenario}:5:12: expression ends too soon at column 12 of expression "pack1.soc >"`,
      expect.stringMatching(/^ {2}--dut-option x=1: in real time bench 'both' runs its controller as a process/),
      expect.stringMatching(/^ {2}--dut-arg \$\{modbus\.site\.prot\}: unknown placeholder \$\{modbus\.site\.prot\} \(did you mean 'modbus\.site\.port'\?\)/),
    ]);
    expect(r.stderr).not.toContain('cannot serve socketcand');
    expect(existsSync(marker)).toBe(false);
  });
});
