/**
 * What the runner needs of the SunSpec identity read before it knows whether the bench asks for one: the result type
 * and how notes name the endpoint. Kept apart from `sunspec-identity.ts` so that runs whose bench declares no
 * `dut.identity.sunspec` never load the Modbus client (start-up, issue 19).
 */
import type { CommonModelValues } from '../../protocols/modbus/sunspec/common-model';
import type { SunSpecIdentityEndpoint } from '../bench/load-bench';

/**
 * What one read found. `common` is set when model 1 was read (its points as text; a point the controller leaves
 * unimplemented is absent); `note` always says where it was read or why nothing was.
 */
export interface SunSpecIdentityRead {
  common?: CommonModelValues;
  note: string;
}

/** `host:port unit n`, as notes name the endpoint. */
export function describeEndpoint(e: SunSpecIdentityEndpoint): string {
  const host = e.host.includes(':') ? `[${e.host}]` : e.host;
  return `${host}:${e.port} unit ${e.unitId}`;
}
