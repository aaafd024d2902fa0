/** JK BMS in the protocol registry. */
import { aftermarketProtocol } from '../aftermarket-common/protocol';
import { attachJkCan } from './index';

export const jkCanProtocol = aftermarketProtocol('jk-can', 'JK BMS, CAN broadcast', attachJkCan);
