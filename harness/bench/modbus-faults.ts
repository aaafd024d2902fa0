import { ConfigError } from '../../core/errors';
import { ExceptionCode } from '../../protocols/modbus/device';
import type { FaultRule, ModbusFault } from '../../protocols/modbus/faults';

/** Modbus-level faults any device on a Modbus endpoint takes (applied by the endpoint's server core). */
export const MODBUS_FAULT_KINDS = [
  'modbus-delay',
  'modbus-no-response',
  'modbus-exception',
  'modbus-bad-crc',
  'modbus-truncate',
  'modbus-split',
  'modbus-wrong-transaction-id',
  'modbus-wrong-unit-id',
] as const;

/** A parameter of a Modbus fault: its name, JSON type, and whether it must be given. */
export interface ModbusFaultParam {
  name: string;
  type: 'number' | 'integer' | 'object';
  required?: boolean;
}

/** Filters every Modbus fault takes (see `modbusFaultRule`). */
const FILTERS: readonly ModbusFaultParam[] = [
  { name: 'functionCode', type: 'integer' },
  { name: 'address', type: 'object' },
  { name: 'probability', type: 'number' },
  { name: 'remaining', type: 'integer' },
];

/** The parameters of each Modbus fault kind, as `modbusFaultRule` reads them (kept beside it so both change together). */
export const MODBUS_FAULT_PARAMS: Readonly<Record<(typeof MODBUS_FAULT_KINDS)[number], readonly ModbusFaultParam[]>> = {
  'modbus-delay': [{ name: 'ms', type: 'number', required: true }, ...FILTERS],
  'modbus-no-response': FILTERS,
  'modbus-exception': [{ name: 'code', type: 'integer' }, ...FILTERS],
  'modbus-bad-crc': FILTERS,
  'modbus-truncate': [{ name: 'bytes', type: 'integer' }, ...FILTERS],
  'modbus-split': [{ name: 'chunks', type: 'integer' }, { name: 'gapMs', type: 'number' }, ...FILTERS],
  'modbus-wrong-transaction-id': FILTERS,
  'modbus-wrong-unit-id': FILTERS,
};

/**
 * The server-core fault rule for a scenario's Modbus fault on one unit: `kind` from MODBUS_FAULT_KINDS, parameters
 * `ms` (delay), `code` (exception, default 4), `bytes` (truncate, default 3), `chunks`/`gapMs` (split, default 2/50),
 * and the optional filters `functionCode`, `address: {from, to}`, `probability`, `remaining`. Throws `ConfigError`
 * for a missing or non-numeric parameter.
 */
export function modbusFaultRule(kind: string, params: Record<string, unknown>, unitId: number): FaultRule {
  const { functionCode, address, probability, remaining, ...rest } = params as {
    functionCode?: number;
    address?: { from: number; to: number };
    probability?: number;
    remaining?: number;
    [k: string]: unknown;
  };
  const num = (k: string, dflt?: number): number => {
    const v = rest[k] ?? dflt;
    if (typeof v !== 'number') throw new ConfigError(`fault '${kind}' needs a number '${k}'`);
    return v;
  };
  let fault: ModbusFault;
  switch (kind) {
    case 'modbus-delay':
      fault = { kind: 'delay', ms: num('ms') };
      break;
    case 'modbus-no-response':
      fault = { kind: 'no-response' };
      break;
    case 'modbus-exception':
      fault = { kind: 'exception', code: num('code', ExceptionCode.ServerDeviceFailure) as ExceptionCode };
      break;
    case 'modbus-bad-crc':
      fault = { kind: 'bad-crc' };
      break;
    case 'modbus-truncate':
      fault = { kind: 'truncate', bytes: num('bytes', 3) };
      break;
    case 'modbus-split':
      fault = { kind: 'split', chunks: num('chunks', 2), gapMs: num('gapMs', 50) };
      break;
    case 'modbus-wrong-transaction-id':
      fault = { kind: 'wrong-transaction-id' };
      break;
    case 'modbus-wrong-unit-id':
      fault = { kind: 'wrong-unit-id' };
      break;
    default:
      throw new ConfigError(`unknown Modbus fault '${kind}' (known: ${MODBUS_FAULT_KINDS.join(', ')})`);
  }
  return {
    fault,
    unitId,
    ...(functionCode !== undefined ? { functionCode } : {}),
    ...(address !== undefined ? { address } : {}),
    ...(probability !== undefined ? { probability } : {}),
    ...(remaining !== undefined ? { remaining } : {}),
  };
}
