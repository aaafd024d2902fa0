/**
 * Every built-in BMS protocol: one line each, exporting the `BmsProtocolProfile` its folder (or file) declares.
 * profiles/registry.ts registers all of them (listed by name). A new protocol: docs/adding-a-protocol.md.
 */
export { bmwI3Protocol } from './bmw-i3/protocol';
export { dalyCanProtocol } from './daly-can/protocol';
export { jkCanProtocol } from './jk-can/protocol';
export { kiaHyundai64Protocol } from './kia-hyundai-64/protocol';
export { nissanLeafProtocol } from './nissan-leaf/protocol';
export { orionBms2Protocol } from './orion-bms2/protocol';
export { pylonHvProtocol } from './pylon-hv-protocol';
export { pylonLvProtocol, smaLvProtocol } from './lv-can-protocols';
export { renaultZoeProtocol } from './renault-zoe/protocol';
export { renaultZoeGen2Protocol } from './renault-zoe-gen2/protocol';
export { sunspec802Protocol } from './sunspec-802-protocol';
export { teslaLegacyProtocol } from './tesla-legacy/protocol';
export { teslaModel3Protocol } from './tesla-model3/protocol';
