import { ConfigError } from '../../core/errors';
import { FaultRegistry, type FaultParamDecl } from '../../emulators/common/fault-registry';
import { ExceptionCode } from '../../protocols/modbus/device';
import type { FaultRule, ModbusFault } from '../../protocols/modbus/faults';

// Bounds: a delay or gap of at most 10 minutes (a Modbus master gives up within seconds), exception codes of one
// byte, byte and chunk counts within a Modbus ADU (at most 260 bytes on TCP).
const FILTERS = {
  functionCode: { type: 'integer', minimum: 1, maximum: 127, description: 'only requests with this function code' },
  address: { type: 'object', description: 'only requests touching { from, to } (0..65535)' },
  probability: { type: 'number', minimum: 0, maximum: 1, description: 'chance that a matching request is hit' },
  remaining: { type: 'integer', minimum: 0, maximum: 1e9, description: 'hit this many requests, then stop' },
} as const satisfies Record<string, FaultParamDecl>;

/**
 * Modbus-level faults any device on a Modbus endpoint takes (applied by the endpoint's server core), declared once:
 * `modbusFaultRule` reads their ranges from here, the catalogue and messages their names and parameters.
 */
export const MODBUS_FAULTS = new FaultRegistry('Modbus endpoint', {
  'modbus-delay': { description: 'answers come late', params: { ms: { type: 'number', minimum: 0, maximum: 600_000, required: true, unit: 'ms', description: 'delay of each answer' }, ...FILTERS } },
  'modbus-no-response': { description: 'requests get no answer', params: FILTERS },
  'modbus-exception': { description: 'requests are answered with an exception', params: { code: { type: 'integer', minimum: 1, maximum: 255, default: 4, description: 'exception code' }, ...FILTERS } },
  'modbus-bad-crc': { description: 'RTU answers carry a wrong CRC', params: FILTERS },
  'modbus-truncate': { description: 'answers are cut short', params: { bytes: { type: 'integer', minimum: 0, maximum: 260, default: 3, description: 'bytes kept' }, ...FILTERS } },
  'modbus-split': { description: 'answers arrive in pieces', params: { chunks: { type: 'integer', minimum: 1, maximum: 260, default: 2, description: 'pieces' }, gapMs: { type: 'number', minimum: 0, maximum: 600_000, default: 50, unit: 'ms', description: 'gap between pieces' }, ...FILTERS } },
  'modbus-wrong-transaction-id': { description: 'TCP answers carry another transaction id', params: FILTERS },
  'modbus-wrong-unit-id': { description: 'answers carry another unit id', params: FILTERS },
});

/** Modbus fault kinds, in declaration order. */
export const MODBUS_FAULT_KINDS: readonly string[] = MODBUS_FAULTS.kinds;

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
  const num = (k: string): number => {
    const decl = MODBUS_FAULTS.decl(kind)!.params![k]!;
    const v = rest[k] ?? decl.default;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`fault '${kind}' needs a number '${k}'`);
    const [lo, hi] = [decl.minimum!, decl.maximum!];
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
      fault = { kind: 'exception', code: num('code') as ExceptionCode };
      break;
    case 'modbus-bad-crc':
      fault = { kind: 'bad-crc' };
      break;
    case 'modbus-truncate':
      fault = { kind: 'truncate', bytes: num('bytes') };
      break;
    case 'modbus-split':
      fault = { kind: 'split', chunks: num('chunks'), gapMs: num('gapMs') };
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
