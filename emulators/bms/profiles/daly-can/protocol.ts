/** Daly smart BMS in the protocol registry. */
import { aftermarketProtocol } from '../aftermarket-common/protocol';

// Loaded when a bench uses this protocol, not at every start (issue 19: start-up time).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const profile = (): typeof import('./index') => require('./index') as typeof import('./index');

export const dalyCanProtocol = aftermarketProtocol('daly-can', 'Daly smart BMS, CAN request/response', (d, bus, o) => profile().attachDalyCan(d, bus, o));
