/** Where each Orion BMS 2 fact comes from (repository, file, commit). Facts only; no code was copied. */
export const ORION_SOURCES = {
  BE: 'dalathegreat/Battery-Emulator Software/src/battery/ORION-BMS.cpp/.h @ 62532e944e06bd1d6462179ba92068b48d98ab89 (handle_incoming_can_frame, update_values: the Orion 2 in its Victron-compatible CAN mode, as Battery-Emulator reads it)',
  DIY: 'stuartpittaway/diyBMSv4ESP32 ESPController/src/victron_canbus.cpp @ 0af053d4db555107799adc311db631924250fc02 (the Victron frame set 0x351/0x355/0x356/0x35A/0x35E/0x35F that a Victron-compatible BMS sends)',
} as const;
