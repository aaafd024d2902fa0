/** The Renault Zoe Gen1 LBC in the protocol registry. */
import { clockOf, type BmsProtocolProfile } from '../protocol-profile';
import type { ZoeVariant } from './renault-zoe-profile';

// Loaded when a bench uses this protocol, not at every start (issue 19: start-up time).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const profile = (): typeof import('./renault-zoe-profile') => require('./renault-zoe-profile') as typeof import('./renault-zoe-profile');

export const renaultZoeProtocol: BmsProtocolProfile = {
  name: 'renault-zoe',
  description: 'Renault Zoe Gen1 LBC (ZE22 / ZE40): broadcast, 0x423 wake-up, KWP2000 groups over ISO-TP',
  transport: 'can',
  packs: 'any pack; written for the Zoe packs (renault-zoe-22kwh, renault-zoe-41kwh)',
  // A battery generation, not a protocol dialect: no watchdog of its own.
  variants: ['ze40', 'ze22'],
  dbc: 'renault-zoe.dbc',
  attachCan: (device, bus, ctx) => profile().attachRenaultZoe(device, bus, { ...clockOf(ctx), ...(ctx.params.variant !== undefined ? { variant: ctx.params.variant as ZoeVariant } : {}) }),
};
