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
});
