/** SunSpec 802/803/804 over Modbus as a registry entry (the map in sunspec-battery.ts). */
import type { BmsProtocolProfile } from './protocol-profile';
import { createBmsSunSpec } from './sunspec-battery';

export const sunspec802Protocol: BmsProtocolProfile = {
  name: 'sunspec-802',
  description: 'SunSpec battery models 802 (and 803/804 cell and module detail) over Modbus TCP or RTU',
  transport: 'modbus',
  packs: 'any pack',
  params: ['manufacturer', 'sunspecBase', 'sunspecDetail'],
  serveModbus: (device, { params: p }) =>
    createBmsSunSpec(device, {
      ...(p.sunspecBase !== undefined ? { base: p.sunspecBase } : {}),
      ...(p.sunspecDetail !== undefined ? { detail: p.sunspecDetail } : {}),
      ...(p.manufacturer !== undefined ? { manufacturer: p.manufacturer } : {}),
    }),
};
