/**
 * Every BMS protocol, found by name. The built-in ones are one line each in ./builtin.ts: a new protocol is one
 * folder (its code and its `BmsProtocolProfile`) plus that line (docs/adding-a-protocol.md). Tools and tests may
 * add one at run time with `registerBmsProtocol`.
 */
import { ConfigError } from '../../../core/errors';
import * as BUILT_IN from './builtin';
import type { BmsProtocolProfile } from './protocol-profile';

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

// Typed: every export of ./builtin.ts must be a protocol profile. Registered (and listed) in name order: code-unit
// order, the same as the locale's for these lower-case ASCII names, without `localeCompare`, whose first call loads
// ICU collation (9-14 ms of CPU in `hil run`'s start-up, measured: docs/performance.md, issue 19).
const builtIn: Readonly<Record<string, BmsProtocolProfile>> = BUILT_IN;
for (const p of Object.values(builtIn).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) registerBmsProtocol(p);
