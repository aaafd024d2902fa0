/**
 * Every BMS protocol, found by name: one line per protocol below. A new protocol is one folder (its code and its
 * `BmsProtocolProfile`) plus one line here (docs/adding-a-protocol.md). Tools and tests may add one at run time
 * with `registerBmsProtocol`.
 */
import { ConfigError } from '../../../core/errors';
import { bmwI3Protocol } from './bmw-i3/protocol';
import { dalyCanProtocol } from './daly-can/protocol';
import { jkCanProtocol } from './jk-can/protocol';
import { kiaHyundai64Protocol } from './kia-hyundai-64/protocol';
import { pylonLvProtocol, smaLvProtocol } from './lv-can-protocols';
import { nissanLeafProtocol } from './nissan-leaf/protocol';
import { orionBms2Protocol } from './orion-bms2/protocol';
import type { BmsProtocolProfile } from './protocol-profile';
import { pylonHvProtocol } from './pylon-hv-protocol';
import { renaultZoeProtocol } from './renault-zoe/protocol';
import { sunspec802Protocol } from './sunspec-802-protocol';
import { teslaLegacyProtocol } from './tesla-legacy/protocol';

const BUILT_IN: readonly BmsProtocolProfile[] = [
  pylonLvProtocol,
  smaLvProtocol,
  pylonHvProtocol,
  sunspec802Protocol,
  nissanLeafProtocol,
  bmwI3Protocol,
  renaultZoeProtocol,
  kiaHyundai64Protocol,
  teslaLegacyProtocol,
  orionBms2Protocol,
  dalyCanProtocol,
  jkCanProtocol,
];

const registry = new Map<string, BmsProtocolProfile>();

/**
 * Add a protocol; returns a function that removes it again (for tests). Throws `ConfigError` for a name already
 * taken, and for a profile that cannot start (no `attachCan` for CAN, no `serveModbus` for Modbus).
 */
export function registerBmsProtocol(profile: BmsProtocolProfile): () => void {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(profile.name)) throw new ConfigError(`BMS protocol name '${profile.name}': lower-case letters, digits and '-'`);
  if (registry.has(profile.name)) throw new ConfigError(`BMS protocol '${profile.name}' is registered already`);
  if (profile.transport === 'can' ? !profile.attachCan : !profile.serveModbus) {
    throw new ConfigError(`BMS protocol '${profile.name}' (${profile.transport}) needs ${profile.transport === 'can' ? 'attachCan' : 'serveModbus'}`);
  }
  registry.set(profile.name, profile);
  return () => {
    if (registry.get(profile.name) === profile) registry.delete(profile.name);
  };
}

/** The protocol of a name, or undefined. */
export function bmsProtocol(name: string): BmsProtocolProfile | undefined {
  return registry.get(name);
}

/** Every protocol, in registration order. */
export function bmsProtocols(): BmsProtocolProfile[] {
  return [...registry.values()];
}

/** Every protocol name, in registration order. */
export function bmsProtocolNames(): string[] {
  return [...registry.keys()];
}

for (const p of BUILT_IN) registerBmsProtocol(p);
