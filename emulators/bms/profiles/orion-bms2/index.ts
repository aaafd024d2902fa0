/** Orion BMS 2, Victron-compatible CAN (./orion-frames.ts for the layout and sources). */
import type { Clock } from '../../../../core/clock';
import type { CanBus } from '../../../../protocols/can/bus';
import type { BmsDevice } from '../../device/bms-device';
import { attachAftermarket } from '../aftermarket-common/attach';
import type { CanProfileAttachment } from '../can-link';
import { orionCellFrame, orionVictronFrames } from './orion-frames';

export { ORION_ID, orionCellChecksum, orionCellFrame, orionVictronFrames } from './orion-frames';
export { ORION_SOURCES } from './sources';

export function attachOrionBms2(device: BmsDevice, bus: CanBus, o: { clock?: Clock } = {}): CanProfileAttachment {
  return attachAftermarket('orion-bms2', device, bus, {
    ...(o.clock ? { clock: o.clock } : {}),
    broadcasts: [
      { periodMs: 1000, frames: (d) => orionVictronFrames(d.snapshot()) },
      {
        periodMs: 20,
        frames: (d, tick) => {
          const cells = d.measuredCellVoltages();
          if (cells.length === 0) return [];
          const i = tick % cells.length;
          const s = d.snapshot();
          // Balancing bit 0: the snapshot counts balancing cells without naming them. Resistance and open-circuit
          // voltage from an assumed 1.5 mOhm per cell (Battery-Emulator reads both but uses neither).
          return [orionCellFrame(i, cells[i]!, false, 0.0015, cells[i]! - s.current * 0.0015)];
        },
      },
    ],
  });
}
