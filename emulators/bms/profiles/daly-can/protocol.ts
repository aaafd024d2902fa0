/** Daly smart BMS in the protocol registry. */
import { aftermarketProtocol } from '../aftermarket-common/protocol';
import { attachDalyCan } from './index';

export const dalyCanProtocol = aftermarketProtocol('daly-can', 'Daly smart BMS, CAN request/response', attachDalyCan);
