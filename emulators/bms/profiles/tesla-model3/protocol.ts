/** The Tesla Model 3/Y (and 2021+ S/X) BMS in the protocol registry. */
import { clockOf, type BmsProtocolProfile } from '../protocol-profile';

// Loaded when a bench uses this protocol, not at every start (issue 19: start-up time).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const profile = (): typeof import('./tesla-model3-profile') => require('./tesla-model3-profile') as typeof import('./tesla-model3-profile');

export const teslaModel3Protocol: BmsProtocolProfile = {
  name: 'tesla-model3',
  description: 'Tesla Model 3/Y (and 2021+ S/X) BMS: broadcast incl. every brick in 0x401, the vehicle power state 0x221 (counter, checksum) closing the contactors, UDS on 0x602/0x612',
  transport: 'can',
  packs: 'any pack; written for tesla-model3-lr-78kwh',
  dbc: 'tesla-model3.dbc',
  attachCan: (device, bus, ctx) => profile().attachTeslaModel3(device, bus, clockOf(ctx)),
};
