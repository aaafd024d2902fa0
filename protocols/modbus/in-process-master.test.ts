import { VirtualClock } from '../../core/clock';
import { HilTimeoutError, ModbusExceptionError } from '../../core/errors';
import { InProcessMaster } from './in-process-master';
import { RegisterMap } from './register-map';
import { ModbusServerCore } from './server-core';

describe('InProcessMaster', () => {
  function setup() {
    const clock = new VirtualClock();
    const core = new ModbusServerCore({ clock });
    const map = new RegisterMap().addRegisters({ table: 'holding', start: 100, length: 10, access: 'rw' });
    core.addUnit(3, map);
    const master = new InProcessMaster(core, clock, { unitId: 3, timeoutMs: 500 });
    return { clock, core, map, master };
  }

  it('reads and writes through the server core', async () => {
    const { master } = setup();
    await master.writeRegisters(100, [1, 2, 3]);
    expect(await master.readHolding(100, 4)).toEqual([1, 2, 3, 0]);
  });

  it('exceptions and no-response faults surface as our errors, timeouts on the virtual clock', async () => {
    const { master, core, clock } = setup();
    await expect(master.readHolding(200, 1)).rejects.toMatchObject({ exceptionCode: 2 });
    await expect(master.readHolding(200, 1)).rejects.toBeInstanceOf(ModbusExceptionError);
    core.faults.add({ fault: { kind: 'no-response' }, remaining: 1 });
    const pending = master.readHolding(100, 1);
    const settled = pending.catch((e: unknown) => e);
    await clock.advanceAsync(499);
    await clock.advanceAsync(2);
    expect(await settled).toBeInstanceOf(HilTimeoutError);
    expect(clock.now()).toBe(501);
  });

  it('answers queued requests one at a time, in order: a delayed answer holds back the next request', async () => {
    const { master, core, clock } = setup();
    core.faults.add({ fault: { kind: 'delay', ms: 200 }, remaining: 1 });
    const order: string[] = [];
    const first = master.writeRegisters(101, [5]).then(() => order.push(`write at ${clock.now()}`));
    const second = master.readHolding(101, 1).then((v) => order.push(`read ${v.join()} at ${clock.now()}`));
    const third = master.readHolding(300, 1).catch(() => order.push(`exception at ${clock.now()}`));
    await clock.advanceAsync(199);
    expect(order).toEqual([]);
    expect(core.stats.requests).toBe(1); // the read has not reached the core while the write is answered late
    await clock.advanceAsync(1);
    await Promise.all([first, second, third]);
    expect(order).toEqual(['write at 200', 'read 5 at 200', 'exception at 200']);
    expect(core.stats.requests).toBe(3);
  });
});
