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
  // Bounds: a delay or gap of at most 10 minutes (a Modbus master gives up within seconds), exception codes of one
  // byte, byte and chunk counts within a Modbus ADU (at most 260 bytes on TCP).
  const RANGE: Record<string, [number, number]> = { ms: [0, 600_000], code: [1, 255], bytes: [0, 260], chunks: [1, 260], gapMs: [0, 600_000] };
  const num = (k: string, dflt?: number): number => {
    const v = rest[k] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`fault '${kind}' needs a number '${k}'`);
    const [lo, hi] = RANGE[k]!;
    if (v < lo || v > hi) throw new ConfigError(`fault '${kind}': ${k} ${v} is not ${lo}..${hi}`);
    return v;
  };
  if (probability !== undefined && !(typeof probability === 'number' && probability >= 0 && probability <= 1)) {
    throw new ConfigError(`fault '${kind}': probability must be a number 0..1, got ${JSON.stringify(probability)}`);
  }
  if (remaining !== undefined && !(Number.isInteger(remaining) && remaining >= 0 && remaining <= 1e9)) {
    throw new ConfigError(`fault '${kind}': remaining must be a whole number of requests >= 0, got ${JSON.stringify(remaining)}`);
  }
  if (functionCode !== undefined && !(Number.isInteger(functionCode) && functionCode >= 1 && functionCode <= 127)) {
    throw new ConfigError(`fault '${kind}': functionCode must be a Modbus function code 1..127, got ${JSON.stringify(functionCode)}`);
  }
  if (address !== undefined) {
    const ok = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 65535;
    if (typeof address !== 'object' || address === null || !ok(address.from) || !ok(address.to) || address.from > address.to) {
      throw new ConfigError(`fault '${kind}': address must be { from, to } with 0 <= from <= to <= 65535, got ${JSON.stringify(address)}`);
    }
  }
  const unknown = Object.keys(rest).filter((k) => !['ms', 'code', 'bytes', 'chunks', 'gapMs'].includes(k));
  if (unknown.length > 0) throw new ConfigError(`fault '${kind}': unknown parameter '${unknown[0]}' (takes ms, code, bytes, chunks, gapMs, functionCode, address, probability, remaining)`);
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
