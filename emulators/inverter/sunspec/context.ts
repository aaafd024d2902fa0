/**
 * What every model of the inverter's SunSpec map is built from: the inverter and the few figures several models
 * share, computed once by the assembler (../sunspec-map.ts).
 */
import { scaleExponentFor } from '../../../protocols/modbus/sunspec/write-handler';
import type { Inverter, InverterCommand } from '../inverter';

/** Contract: built once per map; models read the inverter live (in `onRead`) and write to it only through `command`. */
export interface InverterModelContext {
  readonly inv: Inverter;
  /** Scale exponent of every W, VA and var point: keeps 1.2 x the VA rating within an int16. */
  readonly wSf: number;
  /** 1, 2 (split) or 3. */
  readonly phaseCount: number;
  /** Seconds since 2000-01-01 UTC at model time 0 (122 and 160 Tms). */
  readonly epoch2000S: number;
  /** Reactive power rating, var, in every quadrant: the VA rating at PF 0.8. */
  readonly varRating: number;
  /** Give the inverter a command; with `windowS` > 0 it takes effect at a random time within that window. */
  command(c: InverterCommand, windowS?: number): void;
}

export function inverterModelContext(inv: Inverter, epoch2000S: number): InverterModelContext {
  return {
    inv,
    wSf: scaleExponentFor(inv.ratedVA * 1.2),
    phaseCount: inv.phaseCount,
    epoch2000S,
    varRating: Math.sqrt(inv.ratedVA ** 2 - (0.8 * inv.ratedVA) ** 2),
    command: (c, windowS) => void inv.command(c, windowS ? { windowS } : {}),
  };
}
