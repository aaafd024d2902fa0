/**
 * mbpoll (libmodbus) as the RTU master, our RTU server on the other end of a socat pty pair, 115200 baud 8N1.
 * Units 1 and 7 share the line; unit 9 belongs to nobody, so mbpoll must time out on it.
 */
import { RegisterMap } from '../../protocols/modbus/register-map';
import { mbpoll } from '../support/mbpoll';
import { describeWithPeers } from '../support/peers';
import { useRtuServerOverPty } from '../support/rtu-over-pty';

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
  const maps = new Map<number, RegisterMap>([1, 7].map((id) => [id, unit(id)]));
  const line = useRtuServerOverPty(() => maps);
  // -o: how long mbpoll waits for an answer. Only a failure bound (a busy machine may hold socat and us up for a
  // while), except in the no-reply case, which sets its own.
  const base = (): string[] => ['-m', 'rtu', '-b', '115200', '-P', 'none', '-0', '-1', '-o', '5'];

  it('reads holding registers of two units on the same line', async () => {
    const r1 = await mbpoll([...base(), '-a', '1', '-t', '4', '-r', '2', '-c', '3', line.masterPath]);
    expect(r1.code).toBe(0);
    expect([...values(r1.out)]).toEqual([
      [2, 102],
      [3, 103],
      [4, 104],
    ]);
    const r7 = await mbpoll([...base(), '-a', '7', '-t', '4', '-r', '0', '-c', '2', line.masterPath]);
    expect([...values(r7.out)]).toEqual([
      [0, 700],
      [1, 701],
    ]);
  });

  it('reads input registers', async () => {
    const r = await mbpoll([...base(), '-a', '7', '-t', '3', '-r', '100', '-c', '4', line.masterPath]);
    expect(r.code).toBe(0);
    expect([...values(r.out).values()]).toEqual([5070, 5071, 5072, 5073]);
  });

  it('writes holding registers, visible in the register map at once', async () => {
    const w = await mbpoll([...base(), '-a', '1', '-t', '4', '-r', '10', line.masterPath, '4321', '65535']);
    expect(w.code).toBe(0);
    expect(maps.get(1)!.get('holding', 10, 2)).toEqual([4321, 65535]);
    const single = await mbpoll([...base(), '-a', '7', '-t', '4', '-r', '5', line.masterPath, '77']);
    expect(single.code).toBe(0);
    expect(maps.get(7)!.get('holding', 5, 1)).toEqual([77]);
  });

  it('writes and reads coils', async () => {
    const w = await mbpoll([...base(), '-a', '1', '-t', '0', '-r', '3', line.masterPath, '1', '0', '1', '1']);
    expect(w.code).toBe(0);
    const r = await mbpoll([...base(), '-a', '1', '-t', '0', '-r', '2', '-c', '6', line.masterPath]);
    expect([...values(r.out).values()]).toEqual([0, 1, 0, 1, 1, 0]);
  });

  it('gets Illegal data address for registers the unit does not have', async () => {
    const r = await mbpoll([...base(), '-a', '1', '-t', '4', '-r', '18', '-c', '5', line.masterPath]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/illegal data address/i);
  });

  it('gets no reply at all for a unit id nobody on the line serves', async () => {
    const before = line.server.stats.otherUnits;
    const r = await mbpoll([...base(), '-a', '9', '-t', '4', '-r', '0', '-c', '1', '-o', '0.2', line.masterPath]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/timed out/i);
    // A later request on the same line is answered: the one for unit 9 before it has been framed and counted.
    expect((await mbpoll([...base(), '-a', '1', '-t', '4', '-r', '0', '-c', '1', line.masterPath])).code).toBe(0);
    expect(line.server.stats.otherUnits).toBeGreaterThan(before);
  });
});
