/** Daly smart BMS in the protocol registry. */
import { clockOf, type BmsProtocolProfile } from '../protocol-profile';
import { attachDalyCan } from './index';

export const dalyCanProtocol: BmsProtocolProfile = {
  name: 'daly-can',
  description: 'Daly smart BMS, CAN request/response',
  transport: 'can',
  packs: 'any pack (an aftermarket BMS fitted to a second-life pack)',
  attachCan: (device, bus, ctx) => attachDalyCan(device, bus, clockOf(ctx)),
};
