/**
 * What a BMS protocol profile declares to be found by name (profiles/registry.ts): one object per protocol, beside
 * its code, and one line in the registry. The factory (../factory.ts), the bench checks, the messages that list
 * protocols and the DBC a bus decodes with all read it from there.
 */
import type { Clock } from '../../../core/clock';
import type { CanBus } from '../../../protocols/can/bus';
import type { ModbusDevice } from '../../../protocols/modbus/device';
import type { SunSpecDevice } from '../../../protocols/modbus/sunspec/sunspec-device';
import type { BmsDevice } from '../device/bms-device';
import type { BmsParams } from '../params';
import type { PackProfile } from '../pack/profile-types';
import type { CanProfileAttachment } from './can-link';
import type { VariantWatchdog } from './lv-can';

/** What a profile is started with. */
export interface BmsProtocolContext {
  /** Clock of the cycles (default the bus's). */
  clock?: Clock;
  /** The device's parameters (already checked against the schema and this profile's `params`). */
  params: BmsParams;
  /** The variant in use (the one given, else the profile's first), for a profile with variants. */
  variant?: string;
}

/**
 * A BMS protocol: its name in bench files, what it is, which packs it carries, which protocol-only parameters and
 * variants it takes, and how it starts: on a CAN bus (`attachCan`) or as a Modbus unit (`serveModbus`).
 */
export interface BmsProtocolProfile {
  /** The `protocol:` of a bench file (lower-case, dashes). */
  readonly name: string;
  /** One line for people (docs, `hil validate` messages). */
  readonly description: string;
  /** 'can': `attachCan` is called for the device's bus; 'modbus': `serveModbus` once, served on its endpoint. */
  readonly transport: 'can' | 'modbus';
  /** The packs it carries, in words. */
  readonly packs: string;
  /** Why it cannot carry this pack (a sentence), or undefined when it can. */
  refusePack?(pack: Readonly<PackProfile>): string | undefined;
  /** Protocol-only parameters it takes (any other protocol-only parameter given to it is a bench problem). */
  readonly params?: readonly (keyof BmsParams)[];
  /** Variants where public implementations disagree; the first is the default. */
  readonly variants?: readonly string[];
  /** The heartbeat watchdog a variant brings (what firmware speaking it does); none: the pack profile's. */
  variantWatchdog?(variant: string): VariantWatchdog | undefined;
  /** DBC in data/dbc that names its frames (for `can.<bus>.<Message>.<Signal>`), and per variant where it differs. */
  readonly dbc?: string;
  readonly variantDbc?: Readonly<Record<string, string>>;
  /** CAN protocols: start the profile on `bus`. */
  attachCan?(device: BmsDevice, bus: CanBus, ctx: BmsProtocolContext): CanProfileAttachment;
  /** Modbus protocols: the unit to serve (and the SunSpec map behind it). */
  serveModbus?(device: BmsDevice, ctx: BmsProtocolContext): { modbus: ModbusDevice; sunspec?: SunSpecDevice };
}

/** `{ clock }` when there is one (the attach options of profiles that take only a clock). */
export const clockOf = (ctx: BmsProtocolContext): { clock?: Clock } => (ctx.clock ? { clock: ctx.clock } : {});
