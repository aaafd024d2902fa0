/** JK BMS in the protocol registry. */
import { clockOf, type BmsProtocolProfile } from '../protocol-profile';
import { attachJkCan } from './index';

export const jkCanProtocol: BmsProtocolProfile = {
  name: 'jk-can',
  description: 'JK BMS, CAN broadcast',
  transport: 'can',
  packs: 'any pack (an aftermarket BMS fitted to a second-life pack)',
  attachCan: (device, bus, ctx) => attachJkCan(device, bus, clockOf(ctx)),
};
