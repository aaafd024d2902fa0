/** The Renault Zoe Gen2 (ZE50) LBC in the protocol registry. */
import { clockOf, type BmsProtocolProfile } from '../protocol-profile';

// Loaded when a bench uses this protocol, not at every start (issue 19: start-up time).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const profile = (): typeof import('./renault-zoe-gen2-profile') => require('./renault-zoe-gen2-profile') as typeof import('./renault-zoe-gen2-profile');

export const renaultZoeGen2Protocol: BmsProtocolProfile = {
  name: 'renault-zoe-gen2',
  description: 'Renault Zoe Gen2 LBC (ZE50): broadcast, 0x373 wake-up, UDS DIDs over 29-bit ISO-TP',
  transport: 'can',
  packs: 'any pack; written for renault-zoe-52kwh',
  dbc: 'renault-zoe-gen2.dbc',
  attachCan: (device, bus, ctx) => profile().attachRenaultZoeGen2(device, bus, clockOf(ctx)),
};
