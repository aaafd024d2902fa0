/** Orion BMS 2 in the protocol registry. */
import { aftermarketProtocol } from '../aftermarket-common/protocol';

// Loaded when a bench uses this protocol, not at every start (issue 19: start-up time).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const profile = (): typeof import('./index') => require('./index') as typeof import('./index');

export const orionBms2Protocol = aftermarketProtocol('orion-bms2', 'Orion BMS 2, Victron-compatible CAN broadcast and per-cell frames', (d, bus, o) => profile().attachOrionBms2(d, bus, o));
