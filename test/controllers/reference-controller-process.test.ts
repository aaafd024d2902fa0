/**
 * The reference controller as its own process, in real time, over the wire: a socketcand hub carries the pack's
 * CAN bus and our Modbus TCP server serves the inverter emulator's SunSpec map. The test waits on events (the ready
 * line, the first heartbeat frame, the first Modbus write, the exit), never on sleeps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SimpleBatteryPort } from '../../emulators/inverter/battery-port';
import { Inverter } from '../../emulators/inverter/inverter';
import { constant } from '../../emulators/inverter/irradiance';
import { createInverterSunSpec } from '../../emulators/inverter/sunspec-map';
import type { CanBus, PeriodicTask } from '../../protocols/can/bus';
import type { CanFrame } from '../../protocols/can/frame';
import { SocketcandServer } from '../../protocols/can/socketcand';
import { FunctionCode } from '../../protocols/modbus/pdu';
import { ModbusTcpServer } from '../../protocols/modbus/tcp/tcp-server';
import { refusedPort } from '../support/ports';
import { DEFAULT_BMS, lvFrames } from './support/virtual-rig';

const ROOT = join(__dirname, '..', '..');
const RUNNER = join(__dirname, 'support', 'run-ts-main.js');
const MAIN = join(ROOT, 'examples', 'controllers', 'reference', 'main.ts');

interface Child {
  proc: ChildProcess;
  output: string[];
  /** Resolves with the first output line matching. */
  line(re: RegExp): Promise<string>;
  exit: Promise<number | null>;
}

function startController(args: string[]): Child {
  const proc = spawn(process.execPath, [RUNNER, MAIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  const waiters: Array<{ re: RegExp; resolve: (l: string) => void }> = [];
  const onLine = (l: string): void => {
    output.push(l);
    for (const w of [...waiters]) {
      if (w.re.test(l)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    }
  };
  createInterface({ input: proc.stdout! }).on('line', onLine);
  createInterface({ input: proc.stderr! }).on('line', onLine);
  const exit = once(proc, 'exit').then(([code]) => code as number | null);
  return {
    proc,
    output,
    exit,
    line(re) {
      const hit = output.find((l) => re.test(l));
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        waiters.push({ re, resolve });
        void exit.then((code) => reject(new Error(`controller exited (${code}) before printing ${re}; output:\n${output.join('\n')}`)));
      });
    },
  };
}

describe('reference controller process (real time, socketcand + Modbus TCP)', () => {
  let hub: SocketcandServer | undefined;
  let modbus: ModbusTcpServer | undefined;
  let child: Child | undefined;
  const tasks: PeriodicTask[] = [];

  afterEach(async () => {
    for (const t of tasks.splice(0)) t.stop();
    if (child && child.proc.exitCode === null && child.proc.signalCode === null) {
      child.proc.kill('SIGKILL');
      await child.exit;
    }
    child = undefined;
    await hub?.close();
    await modbus?.close();
    hub = undefined;
    modbus = undefined;
  });

  it('connects, discovers, sends heartbeats and writes setpoints, and exits 0 on SIGTERM', async () => {
    hub = new SocketcandServer({ port: 0, log: () => undefined });
    const { port: canPort } = await hub.listen();
    const bms: CanBus = hub.attach('pack1');
    const heartbeat = new Promise<CanFrame>((resolve) => bms.onFrame((f) => f.id === 0x305 && resolve(f)));
    for (const f of lvFrames(DEFAULT_BMS)) tasks.push(bms.sendPeriodic(f, 1000));

    const inverter = new Inverter({ profile: constant(800), battery: new SimpleBatteryPort(), seed: 1 });
    const { device } = createInverterSunSpec(inverter);
    let onWrite: () => void = () => undefined;
    const firstWrite = new Promise<void>((resolve) => (onWrite = resolve));
    modbus = new ModbusTcpServer({ port: 0, coreOptions: { onTransaction: (t) => t.request[0] === FunctionCode.WriteMultipleRegisters && onWrite() } });
    modbus.core.addUnit(1, device);
    const { port: mbPort } = await modbus.listen();

    child = startController(['--pack', `pack1=socketcand://127.0.0.1:${canPort}/pack1`, '--inverter', `inv1=tcp://127.0.0.1:${mbPort}/1?pack=pack1`, '--period', '100ms']);
    await child.line(/^controller ready$/);
    expect(child.output.some((l) => /inv1 \(unit 1\) SunSpec at 40000: models 1,101,/.test(l))).toBe(true);
    const hb = await heartbeat;
    expect([...hb.data]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    await firstWrite;
    await child.line(/pack1 online: 52\.00 V/);

    child.proc.kill('SIGTERM');
    expect(await child.exit).toBe(0);
    expect(child.output).toContain('SIGTERM: stopping');
  });

  it('exits 3 with a clear message when it cannot connect to the inverter', async () => {
    hub = new SocketcandServer({ port: 0, log: () => undefined });
    const { port: canPort } = await hub.listen();
    child = startController(['--pack', `pack1=socketcand://127.0.0.1:${canPort}/pack1`, '--inverter', `inv1=tcp://127.0.0.1:${await refusedPort()}/1`]);
    expect(await child.exit).toBe(3);
    expect(child.output.join('\n')).toMatch(/reference controller: cannot connect to Modbus\/TCP 127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });

  it('exits 2 naming the problem for a bad argument', async () => {
    child = startController(['--pack', 'pack1=virtual:x', '--inverter', 'inv1=tcp://127.0.0.1:1502/1', '--defect', 'bogus']);
    expect(await child.exit).toBe(2);
    expect(child.output.join('\n')).toMatch(/unknown defect 'bogus'/);
  });
});
