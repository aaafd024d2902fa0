/** Test rig for the aftermarket profiles: a bench BMS of `protocol` and a listener on one virtual bus, virtual time. */
import { VirtualClock } from '../../../../core/clock';
import type { CanBus } from '../../../../protocols/can/bus';
import type { CanFrame } from '../../../../protocols/can/frame';
import { openBus } from '../../../../protocols/can/registry';
import { createBmsDevice, type BmsBenchDevice } from '../../factory';

let n = 0;
export interface AftermarketRig {
  clock: VirtualClock;
  bms: BmsBenchDevice;
  peer: CanBus;
  got: CanFrame[];
  run(seconds: number): void;
  close(): Promise<void>;
}

export async function aftermarketRig(protocol: string, params: Record<string, unknown> = {}): Promise<AftermarketRig> {
  const clock = new VirtualClock();
  const ch = `virtual:aftermarket-${protocol}-${n++}`;
  const bat = await openBus(ch, { clock });
  const peer = await openBus(ch, { clock });
  const bms = createBmsDevice({ name: 'b', pack: 'lfp-lishen-16s-202ah', protocol, clock, params: { soc: 55, ...params } });
  bms.attachCan(bat);
  const got: CanFrame[] = [];
  peer.onFrame((f) => got.push(f));
  return {
    clock,
    bms,
    peer,
    got,
    run(seconds) {
      for (let i = 0; i < seconds * 10; i++) {
        clock.advance(100);
        bms.step(0.1);
      }
    },
    async close() {
      bms.close();
      await bat.close();
      await peer.close();
    },
  };
}

/** The newest frame with this id. */
export function last(frames: readonly CanFrame[], id: number, extended = false): CanFrame | undefined {
  for (let i = frames.length - 1; i >= 0; i--) if (frames[i]!.id === id && frames[i]!.extended === extended) return frames[i];
  return undefined;
}
