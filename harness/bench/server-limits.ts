import { ConfigError } from '../../core/errors';
import type { ConnectionLimits } from '../../protocols/net/connection-guard';
import { parseDuration } from '../config/duration';
import type { BenchFile, ServerLimitsSpec } from './types';

/** The connection limits a bench sets, per Modbus TCP endpoint name and per socketcand hub address. */
export interface BenchServerLimits {
  modbus: Record<string, ConnectionLimits>;
  /** Keyed by the `socketcand:` address as written (`127.0.0.1:0`): buses naming the same one share a hub. */
  hubs: Record<string, ConnectionLimits>;
}

/**
 * Read the connection limits of a bench's servers. Throws `ConfigError` at the key for limits on an RTU line
 * (there is no connection to limit), an idle timeout that is not a duration, or two buses of one hub that disagree.
 */
export function benchServerLimits(f: BenchFile, at: (pointer: string) => string): BenchServerLimits {
  const out: BenchServerLimits = { modbus: {}, hubs: {} };
  for (const [name, ep] of Object.entries(f.modbus ?? {})) {
    const limits = toLimits(ep, `/modbus/${name}`, at);
    if (Object.keys(limits).length === 0) continue;
    if (ep.rtu) throw new ConfigError(`Modbus endpoint '${name}': connection limits apply to a TCP endpoint, not an RTU line`, at(`/modbus/${name}`));
    out.modbus[name] = limits;
  }
  const firstBus: Record<string, string> = {};
  for (const [name, bus] of Object.entries(f.can ?? {})) {
    if (!bus.hub) continue;
    const key = bus.hub.socketcand;
    const limits = toLimits(bus.hub, `/can/${name}/hub`, at);
    const before = out.hubs[key];
    if (before === undefined) {
      out.hubs[key] = limits;
      firstBus[key] = name;
    } else if (JSON.stringify(sorted(before)) !== JSON.stringify(sorted(limits))) {
      throw new ConfigError(
        `CAN bus '${name}' shares the hub at ${key} with bus '${firstBus[key]}' but sets other limits (write them the same on both, or on neither)`,
        at(`/can/${name}/hub`),
      );
    }
  }
  return out;
}

function toLimits(spec: ServerLimitsSpec, pointer: string, at: (pointer: string) => string): ConnectionLimits {
  const limits: ConnectionLimits = {};
  if (spec.maxConnections !== undefined) limits.maxConnections = spec.maxConnections;
  if (spec.idleTimeout !== undefined) limits.idleTimeoutMs = parseDuration(spec.idleTimeout, at(`${pointer}/idleTimeout`));
  if (spec.whenFull !== undefined) limits.whenFull = spec.whenFull;
  return limits;
}

function sorted(l: ConnectionLimits): Array<[string, unknown]> {
  // Code-unit order: the keys are identifiers, and `localeCompare` would load ICU collation on a run's start-up.
  return Object.entries(l).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
