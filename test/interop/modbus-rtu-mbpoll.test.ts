/**
 * mbpoll (libmodbus) as the RTU master, our RTU server on the other end of a socat pty pair, 115200 baud 8N1.
 * Units 1 and 7 share the line; unit 9 belongs to nobody, so mbpoll must time out on it.
 */
import { spawn } from 'node:child_process';
import { ModbusRtuServer } from '../../protocols/modbus/rtu/rtu-server';
import { PtyPair } from '../../protocols/modbus/rtu/rtu-pty-pair';
import { RegisterMap } from '../../protocols/modbus/register-map';
import { ModbusServerCore } from '../../protocols/modbus/server-core';
import { describeWithPeers } from '../support/peers';

interface Run {
  code: number | null;
  out: string;
}

/** Run mbpoll once; resolves when it exits (its own -o timeout bounds the wait). */
function mbpoll(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('mbpoll', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, out }));
  });
}

/** `[n]: value` lines of mbpoll's output. */
function values(out: string): Map<number, number> {
  const m = new Map<number, number>();
  for (const line of out.split('\n')) {
    const r = /^\[(\d+)\]:\s+(-?\d+)/.exec(line.trim());
    if (r) m.set(Number(r[1]), Number(r[2]));
  }
  return m;
}

function unit(id: number): RegisterMap {
  const map = new RegisterMap();
  map.addRegisters({ table: 'holding', start: 0, values: Array.from({ length: 20 }, (_, i) => id * 100 + i) });
  map.addRegisters({ table: 'input', start: 100, values: Array.from({ length: 10 }, (_, i) => 5000 + id * 10 + i) });
  map.addBits({ table: 'coils', start: 0, length: 16 });
  return map;
}

describeWithPeers(['socat', 'mbpoll'], 'Modbus RTU interop: mbpoll over a socat pty pair', () => {
  let pty: PtyPair | undefined;
  let server: ModbusRtuServer | undefined;
  const maps = new Map<number, RegisterMap>();
  // -o: how long mbpoll waits for an answer. Only a failure bound (a busy machine may hold socat and us up for a
  // while), except in the no-reply case, which sets its own.
  const base = (): string[] => ['-m', 'rtu', '-b', '115200', '-P', 'none', '-0', '-1', '-o', '5'];

  beforeAll(async () => {
    pty = await PtyPair.start();
    const core = new ModbusServerCore();
    for (const id of [1, 7]) {
      maps.set(id, unit(id));
      core.addUnit(id, maps.get(id)!);
    }
    server = await ModbusRtuServer.open({ path: pty.a, baudRate: 115200, parity: 'none', stopBits: 1, core });
  });

  afterAll(async () => {
    await server?.close();
    await pty?.close();
  });

  it('reads holding registers of two units on the same line', async () => {
    const r1 = await mbpoll([...base(), '-a', '1', '-t', '4', '-r', '2', '-c', '3', pty!.b]);
    expect(r1.code).toBe(0);
    expect([...values(r1.out)]).toEqual([
      [2, 102],
      [3, 103],
      [4, 104],
    ]);
    const r7 = await mbpoll([...base(), '-a', '7', '-t', '4', '-r', '0', '-c', '2', pty!.b]);
    expect([...values(r7.out)]).toEqual([
      [0, 700],
      [1, 701],
    ]);
  });

  it('reads input registers', async () => {
    const r = await mbpoll([...base(), '-a', '7', '-t', '3', '-r', '100', '-c', '4', pty!.b]);
    expect(r.code).toBe(0);
    expect([...values(r.out).values()]).toEqual([5070, 5071, 5072, 5073]);
  });

  it('writes holding registers, visible in the register map at once', async () => {
    const w = await mbpoll([...base(), '-a', '1', '-t', '4', '-r', '10', pty!.b, '4321', '65535']);
    expect(w.code).toBe(0);
    expect(maps.get(1)!.get('holding', 10, 2)).toEqual([4321, 65535]);
    const single = await mbpoll([...base(), '-a', '7', '-t', '4', '-r', '5', pty!.b, '77']);
    expect(single.code).toBe(0);
    expect(maps.get(7)!.get('holding', 5, 1)).toEqual([77]);
  });

  it('writes and reads coils', async () => {
    const w = await mbpoll([...base(), '-a', '1', '-t', '0', '-r', '3', pty!.b, '1', '0', '1', '1']);
    expect(w.code).toBe(0);
    const r = await mbpoll([...base(), '-a', '1', '-t', '0', '-r', '2', '-c', '6', pty!.b]);
    expect([...values(r.out).values()]).toEqual([0, 1, 0, 1, 1, 0]);
  });

  it('gets Illegal data address for registers the unit does not have', async () => {
    const r = await mbpoll([...base(), '-a', '1', '-t', '4', '-r', '18', '-c', '5', pty!.b]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/illegal data address/i);
  });

  it('gets no reply at all for a unit id nobody on the line serves', async () => {
    const before = server!.stats.otherUnits;
    const r = await mbpoll([...base(), '-a', '9', '-t', '4', '-r', '0', '-c', '1', '-o', '0.2', pty!.b]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/timed out/i);
    // A later request on the same line is answered: the one for unit 9 before it has been framed and counted.
    expect((await mbpoll([...base(), '-a', '1', '-t', '4', '-r', '0', '-c', '1', pty!.b])).code).toBe(0);
    expect(server!.stats.otherUnits).toBeGreaterThan(before);
  });
});
