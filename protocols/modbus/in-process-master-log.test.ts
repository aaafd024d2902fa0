import { VirtualClock } from '../../core/clock';
import { InProcessMaster } from './in-process-master';
import { RegisterMap } from './register-map';
import { ModbusServerCore } from './server-core';

describe('InProcessMaster request log', () => {
  function setup(logLimit?: number) {
    const clock = new VirtualClock();
    const core = new ModbusServerCore({ clock });
    core.addUnit(3, new RegisterMap().addRegisters({ table: 'holding', start: 100, length: 10, access: 'rw' }));
    return new InProcessMaster(core, clock, { unitId: 3, timeoutMs: 500, ...(logLimit !== undefined ? { logLimit } : {}) });
  }

  it('keeps every request by default', async () => {
    const master = setup();
    for (let i = 0; i < 300; i++) await master.readHolding(100 + (i % 10), 1);
    expect(master.log).toHaveLength(300);
    expect(master.log[299]!.request).toMatchObject({ address: 109 });
  });

  it('with logLimit keeps the newest entries within the documented bound, and none with 0', async () => {
    const master = setup(10);
    for (let i = 0; i < 1000; i++) await master.writeRegister(100, i);
    expect(master.log.length).toBeGreaterThanOrEqual(10);
    expect(master.log.length).toBeLessThanOrEqual(2 * 10 + 64);
    expect(master.log[master.log.length - 1]!.request).toMatchObject({ value: 999 });
    const silent = setup(0);
    await silent.readHolding(100, 1);
    expect(silent.log).toEqual([]);
  });
});
