/**
 * Leaf battery generations as data: what differs on the wire between ZE0 (2011-12, 24 kWh), AZE0 (2013-17,
 * 24/30 kWh) and ZE1 (2018+, 40/62 kWh). Sources: see ./sources.ts.
 */
export type LeafGeneration = 'ze0' | 'aze0' | 'ze1';

export interface LeafVariant {
  readonly name: LeafGeneration;
  readonly description: string;
  /** Data bytes of the group 0x01 answer after `61 01`: 39 (24 kWh), 41 (30 kWh), 51 (ZE1) [OVMS PollReply_Battery]. */
  readonly group1Bytes: 39 | 41 | 51;
  /** Data bytes of the group 0x04 answer after `61 04`: 14 (ZE0/AZE0), 29 (ZE1) [OVMS PollReply_BMS_Temp]. */
  readonly group4Bytes: 14 | 29;
  /** Thermistors fitted: 4 on 2011-12 packs, 3 on 2013+ (the third slot reads FFFF) [BE group 0x04]. */
  readonly thermistors: 3 | 4;
  /** 0x5BC period, ms: 500, "100ms on 2015" [LCM-XLSX]; ZE1 assumed like AZE0. */
  readonly period5BCms: number;
  /** 0x59E (QC capacities) is sent: AZE0 and later [BE: its presence marks an AZE0; LCM-XLSX "Present on 2015 Leaf"]. */
  readonly sends59E: boolean;
  /** 0x5BC byte 3 carries the average temperature + 40 on ZE0 only [BE]. */
  readonly averageTempIn5BC: boolean;
  /**
   * Ids only a ZE1 LBC sends: 0x380, 0x5EB, 0x5BF, 0x1ED, 0x1C2 [BE handle_incoming_can_frame: any of them marks the
   * pack as ZE1, which selects the ZE1 Hx scale and the polled temperatures]. Their layout, length and period are not
   * public: sent as 8 zero bytes every 100 ms (assumed), so a controller can tell the generation as BE does.
   */
  readonly extraIds: readonly number[];
}

export const LEAF_VARIANTS: Readonly<Record<LeafGeneration, LeafVariant>> = {
  ze0: { name: 'ze0', description: 'ZE0 2011-12, 24 kWh', group1Bytes: 39, group4Bytes: 14, thermistors: 4, period5BCms: 500, sends59E: false, averageTempIn5BC: true, extraIds: [] },
  aze0: { name: 'aze0', description: 'AZE0 2013-17, 24/30 kWh', group1Bytes: 41, group4Bytes: 14, thermistors: 3, period5BCms: 100, sends59E: true, averageTempIn5BC: false, extraIds: [] },
  ze1: { name: 'ze1', description: 'ZE1 2018+, 40/62 kWh', group1Bytes: 51, group4Bytes: 29, thermistors: 3, period5BCms: 100, sends59E: true, averageTempIn5BC: false, extraIds: [0x380, 0x5eb, 0x5bf, 0x1ed, 0x1c2] },
};

export const LEAF_GENERATIONS = Object.keys(LEAF_VARIANTS) as LeafGeneration[];
