/** Orion BMS 2 in the protocol registry. */
import { clockOf, type BmsProtocolProfile } from '../protocol-profile';
import { attachOrionBms2 } from './index';

export const orionBms2Protocol: BmsProtocolProfile = {
  name: 'orion-bms2',
  description: 'Orion BMS 2, Victron-compatible CAN broadcast and per-cell frames',
  transport: 'can',
  packs: 'any pack (an aftermarket BMS fitted to a second-life pack)',
  attachCan: (device, bus, ctx) => attachOrionBms2(device, bus, clockOf(ctx)),
};
