/** Orion BMS 2 in the protocol registry. */
import { aftermarketProtocol } from '../aftermarket-common/protocol';
import { attachOrionBms2 } from './index';

export const orionBms2Protocol = aftermarketProtocol('orion-bms2', 'Orion BMS 2, Victron-compatible CAN broadcast and per-cell frames', attachOrionBms2);
