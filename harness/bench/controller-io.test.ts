import { VirtualClock } from '../../core/clock';
import { BenchInstance, CONTROLLER_RX_QUEUE } from './bench-instance';
import { onePackBench } from '../../test/support/benches';

const bench = onePackBench();

describe('BenchInstance.controllerIO', () => {
  it("bounds a controller bus's receive queue: a listener-only controller does not hold every frame of the run", async () => {
    const clock = new VirtualClock(0);
    const inst = await BenchInstance.start(bench, { clock, mode: 'virtual', seed: 1, serveNetwork: false });
    try {
      const { packs } = inst.controllerIO();
      const bus = packs[0]!.bus;
      let heard = 0;
      bus.onFrame(() => heard++);
      // The LV profile broadcasts its frames every second: run until well over the bound has arrived.
      while (heard < CONTROLLER_RX_QUEUE * 2) clock.advance(10_000);
      expect(bus.stats.rxOverflow).toBe(heard - CONTROLLER_RX_QUEUE);
      // The queue still serves recv: the oldest frame kept is the one just past the dropped ones.
      const first = await bus.recv(0);
      expect(first).not.toBeNull();
      await bus.close();
    } finally {
      await inst.close();
    }
  });
});
