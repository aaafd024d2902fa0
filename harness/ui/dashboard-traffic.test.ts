import { join } from 'node:path';
import { VirtualClock } from '../../core/clock';
import { SunSpecDevice } from '../../protocols/modbus/sunspec/sunspec-device';
import { BenchInstance } from '../bench/bench-instance';
import { loadBench } from '../bench/load-bench';
import { DashboardSampler } from './dashboard-sampler';

describe('dashboard traffic view', () => {
  it("names the controller's Modbus writes with SunSpec points, counts requests per unit, decodes frames with the DBC", async () => {
    const clock = new VirtualClock(0);
    const inst = await BenchInstance.start(loadBench(join(__dirname, '..', '..', 'fixtures', 'benches', 'ci.yaml')), { clock, mode: 'virtual', seed: 1, serveNetwork: false });
    try {
      const sampler = new DashboardSampler(inst, () => clock.now());
      const inv1 = inst.controllerIO().inverters.find((i) => i.name === 'inv1')!;
      const dev = inst.devices.get('inv1')!.modbus as SunSpecDevice;
      let address = dev.addressOf(123)!;
      while (dev.pointAt(address)?.point.name !== 'WMaxLimPct') address++;
      const write = inv1.master.writeRegisters(address, [50]);
      await clock.advanceToAsync(2000);
      await write;
      const traffic = sampler.traffic();
      expect(traffic.writes.some((w) => / unit 1 fc16 @\d+ = \[50\] \(123\.WMaxLimPct\) -> ok$/.test(w))).toBe(true);
      expect(traffic.frames.some((f) => f.bus === 'pack1' && f.decoded?.startsWith('BMS_'))).toBe(true);
      const snap = sampler.sample();
      expect(snap.modbus['site']).toEqual({ '1': 1 });
      sampler.close();
    } finally {
      await inst.close();
    }
  });
});
