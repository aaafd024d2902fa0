/** Where the Kia e-Niro / Hyundai Kona 64 kWh BMS facts come from (facts only; no code copied). */
export const KIA64_SOURCES = {
  /** The controller side second-life Kia/Hyundai 64 systems run: broadcast it reads, vehicle frames it sends, polls. */
  BE: 'dalathegreat/Battery-Emulator Software/src/battery/KIA-HYUNDAI-64-BATTERY.cpp/.h @ 62532e944e06bd1d6462179ba92068b48d98ab89',
  /** A real capture of a pack answering every poll (lengths, padding 0xAA, byte positions). */
  CAPTURE: 'dalathegreat/Battery-Emulator test/can_log_based/can_logs/17_Kia64_UDSpolls.txt @ 00ea53e62a99ba81573793ea68333af7f82ce866',
  /** An independent controller side (vehicle telematics): the same PIDs on 0x7E4 -> 0x7EC, their fields and scales. */
  OVMS: 'openvehicles/Open-Vehicle-Monitoring-System-3 vehicle/OVMS.V3/components/vehicle_kianiroev/src/kn_can_poll.cpp, vehicle_kianiroev.cpp @ 1aa1daff19c5ad8532ba9fc887187c7f301539ac',
} as const;
