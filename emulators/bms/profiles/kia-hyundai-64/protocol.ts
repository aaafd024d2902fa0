/** The Kia e-Niro / Hyundai Kona 64 kWh BMS in the protocol registry. */
import { clockOf, type BmsProtocolProfile } from '../protocol-profile';

// Loaded when a bench uses this protocol, not at every start (issue 19: start-up time).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const profile = (): typeof import('./kia-hyundai-64-profile') => require('./kia-hyundai-64-profile') as typeof import('./kia-hyundai-64-profile');

export const kiaHyundai64Protocol: BmsProtocolProfile = {
  name: 'kia-hyundai-64',
  description: 'Kia e-Niro / Hyundai Kona 64 kWh BMS: broadcast, keep-alive and relay frames, UDS 22 PIDs over ISO-TP',
  transport: 'can',
  packs: 'any pack; written for kia-hyundai-64kwh',
  dbc: 'kia-hyundai-64.dbc',
  attachCan: (device, bus, ctx) => profile().attachKiaHyundai64(device, bus, clockOf(ctx)),
};
