/** The Nissan Leaf LBC in the protocol registry. */
import { clockOf, type BmsProtocolProfile } from '../protocol-profile';

// Loaded when a bench uses this protocol, not at every start (issue 19: start-up time).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const profile = (): typeof import('./nissan-leaf-profile') => require('./nissan-leaf-profile') as typeof import('./nissan-leaf-profile');

export const nissanLeafProtocol: BmsProtocolProfile = {
  name: 'nissan-leaf',
  description: 'Nissan Leaf LBC (ZE0 / AZE0 / ZE1): broadcast, vehicle keep-alive, diagnostic groups, DTCs',
  transport: 'can',
  packs: 'any pack; written for the Leaf packs (nissan-leaf-24kwh, nissan-leaf-40kwh)',
  params: ['generation'],
  dbc: 'nissan-leaf.dbc',
  attachCan: (device, bus, ctx) => profile().attachNissanLeaf(device, bus, { ...clockOf(ctx), ...(ctx.params.generation !== undefined ? { generation: ctx.params.generation } : {}) }),
};
