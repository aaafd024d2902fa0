/** The BMW i3 SME in the protocol registry. */
import { clockOf, type BmsProtocolProfile } from '../protocol-profile';

// Loaded when a bench uses this protocol, not at every start (issue 19: start-up time).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const profile = (): typeof import('./bmw-i3-profile') => require('./bmw-i3-profile') as typeof import('./bmw-i3-profile');

export const bmwI3Protocol: BmsProtocolProfile = {
  name: 'bmw-i3',
  description: 'BMW i3 SME (60 / 94 / 120 Ah): broadcast with CRC and alive counters, the vehicle frames that close the contactors',
  transport: 'can',
  packs: 'any pack; written for the i3 packs (bmw-i3-60ah, bmw-i3-94ah, bmw-i3-120ah)',
  dbc: 'bmw-i3.dbc',
  attachCan: (device, bus, ctx) => profile().attachBmwI3(device, bus, clockOf(ctx)),
};
