/** Where the Tesla Model S/X (pre-2021, "legacy") BMS facts come from (facts only; no code copied). */
export const TESLA_LEGACY_SOURCES = {
  /** The controller side second-life Model S/X systems run: every frame it reads, the vehicle frames it sends. */
  BE: 'dalathegreat/Battery-Emulator Software/src/battery/TESLA-LEGACY-BATTERY.cpp/.h @ 62532e944e06bd1d6462179ba92068b48d98ab89',
  /** The state names Battery-Emulator shows for the Tesla BMS (BMS_contactorState of 0x212). */
  BE_HTML: 'dalathegreat/Battery-Emulator Software/src/battery/TESLA-HTML.h @ 62532e944e06bd1d6462179ba92068b48d98ab89',
} as const;
