/** Pylon HV CAN as a registry entry (codec and profile in pylon-hv.ts). */
import { attachPylonHv, PYLON_HV_VARIANTS, pylonHvVariant } from './pylon-hv';
import type { BmsProtocolProfile } from './protocol-profile';

export const pylonHvProtocol: BmsProtocolProfile = {
  name: 'pylon-hv',
  description: 'Pylontech high-voltage CAN (29-bit ids, the inverter polls on 0x4200)',
  transport: 'can',
  packs: 'any pack (high-voltage stacks)',
  params: ['manufacturer', 'idOffset'],
  variants: Object.keys(PYLON_HV_VARIANTS),
  variantWatchdog: (v) => pylonHvVariant(v).watchdog,
  dbc: 'pylon-hv.dbc',
  attachCan: (device, bus, { clock, params: p, variant }) =>
    attachPylonHv(device, bus, {
      ...(clock ? { clock } : {}),
      ...(p.manufacturer !== undefined ? { manufacturer: p.manufacturer } : {}),
      variant: pylonHvVariant(variant!),
      ...(p.idOffset !== undefined ? { idOffset: p.idOffset } : {}),
    }),
};
