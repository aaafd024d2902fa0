/** Where the Tesla Model 3/Y (and 2021+ Model S/X) BMS facts come from (facts only; no code copied). */
export const TESLA_MODEL3_SOURCES = {
  /**
   * The controller side second-life Model 3/Y packs run: every BMS and HVP frame it reads (with the DBC-style
   * start|length@order (scale,offset) comments beside each field), the vehicle frames it sends to close the
   * contactors, their counters and checksums, and the value tables of the states.
   */
  BE: 'dalathegreat/Battery-Emulator Software/src/battery/TESLA-BATTERY.cpp/.h @ 62532e944e06bd1d6462179ba92068b48d98ab89',
  /** The one public Model 3 0x132 sample with its decoding (pack voltage 385.12 V, smooth current 8.2 A). */
  TESCAN: 'fl4p/tescan README.md ("306 70 96 AE FF 5C 26 FF 0F"), via its link to joshwardell/model3dbc',
} as const;
