/** The Tesla Model S/X (pre-2021) BMS in the protocol registry. */
import { clockOf, type BmsProtocolProfile } from '../protocol-profile';

// Loaded when a bench uses this protocol, not at every start (issue 19: start-up time).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const profile = (): typeof import('./tesla-legacy-profile') => require('./tesla-legacy-profile') as typeof import('./tesla-legacy-profile');

export const teslaLegacyProtocol: BmsProtocolProfile = {
  name: 'tesla-legacy',
  description: 'Tesla Model S/X (pre-2021) BMS: broadcast incl. every cell in 0x6F2, the vehicle frames that close the contactors',
  transport: 'can',
  packs: 'any pack; written for tesla-model-s-85kwh and tesla-model-s-module',
  dbc: 'tesla-legacy.dbc',
  attachCan: (device, bus, ctx) => profile().attachTeslaLegacy(device, bus, clockOf(ctx)),
};
