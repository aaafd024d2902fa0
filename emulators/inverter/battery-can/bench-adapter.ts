/** An inverter that hears its battery over a battery-to-inverter CAN protocol, as a bench device. */
import type { Clock } from '../../../core/clock';
import { ConfigError } from '../../../core/errors';
import type { BatteryPort } from '../../common/battery-port';
import type { BenchDevice, DeviceEntry } from '../../common/bench-device';
import { INVERTER_FAULTS } from '../faults';
import { BATTERY_CAN_PROTOCOLS, CLIENT_VARIANTS, type BatteryCanProtocol } from './battery-can-client';
import { BatteryCanInverter, type BatteryCanInverterOptions } from './battery-can-inverter';

const NUMBER_PARAMS = ['timeoutS', 'maxChargeA', 'maxDischargeA', 'demandA', 'rampAPerS', 'restartDelayS', 'taperV', 'periodMs', 'ambientC'] as const;
/** The one inverter fault such an inverter takes (it has no grid side in this model). */
const FAULTS = INVERTER_FAULTS.subset('battery-CAN inverter', ['battery-comms-loss']);
const INPUTS = ['demandA'] as const;

/**
 * The options of a battery-CAN inverter from its bench entry (`batteryCan`, `params`); a ConfigError names the
 * first bad one. Opens nothing (the bench check calls it too).
 */
export function batteryCanInverterOptions(spec: DeviceEntry): BatteryCanInverterOptions {
  const bc = spec.batteryCan!;
  const protocol = bc.protocol as BatteryCanProtocol;
  if (!BATTERY_CAN_PROTOCOLS.includes(protocol)) throw new ConfigError(`inverter '${spec.name}': batteryCan protocol '${bc.protocol}' is not one it speaks (${BATTERY_CAN_PROTOCOLS.join(', ')})`);
  const variant = bc.variant ?? CLIENT_VARIANTS[protocol][0]!;
  if (!CLIENT_VARIANTS[protocol].includes(variant)) throw new ConfigError(`inverter '${spec.name}': ${protocol} has no variant '${variant}' it reads (${CLIENT_VARIANTS[protocol].join(', ')})`);
  const options: BatteryCanInverterOptions = { protocol, variant };
  for (const [k, v] of Object.entries(spec.params ?? {})) {
    if (k === 'seed') continue;
    if (k === 'onTimeout') {
      if (v !== 'stop' && v !== 'hold-last') throw new ConfigError(`inverter '${spec.name}': onTimeout must be 'stop' or 'hold-last', got ${JSON.stringify(v)}`);
      options.onTimeout = v;
    } else if ((NUMBER_PARAMS as readonly string[]).includes(k)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || (k !== 'demandA' && k !== 'ambientC' && v < 0)) throw new ConfigError(`inverter '${spec.name}': ${k} needs a ${k === 'demandA' ? '' : 'non-negative '}number, got ${JSON.stringify(v)}`);
      (options as unknown as Record<string, number>)[k] = v;
    } else throw new ConfigError(`inverter '${spec.name}': unknown parameter '${k}' for a battery-CAN inverter (known: ${[...NUMBER_PARAMS, 'onTimeout'].join(', ')})`);
  }
  return options;
}

/**
 * An inverter that hears its battery over a battery-to-inverter CAN protocol (`batteryCan: { bus, protocol,
 * variant }`) and drives the power path of the bench's `battery:` device within what it heard
 * (emulators/inverter/battery-can). Input `demandA` (A, + charge); fault `battery-comms-loss` (the inverter stops
 * sending and hearing on that bus).
 */
export function batteryCanInverterBenchDevice(spec: DeviceEntry, clock: Clock, port: BatteryPort | undefined): BenchDevice {
  const options = batteryCanInverterOptions(spec);
  let inv: BatteryCanInverter | undefined;
  const setInput = (name: string, value: number | string | boolean): boolean => {
    if (name !== 'demandA') return false;
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isFinite(n)) throw new ConfigError(`inverter '${spec.name}': demandA needs a number, got '${String(value)}'`);
    options.demandA = n;
    if (inv) inv.demandA = n;
    return true;
  };
  return {
    name: spec.name,
    type: 'inverter',
    attachCan(bus) {
      if (inv) throw new ConfigError(`inverter '${spec.name}' is already on a battery CAN bus`);
      inv = new BatteryCanInverter(bus, clock, options, port);
      inv.start();
      return () => inv?.stop();
    },
    step: (dt) => inv?.step(dt),
    signal: (n) => inv?.signal(n),
    signalNames: () => BatteryCanInverter.signalNames(),
    inputNames: () => INPUTS,
    applyInitial(values) {
      for (const [k, v] of Object.entries(values)) if (!setInput(k, v)) throw new ConfigError(`inverter '${spec.name}' has no initial condition '${k}' (it takes: demandA)`);
    },
    setInput,
    injectFault(kind, params) {
      FAULTS.check({ kind, ...params }, `inverter '${spec.name}'`);
      inv?.client.mute(true);
      return { clear: () => inv?.client.mute(false) };
    },
    faults: FAULTS,
    heardIdentity: () => (inv?.client.heard.name !== undefined ? { bmsName: inv.client.heard.name } : undefined),
    close: () => inv?.stop(),
  };
}
