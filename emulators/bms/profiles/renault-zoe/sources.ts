/** Where the Renault Zoe (Gen1: ZE22 / ZE40) LBC facts come from (facts only; no code copied). */
export const ZOE_SOURCES = {
  /** The controller side second-life Zoe systems run, and its capture-based test log. */
  BE: 'dalathegreat/Battery-Emulator Software/src/battery/RENAULT-ZOE-GEN1-BATTERY.cpp/.h, test/can_log_based/can_logs/28_RenaultZoe1_base_pid.txt @ 62532e944e06bd1d6462179ba92068b48d98ab89',
  /** An independent controller side (vehicle telematics): group 0x04 temperatures, 0x41/0x42 cells, DDT4ALL positions of 0x03. */
  OVMS: 'openvehicles/Open-Vehicle-Monitoring-System-3 vehicle/OVMS.V3/components/vehicle_renaultzoe/src/vehicle_renaultzoe.cpp @ 1aa1daff19c5ad8532ba9fc887187c7f301539ac',
} as const;
/** The DTC readout (`10 C0`, `19 02 mask`, answer layout) and the code dictionary (see ./zoe-dtcs.ts for the caveat). */
export const ZOE_DTC_SOURCES = {
  BE_DTC: 'dalathegreat/Battery-Emulator Software/src/battery/RENAULT-ZOE-GEN1-BATTERY.cpp, web_data/dtc/renault_zoe_gen1_dtc.json @ 95860073ff30ae3c15eebbf9239d272001316ba8 ("add UDS Service 0x19 DTC readout & 19-code fault dictionary", not an ancestor of 62532e94)',
  BE_UDS: 'dalathegreat/Battery-Emulator Software/src/battery/UdsCanBattery.cpp handle_dtc_response, RENAULT-ZOE-GEN1-BATTERY.cpp read_DTC @ 62532e944e06bd1d6462179ba92068b48d98ab89',
} as const;
