/** Where the Renault Zoe Gen2 (ZE50, 52 kWh) LBC facts come from (facts only; no code copied). */
export const ZOE_GEN2_SOURCES = {
  /** The controller side: the frames it reads, the UDS DIDs it polls and their scales, the vehicle frames it sends. */
  BE: 'dalathegreat/Battery-Emulator Software/src/battery/RENAULT-ZOE-GEN2-BATTERY.cpp/.h @ 62532e944e06bd1d6462179ba92068b48d98ab89',
  /** The CRC-8 table BE checks 0x36C with and sends 0x0EE with: polynomial 0x1D, MSB first. */
  BE_CRC: 'dalathegreat/Battery-Emulator Software/src/devboard/utils/common_functions.cpp crc8_table_SAE_J1850_ZER0 @ 62532e944e06bd1d6462179ba92068b48d98ab89',
  /** The one Zoe Gen2 log in BE's capture-based tests: a cell 88 poll answer (marked synthetic there). */
  LOG: 'dalathegreat/Battery-Emulator test/can_log_based/can_logs/29_RenaultZoe2_cv88.txt @ 62532e944e06bd1d6462179ba92068b48d98ab89',
  /** An independent vehicle-side reader of the same LBC DIDs (scales, the module temperatures 9131-913C, 9018). */
  OVMS: 'openvehicles/Open-Vehicle-Monitoring-System-3 vehicle/OVMS.V3/components/vehicle_renaultzoe_ph2/src/rz2_pids_LBC.cpp @ 34385f8b765fca5b8c8b0be9b3339295a35ca829',
} as const;
