import { RealClock, VirtualClock } from '../../core/clock';
import { describeCanBusContract } from '../../test/kits/can-bus-contract';
import { VirtualBus } from './media/virtual';

describeCanBusContract('virtual, instantaneous, virtual clock', ({ channel }) => {
  const clock = new VirtualClock();
  return { a: new VirtualBus(channel, { clock }), b: new VirtualBus(channel, { clock }), clock };
}, { supportsErrorFrames: true });

describeCanBusContract('virtual, real clock', ({ channel }) => {
  const clock = new RealClock();
  return {
    a: new VirtualBus(channel, { clock }),
    b: new VirtualBus(channel, { clock }),
    cleanup: () => expect(clock.pending).toBe(0),
  };
}, { supportsErrorFrames: true });

describeCanBusContract('virtual, 500 kbit/s bit timing, virtual clock', ({ channel }) => {
  const clock = new VirtualClock();
  return {
    a: new VirtualBus(channel, { clock, bitrate: 500_000 }),
    b: new VirtualBus(channel, { clock }),
    clock,
    cleanup: () => expect(clock.pending).toBe(0),
  };
}, { supportsErrorFrames: true, timestampToleranceMs: 0.05 });
