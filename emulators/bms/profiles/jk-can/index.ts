/** JK BMS, CAN broadcast (./jk-frames.ts for the layout and sources). */
import type { Clock } from '../../../../core/clock';
import type { CanBus } from '../../../../protocols/can/bus';
import type { BmsDevice } from '../../device/bms-device';
import { attachAftermarket } from '../aftermarket-common/attach';
import type { CanProfileAttachment } from '../can-link';
import { jkFastFrames, jkSlowFrames } from './jk-frames';

export { JK_ID, JK_MAX_CELLS, jkFastFrames, jkSlowFrames } from './jk-frames';
export { JK_SOURCES } from './sources';

export function attachJkCan(device: BmsDevice, bus: CanBus, o: { clock?: Clock } = {}): CanProfileAttachment {
  return attachAftermarket('jk-can', device, bus, {
    ...(o.clock ? { clock: o.clock } : {}),
    broadcasts: [
      { periodMs: 500, frames: (d) => jkFastFrames(d) },
      { periodMs: 1000, frames: (d) => jkSlowFrames(d) },
    ],
  });
}
