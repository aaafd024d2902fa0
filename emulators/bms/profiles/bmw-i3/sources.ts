/** Where the BMW i3 SME facts come from (facts only; no code copied). Cited beside each field as [BE] and [OVMS]. */
export const I3_SOURCES = {
  /** The controller side second-life i3 systems run. */
  BE: 'dalathegreat/Battery-Emulator Software/src/battery/BMW-I3-BATTERY.cpp/.h, BMW-I3-HTML.cpp @ 62532e944e06bd1d6462179ba92068b48d98ab89',
  /** An independent controller side (vehicle telematics), for the diagnostic identifiers. */
  OVMS: 'openvehicles/Open-Vehicle-Monitoring-System-3 vehicle/OVMS.V3/components/vehicle_bmwi3/src/vehicle_bmwi3.cpp, ecu_definitions/ecu_sme_defines.h @ 1aa1daff19c5ad8532ba9fc887187c7f301539ac',
} as const;
