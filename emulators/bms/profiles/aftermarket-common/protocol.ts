/** The registry entry of an aftermarket BMS profile: a CAN broadcast/answer profile that takes no options but a clock. */
import type { Clock } from '../../../../core/clock';
import type { CanBus } from '../../../../protocols/can/bus';
import type { BmsDevice } from '../../device/bms-device';
import type { CanProfileAttachment } from '../can-link';
import { clockOf, type BmsProtocolProfile } from '../protocol-profile';

export function aftermarketProtocol(name: string, description: string, attach: (device: BmsDevice, bus: CanBus, o: { clock?: Clock }) => CanProfileAttachment): BmsProtocolProfile {
  return { name, description, transport: 'can', packs: 'any pack (an aftermarket BMS fitted to a second-life pack)', attachCan: (device, bus, ctx) => attach(device, bus, clockOf(ctx)) };
}
