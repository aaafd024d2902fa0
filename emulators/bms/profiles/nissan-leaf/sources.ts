/**
 * Where the Nissan Leaf facts come from (facts only; no code copied). Cited beside each field as [BE], [OVMS],
 * [LCM] and [LCM-XLSX].
 */
export const LEAF_SOURCES = {
  /** The controller side most second-life Leaf systems run. */
  BE: 'dalathegreat/Battery-Emulator Software/src/battery/NISSAN-LEAF-BATTERY.cpp/.h @ 62532e944e06bd1d6462179ba92068b48d98ab89',
  /** An independent controller side (vehicle telematics). */
  OVMS: 'openvehicles/Open-Vehicle-Monitoring-System-3 vehicle/OVMS.V3/components/vehicle_nissanleaf/src/vehicle_nissanleaf.cpp @ 1aa1daff19c5ad8532ba9fc887187c7f301539ac',
  /** Community DBC of the EV-CAN. */
  LCM: 'dalathegreat/leaf_can_bus_messages EV-can_AZE0.dbc @ d8ac19d9dd1c1307be7d4caa6bc9e54c2363e4f3',
  /** Community message table with periods (sheet "EV-CAN"). */
  LCM_XLSX: 'dalathegreat/leaf_can_bus_messages canmsgs.xlsx @ d8ac19d9dd1c1307be7d4caa6bc9e54c2363e4f3',
} as const;
