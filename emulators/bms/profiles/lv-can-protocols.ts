/** The LV CAN protocols (Pylontech, SMA) as registry entries: one codec (lv-can.ts), two protocol names. */
import { LV_CAN_VARIANTS, lvCanVariant } from './lv-can';
import { attachLvCan } from './lv-can-profile';
import type { BmsProtocolContext, BmsProtocolProfile } from './protocol-profile';
import type { BmsDevice } from '../device/bms-device';
import type { CanBus } from '../../../protocols/can/bus';
import type { PackProfile } from '../pack/profile-types';

/** Largest pack voltage the LV CAN 0x356 field holds (s16, 0.01 V). */
const LV_MAX_VOLTS = 327.67;

function refuseHighVoltage(pack: Readonly<PackProfile>): string | undefined {
  const maxV = pack.bms.chargeVoltagePerCell * pack.topology.series;
  return maxV > LV_MAX_VOLTS ? `pack ${pack.id} charges to ${maxV.toFixed(1)} V, above what LV CAN carries (0x356: ${LV_MAX_VOLTS} V); use pylon-hv or sunspec-802` : undefined;
}

function attach(device: BmsDevice, bus: CanBus, { clock, params: p, variant }: BmsProtocolContext) {
  return attachLvCan(device, bus, {
    ...(clock ? { clock } : {}),
    ...(p.manufacturer !== undefined ? { manufacturer: p.manufacturer } : {}),
    variant: lvCanVariant(variant!),
    ...(p.packCount !== undefined ? { packCount: p.packCount } : {}),
    ...(p.bmsName !== undefined ? { bmsName: p.bmsName } : {}),
    ...(p.extensions !== undefined ? { extensions: p.extensions } : {}),
    ...(p.periodMs !== undefined ? { periodMs: p.periodMs } : {}),
  });
}

const common = {
  transport: 'can',
  packs: `low-voltage packs (charge voltage up to ${LV_MAX_VOLTS} V, the 0x356 field)`,
  refusePack: refuseHighVoltage,
  variantWatchdog: (v: string) => lvCanVariant(v).watchdog,
  attachCan: attach,
} as const;

export const pylonLvProtocol: BmsProtocolProfile = {
  ...common,
  name: 'pylon-lv',
  description: 'Pylontech low-voltage CAN (500 kbit/s, 1 s cycle, Victron extensions), as Pylontech-compatible inverters read it',
  params: ['manufacturer', 'packCount', 'bmsName', 'extensions', 'periodMs'],
  variants: ['pylon'],
  dbc: 'pylon-lv.dbc',
};

export const smaLvProtocol: BmsProtocolProfile = {
  ...common,
  name: 'sma-lv',
  description: 'SMA Sunny Island low-voltage CAN (100 ms cycle)',
  params: ['manufacturer', 'periodMs'],
  variants: Object.keys(LV_CAN_VARIANTS).filter((v) => v.startsWith('sma')),
  dbc: 'sma-lv.dbc',
  variantDbc: { 'sma-bigendian': 'sma-lv-bigendian.dbc' },
};
