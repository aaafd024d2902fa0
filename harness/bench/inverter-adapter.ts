import Ajv, { type ValidateFunction } from 'ajv';
import { ConfigError } from '../../core/errors';
import { schemaIssues } from '../../core/schema-errors';
import type { BatteryPort } from '../../emulators/inverter/battery-port';
import { createInverterDevice } from '../../emulators/inverter/factory';
import { INVERTER_FAULT_KINDS, INVERTER_FAULT_SCHEMA, type InverterFaultSpec } from '../../emulators/inverter/faults';
import { CONTROLS, QUANTITIES } from '../../emulators/inverter/quantities';
import type { BenchDevice, BenchFaultHandle } from './bench-device';
import { MODBUS_FAULT_KINDS } from './modbus-faults';

// Compiled on first use (a fault injected or checked), not at start-up: each Ajv compile costs tens of ms.
let faultValidator: ValidateFunction | undefined;
const faultCheck = (): ValidateFunction => (faultValidator ??= new Ajv({ allErrors: true, verbose: true }).compile(INVERTER_FAULT_SCHEMA));

/** Inputs an inverter takes from a scenario (`set: { inv1.irradiance: 300 }`). */
const INPUTS = ['irradiance', 'ambient', 'grid.voltage', 'grid.frequency', 'dc.switch', 'site.load'] as const;

/** Wrap the inverter emulator (emulators/inverter) as a bench device. */
export function inverterBenchDevice(o: { name: string; params?: unknown; map?: string; baseDir?: string; battery?: BatteryPort }): BenchDevice {
  const dev = createInverterDevice({
    name: o.name,
    ...(o.params !== undefined ? { params: o.params } : {}),
    ...(o.map !== undefined ? { map: o.map } : {}),
    ...(o.baseDir !== undefined ? { baseDir: o.baseDir } : {}),
    ...(o.battery ? { battery: o.battery } : {}),
  });
  const inv = dev.inverter;
  const setInput = (name: string, value: number | string | boolean): boolean => {
    const n = typeof value === 'number' ? value : typeof value === 'boolean' ? (value ? 1 : 0) : Number(value);
    if (!(INPUTS as readonly string[]).includes(name)) return false;
    if (!Number.isFinite(n)) throw new ConfigError(`inverter '${o.name}': ${name} needs a number, got '${String(value)}'`);
    switch (name) {
      case 'irradiance':
        inv.setEnvironment({ irradiance: n });
        break;
      case 'ambient':
        inv.setEnvironment({ ambientC: n });
        break;
      case 'grid.voltage':
        inv.setGrid({ volts: n });
        break;
      case 'grid.frequency':
        inv.setGrid({ hz: n });
        break;
      case 'dc.switch':
        inv.setDcSwitch(n !== 0);
        break;
      case 'site.load':
        inv.setEnvironment({ siteLoadW: n });
        break;
    }
    return true;
  };
  return {
    name: o.name,
    type: 'inverter',
    modbus: dev.modbus,
    // A map with several unit layouts (Victron: system on 100, VE.Bus on 227) answers on its own unit ids; a map
    // with one layout serves the bench's unit id (two inverters of one brand can share an endpoint).
    ...(dev.units && new Set(dev.units.values()).size > 1 ? { modbusUnits: dev.units } : {}),
    ...(dev.connectDelayS > 0 ? { connectDelayS: dev.connectDelayS } : {}),
    step: (dt) => dev.step(dt),
    signal: (name) => (name === 'irradiance' ? inv.state.irradiance : name === 'site.load' ? inv.siteLoad : dev.signal(name)),
    signalNames: () => ['irradiance', 'site.load', ...Object.keys(QUANTITIES), ...Object.keys(CONTROLS)],
    applyInitial(values) {
      for (const [k, v] of Object.entries(values)) {
        if (!setInput(k, v)) {
          throw new ConfigError(`inverter '${o.name}' has no initial condition '${k}' (it takes: ${INPUTS.join(', ')})`);
        }
      }
    },
    setInput,
    inputNames: () => INPUTS,
    injectFault(kind, params): BenchFaultHandle {
      const spec = { kind, ...params };
      const checkFault = faultCheck();
      if (!checkFault(spec)) {
        const known = INVERTER_FAULT_KINDS.includes(kind as InverterFaultSpec['kind']);
        // Only the errors of this kind's branch of the oneOf.
        const branch = INVERTER_FAULT_SCHEMA.oneOf.findIndex((b) => b.properties.kind.const === kind);
        const detail = schemaIssues(checkFault.errors ?? [], { subject: 'field', fallback: 'fault', noun: 'field', schemaPath: `#/oneOf/${branch}/` })
          .map((i) => i.message)
          .slice(0, 3)
          .join('; ');
        throw new ConfigError(
          known
            ? `inverter fault '${kind}': ${detail}`
            : `inverter '${o.name}' has no fault '${kind}' (it takes: ${INVERTER_FAULT_KINDS.join(', ')}, and the Modbus faults ${MODBUS_FAULT_KINDS.join(', ')})`,
        );
      }
      return dev.injectFault(spec as InverterFaultSpec);
    },
    faultKinds: () => INVERTER_FAULT_KINDS,
    close: () => undefined,
  };
}

