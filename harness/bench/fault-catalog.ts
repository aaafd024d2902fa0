import { BMS_FAULT_SCHEMA } from '../../emulators/bms/factory';
import { INVERTER_FAULT_SCHEMA } from '../../emulators/inverter/faults';
import { MODBUS_FAULT_KINDS, MODBUS_FAULT_PARAMS } from './modbus-faults';

/** A parameter of a fault kind. */
export interface FaultParamInfo {
  name: string;
  type: 'number' | 'integer' | 'string' | 'boolean' | 'array' | 'object';
  required: boolean;
  /** Allowed values (an enum), or for an array the allowed values of its items. */
  values?: readonly string[];
}

/** A fault kind a device takes, with its parameters. */
export interface FaultKindInfo {
  kind: string;
  params: readonly FaultParamInfo[];
}

interface SchemaEntry {
  required?: readonly string[];
  properties: Record<string, { type?: string; enum?: readonly unknown[]; items?: { enum?: readonly unknown[] }; const?: unknown }>;
}

/**
 * The fault kinds a bench device takes and their parameters: read from the emulators' fault schemas (BMS and
 * inverter) and, for a device on a Modbus endpoint, the Modbus faults. The one place tools (`hil emulate`'s
 * completion and messages) read them from, so that a future registry of fault kinds replaces only this function.
 */
export function faultCatalog(type: 'bms' | 'inverter', onModbus: boolean): FaultKindInfo[] {
  const schema = (type === 'bms' ? BMS_FAULT_SCHEMA : INVERTER_FAULT_SCHEMA) as unknown as { oneOf: readonly SchemaEntry[] };
  const out: FaultKindInfo[] = schema.oneOf.map((entry) => ({
    kind: String(entry.properties['kind']!.const),
    params: Object.entries(entry.properties)
      .filter(([name]) => name !== 'kind')
      .map(([name, p]) => paramInfo(name, p, entry.required ?? [])),
  }));
  if (onModbus) {
    for (const kind of MODBUS_FAULT_KINDS) {
      out.push({ kind, params: MODBUS_FAULT_PARAMS[kind].map((p) => ({ name: p.name, type: p.type, required: p.required ?? false })) });
    }
  }
  return out;
}

function paramInfo(name: string, p: SchemaEntry['properties'][string], required: readonly string[]): FaultParamInfo {
  const info: FaultParamInfo = { name, type: 'string', required: required.includes(name) };
  if (p.enum) return { ...info, type: typeof p.enum[0] === 'number' ? 'number' : 'string', values: p.enum.map(String) };
  if (p.type === 'array') return { ...info, type: 'array', ...(p.items?.enum ? { values: p.items.enum.map(String) } : {}) };
  if (p.type === 'number' || p.type === 'integer' || p.type === 'boolean' || p.type === 'object' || p.type === 'string') return { ...info, type: p.type };
  return info;
}
