/**
 * Conformance vectors of the battery-to-inverter CAN protocols (issue 12): a device state and the exact frame
 * bytes a battery of that protocol variant sends, and inverter frames with the battery's reaction. Each vector was
 * derived by hand from at least two independent public implementations (cited beside it: repository, file,
 * commit); a named variant that only one implementation speaks says so in `singleSource`. The public code is a
 * source of facts only: nothing in this repository is copied from it. docs/protocols/battery-can.md lists every
 * vector id in its fidelity table (test/conformance/fidelity-table.test.ts keeps the two in step).
 */
import type { BmsSnapshot } from '../../emulators/bms/device/snapshot';
import { BmsFlag } from '../../emulators/bms/logic/flags';

/** One public implementation: repository, file, commit (40 hex), and what it shows. */
export interface Source {
  readonly repo: string;
  readonly file: string;
  readonly commit: string;
  readonly shows: string;
}

const BE = 'dalathegreat/Battery-Emulator';
const BE_C = '62532e944e06bd1d6462179ba92068b48d98ab89';
const DIY = 'stuartpittaway/diyBMSv4ESP32';
const DIY_C = '0af053d4db555107799adc311db631924250fc02';
const BSC = 'shining-man/bsc_fw';
const BSC_C = '2131f19693c83dc96daf0fd0fd20d5aa5d4775db';
const AI = 'ai-republic/bms-to-inverter';
const AI_C = '59ac882d319536df7334bf375ee6bcadfd090d9b';
const SYSSI = 'syssi/esphome-virtual-can-bms';
const SYSSI_C = '93af45a9165734837c86df2a39e9b81ced598c2d';
const UKSA = 'Uksa007/esphome-jk-bms-can';
const UKSA_C = 'cb24f7437dfa2fbb4e6c2409f1fb122b9b65ac2e';
const EMU = 'juamiso/PYLON_EMU';
const EMU_C = '0fdde6c4b05ed5cce7a7f60d968945cde3a434b4';

const src = (repo: string, file: string, commit: string, shows: string): Source => ({ repo, file, commit, shows });

export const S = {
  bePylonLv: src(BE, 'Software/src/inverter/PYLON-LV-CAN.cpp (+ .h)', BE_C, 'Pylontech LV battery side: little-endian fields, 0x351 CVL/CCL/DCL, 0x355 DLC 4, 0x359 DLC 7, 0x35C 0xC0/0xA0, PYLON name'),
  beSmaLv: src(BE, 'Software/src/inverter/SMA-LV-CAN.cpp (+ .h)', BE_C, 'SMA LV: big-endian, 0x351 CVL/DCL/CCL/DVL, every frame DLC 8, 100 ms, 0x355 SOC/SOH/SOC 0.01 %'),
  bePylonHv: src(BE, 'Software/src/inverter/PYLON-CAN.cpp (+ .h)', BE_C, 'Pylon HV battery side: answers 0x4200 byte 0 = 0 with 0x4210-0x4290 and 2 with 0x7310-0x7340; default frame bytes LE with +30000 on both limits; options: big-endian, no offset; 0x7320 bytes 0-1 TOTAL_CELL_AMOUNT'),
  beHvBattery: src(BE, 'Software/src/battery/PYLON-BATTERY.cpp (+ .h)', BE_C, 'Pylon HV inverter side: 0x4200 byte 0 cycles 0-1-2 every 1 s, 0x3010 heartbeat 01 00.., 0x8200 AA wake / 55 sleep, 0x8210 AA charge command; reads LE, current raw-30000, discharge limit "standard negative offset"'),
  beSafety: src(BE, 'Software/src/devboard/safety/safety.cpp, Software/src/devboard/utils/types.h', BE_C, 'inverter CAN missing after CAN_STILL_ALIVE = 60 s (SMA x3, Sofar x2), an error event that puts the system in FAULT'),
  diyPylon: src(DIY, 'ESPController/src/pylon_canbus.cpp', DIY_C, 'Pylontech LV: packed LE structs, 0x355 4 bytes (sample 1A 00 64 00), 0x359 8 bytes with byte 3 bit 3 internal failure, 0x35C bits 7/6/5/4, 0x35E "PYLON   "'),
  diyVictron: src(DIY, 'ESPController/src/victron_canbus.cpp', DIY_C, '0x35A pairs: ALARM 01, OK 10, not supported 11/00; order general, high V, low V, high T, low T, ...; BMS internal byte 2 bits 6-7'),
  diyForce: src(DIY, 'ESPController/src/pylonforce_canbus.cpp', DIY_C, 'Pylon HV: LE structs, current offset 3000 A, discharge limit 30000 - I, 0x7320 series cells / modules / cells per module; 0x8200 55 sleep AA wake; 0x8210 AA charge / discharge command'),
  bsc: src(BSC, 'src/inverter/Canbus.cpp', BSC_C, 'Pylontech V1.2 0x359 table (byte 1 / 3 bit 3 system error), 0x359 sent with 8 bytes, 0x355 4 bytes, 0x35A pairs ALARM 01 / OK 10 in the Victron order'),
  aiSma: src(AI, 'inverter-sma-si-can/src/main/java/com/airepublic/bmstoinverter/inverter/sma/can/SMAInverterCANProcessor.java', AI_C, 'SMA Sunny Island: little-endian, 0x351 CVL, CCL, DCL, DVL; 0x35A pairs with the active bit low (01) and the OK bit high (10)'),
  aiHv: src(AI, 'inverter-pylon-hv-can/src/main/java/com/airepublic/bmstoinverter/inverter/pylonhv/can/PylonHVInverterCANProcessor.java', AI_C, 'Pylon HV: LE, current +30000, temperature +1000, both limits +30000, answers byte 0 = 0 and 2 only, 0x7320 bytes 0-1 numberOfCells'),
  syssi: src(SYSSI, 'components/virtual_can_bms/virtual_can_bms.h (+ .cpp)', SYSSI_C, 'SMA: LE structs, 0x351 ChargeVoltage, MaxChargingCurrent, MaxDischargingCurrent, DischargeVoltageLimit; 0x355 SOC, SOH, SOC 0.01 %'),
  uksa: src(UKSA, 'README.md (frame log of a JK BMS to Pylontech-CAN bridge)', UKSA_C, 'frames as sent: 351 28 02 E8 03 E8 03 A0 01, 355 4F 00 64 00 (4 bytes), 356 63 14 62 FC 86 01, 359 8 bytes, 35C C0 00; inverter 0x305 with 8 bytes'),
  pylonEmu: src(EMU, 'pylon_CAN_210124.dbc', EMU_C, 'Pylontech LV DBC: 0x355 4 bytes, 0x359 7 bytes with System_Error bit 11 and Internal_Error_WARN bit 27, 0x35C force charge I bit 5'),
} as const;

/** A battery state and the exact frames the variant sends for it (only the frames listed are checked). */
export interface FrameVector {
  readonly id: string;
  readonly protocol: 'lv-can' | 'pylon-hv';
  readonly variant: string;
  readonly what: string;
  /** Snapshot fields over `emptySnapshot()`. */
  readonly state: Partial<BmsSnapshot>;
  /** Frame id -> hex bytes (length included). */
  readonly frames: Readonly<Record<number, string>>;
  readonly sources: readonly Source[];
  /** Set where the vector pins a named variant only one implementation speaks: why it exists. */
  readonly singleSource?: string;
}

const limits = { chargeVoltageLimit: 55.2, chargeCurrentLimit: 100, dischargeCurrentLimit: 100, dischargeVoltageLimit: 41.6 };
/** The Pylon HV limits of the 0x4220 vectors: 270.0 V / 202.5 V, 105 A both ways. */
const hvLimits = { chargeVoltageLimit: 270, dischargeVoltageLimit: 202.5, chargeCurrentLimit: 105, dischargeCurrentLimit: 105 };

export const FRAME_VECTORS: readonly FrameVector[] = [
  {
    id: 'lv.pylon.351',
    protocol: 'lv-can',
    variant: 'pylon',
    what: '0x351 little-endian CVL 55.2 V, CCL 100 A, DCL 100 A, DVL 41.6 V',
    state: limits,
    frames: { 0x351: '2802e803e803a001' },
    sources: [S.uksa, S.diyPylon, S.bsc, S.pylonEmu],
  },
  {
    id: 'lv.pylon.355',
    protocol: 'lv-can',
    variant: 'pylon',
    what: '0x355 4 bytes: SOC 26 %, SOH 100 %',
    state: { soc: 0.26, soh: 1 },
    frames: { 0x355: '1a006400' },
    sources: [S.diyPylon, S.bePylonLv, S.bsc, S.uksa, S.pylonEmu],
  },
  {
    id: 'lv.pylon.356',
    protocol: 'lv-can',
    variant: 'pylon',
    what: '0x356 52.19 V (0.01 V), -92.6 A (0.1 A, + = charge), 39.0 degC (0.1 degC), signed LE',
    state: { packVoltage: 52.19, current: -92.6, tempAvg: 39 },
    frames: { 0x356: '631462fc8601' },
    sources: [S.uksa, S.diyPylon, S.bePylonLv, S.pylonEmu],
  },
  {
    id: 'lv.pylon.359.idle',
    protocol: 'lv-can',
    variant: 'pylon',
    what: '0x359 idle, 8 bytes: no flags, 1 pack, "PN", byte 7 0',
    state: {},
    frames: { 0x359: '00000000' + '01504e00' },
    sources: [S.diyPylon, S.bsc, S.uksa],
  },
  {
    id: 'lv.pylon.359.protections',
    protocol: 'lv-can',
    variant: 'pylon',
    what: '0x359 over-voltage (byte 0 bit 1), discharge over-current (bit 7), charge over-current (byte 1 bit 0), also as warnings (bytes 2-3)',
    state: {
      alarms: BmsFlag.CellOverVoltage | BmsFlag.DischargeOverCurrent | BmsFlag.ChargeOverCurrent,
      warnings: BmsFlag.CellOverVoltage | BmsFlag.DischargeOverCurrent | BmsFlag.ChargeOverCurrent,
    },
    frames: { 0x359: '82018201' + '01504e00' },
    sources: [S.bsc, S.diyPylon, S.bePylonLv, S.pylonEmu],
  },
  {
    id: 'lv.pylon.359.system-error',
    protocol: 'lv-can',
    variant: 'pylon',
    what: '0x359 internal fault: system error byte 1 bit 3 and byte 3 bit 3 (Battery-Emulator sets byte 1 bit 7 instead: not followed)',
    state: { alarms: BmsFlag.InternalFault, warnings: BmsFlag.InternalFault },
    frames: { 0x359: '00080008' + '01504e00' },
    sources: [S.bsc, S.pylonEmu, S.diyPylon],
  },
  {
    id: 'lv.pylon.35c',
    protocol: 'lv-can',
    variant: 'pylon',
    what: '0x35C charge + discharge enabled (C0), with force charge I (bit 5) when asked',
    state: { chargeEnable: true, dischargeEnable: true, forceCharge1: true },
    frames: { 0x35c: 'e000' },
    sources: [S.diyPylon, S.bePylonLv, S.pylonEmu, S.uksa],
  },
  {
    id: 'lv.pylon.35e',
    protocol: 'lv-can',
    variant: 'pylon',
    what: '0x35E "PYLON" padded with spaces to 8 bytes',
    state: {},
    frames: { 0x35e: '50594c4f4e202020' },
    sources: [S.diyPylon, S.bePylonLv],
  },
  {
    id: 'lv.35a.idle',
    protocol: 'lv-can',
    variant: 'sma',
    what: '0x35A healthy pack: every implemented pair 10 (OK), reserved pairs 00: AA AA AA 02 AA AA AA 02',
    state: {},
    frames: { 0x35a: 'aaaaaa02aaaaaa02' },
    sources: [S.diyVictron, S.bsc, S.aiSma],
  },
  {
    id: 'lv.35a.high-voltage',
    protocol: 'lv-can',
    variant: 'sma',
    what: '0x35A cell over-voltage alarm and warning: general and high-voltage pairs 01 (active), the rest 10',
    state: { alarms: BmsFlag.CellOverVoltage, warnings: BmsFlag.CellOverVoltage },
    frames: { 0x35a: 'a5aaaa02a5aaaa02' },
    sources: [S.diyVictron, S.bsc, S.aiSma],
  },
  {
    id: 'lv.35a.internal',
    protocol: 'lv-can',
    variant: 'sma',
    what: '0x35A internal fault: general pair and BMS internal pair (byte 2 bits 6-7) 01',
    state: { alarms: BmsFlag.InternalFault, warnings: BmsFlag.InternalFault },
    frames: { 0x35a: 'a9aa6a02a9aa6a02' },
    sources: [S.diyVictron, S.bsc],
  },
  {
    id: 'lv.sma.351',
    protocol: 'lv-can',
    variant: 'sma',
    what: 'SMA 0x351 in the Pylontech order, little-endian: CVL 55.2 V, CCL 100 A, DCL 50 A, DVL 41.6 V',
    state: { ...limits, dischargeCurrentLimit: 50 },
    frames: { 0x351: '2802e803f401a001' },
    sources: [S.aiSma, S.syssi, S.bsc],
  },
  {
    id: 'lv.sma.355',
    protocol: 'lv-can',
    variant: 'sma',
    what: 'SMA 0x355 8 bytes: SOC 27 %, SOH 100 %, SOC 26.55 % in 0.01 %, bytes 6-7 0',
    state: { soc: 0.2655, soh: 1 },
    frames: { 0x355: '1b0064005f0a0000' },
    sources: [S.syssi, S.beSmaLv, S.aiSma],
  },
  {
    id: 'lv.sma-bigendian.351',
    protocol: 'lv-can',
    variant: 'sma-bigendian',
    what: 'sma-bigendian 0x351: big-endian, discharge limit first: CVL 55.2 V, DCL 50 A, CCL 100 A, DVL 41.6 V',
    state: { ...limits, dischargeCurrentLimit: 50 },
    frames: { 0x351: '022801f403e801a0' },
    sources: [S.beSmaLv],
    singleSource: 'the one firmware that sends this layout, kept as a named variant so a controller built against it can still be tested',
  },
  {
    id: 'hv.pylon.4210',
    protocol: 'pylon-hv',
    variant: 'pylon',
    what: '0x4210 246.9 V, 0 A (+3000 A offset), 18.1 degC (+100 degC offset), SOC 46 %, SOH 100 %',
    state: { packVoltage: 246.9, current: 0, tempAvg: 18.1, soc: 0.46, soh: 1 },
    frames: { 0x4210: 'a50930759d042e64' },
    sources: [S.bePylonHv, S.aiHv, S.diyForce],
  },
  {
    id: 'hv.pylon.4220',
    protocol: 'pylon-hv',
    variant: 'pylon',
    what: '0x4220 270.0 V / 202.5 V, charge limit 105 A = 30000 + 1050, discharge limit 105 A = 30000 - 1050',
    state: hvLimits,
    frames: { 0x4220: '8c0ae9074a791671' },
    sources: [S.diyForce, S.beHvBattery],
  },
  {
    id: 'hv.discharge-positive.4220',
    protocol: 'pylon-hv',
    variant: 'pylon-discharge-positive',
    what: '0x4220 with the discharge limit offset like the charge limit: 30000 + 1050 for both',
    state: hvLimits,
    frames: { 0x4220: '8c0ae9074a794a79' },
    sources: [S.bePylonHv, S.aiHv, S.beHvBattery],
  },
  {
    id: 'hv.battery-emulator.4220',
    protocol: 'pylon-hv',
    variant: 'battery-emulator',
    what: '0x4220 as Battery-Emulator sends it by default: big-endian, no current offset',
    state: hvLimits,
    frames: { 0x4220: '0a8c07e9041a041a' },
    sources: [S.bePylonHv],
    singleSource: 'the defaults of one firmware (its byte-order and offset switches exist because inverters differ); kept so a controller tuned to it can be tested',
  },
  {
    id: 'hv.pylon.4280',
    protocol: 'pylon-hv',
    variant: 'pylon',
    what: '0x4280 charge forbidden (AA in byte 0), discharge allowed',
    state: { chargeEnable: false, dischargeEnable: true },
    frames: { 0x4280: 'aa00000000000000' },
    sources: [S.bePylonHv, S.aiHv, S.diyForce],
  },
  {
    id: 'hv.pylon.7320',
    protocol: 'pylon-hv',
    variant: 'pylon',
    what: '0x7320 96 cells in series, 8 modules of 12, voltage level 355 V, 60 Ah',
    state: { seriesCells: 96, chargeVoltageLimit: 403, dischargeVoltageLimit: 307, nominalAh: 60 },
    frames: { 0x7320: '6000080c63013c00' },
    sources: [S.bePylonHv, S.diyForce, S.aiHv],
  },
];

/** What the battery does after an inverter frame. */
export interface ReactionVector {
  readonly id: string;
  readonly protocol: 'lv-can' | 'pylon-hv';
  readonly what: string;
  /** Inverter frame: id, extended, hex bytes. */
  readonly send: { readonly id: number; readonly extended: boolean; readonly data: string };
  /** Frame ids answered at once, in order (empty: no answer). */
  readonly answers: readonly number[];
  /** Whether it counts as a sign of life of the inverter. */
  readonly heartbeat: boolean;
  /** Contactors after the command and a few seconds of BMS steps (undefined: not checked). */
  readonly contactorClosed?: boolean;
  /** Start from contactors open (asleep / after a protection). */
  readonly startOpen?: boolean;
  readonly sources: readonly Source[];
}

const ENSEMBLE = [0x4210, 0x4220, 0x4230, 0x4240, 0x4250, 0x4260, 0x4270, 0x4280, 0x4290];
const SYSTEM = [0x7310, 0x7320, 0x7330, 0x7340];

export const REACTION_VECTORS: readonly ReactionVector[] = [
  {
    id: 'lv.305.heartbeat',
    protocol: 'lv-can',
    what: '0x305 with 8 bytes is the inverter heartbeat; nothing is answered (the cycle goes on)',
    send: { id: 0x305, extended: false, data: '0000000000000000' },
    answers: [],
    heartbeat: true,
    sources: [S.bePylonLv, S.uksa, S.bsc],
  },
  {
    id: 'hv.4200.ensemble',
    protocol: 'pylon-hv',
    what: '0x4200 byte 0 = 0x00: the nine ensemble frames 0x4210-0x4290',
    send: { id: 0x4200, extended: true, data: '0000000000000000' },
    answers: ENSEMBLE,
    heartbeat: true,
    sources: [S.bePylonHv, S.aiHv, S.diyForce],
  },
  {
    id: 'hv.4200.system',
    protocol: 'pylon-hv',
    what: '0x4200 byte 0 = 0x02: the system equipment frames 0x7310-0x7340',
    send: { id: 0x4200, extended: true, data: '0200000000000000' },
    answers: SYSTEM,
    heartbeat: true,
    sources: [S.bePylonHv, S.diyForce],
  },
  {
    id: 'hv.4200.cycled',
    protocol: 'pylon-hv',
    what: '0x4200 byte 0 = 0x01 (inverters cycle 0/1/2): heard as a sign of life, not answered, not malformed',
    send: { id: 0x4200, extended: true, data: '0100000000000000' },
    answers: [],
    heartbeat: true,
    sources: [S.beHvBattery, S.bePylonHv, S.diyForce],
  },
  {
    id: 'hv.3010.heartbeat',
    protocol: 'pylon-hv',
    what: '0x3010 is the inverter heartbeat: no answer',
    send: { id: 0x3010, extended: true, data: '0100000000000000' },
    answers: [],
    heartbeat: true,
    sources: [S.beHvBattery, src(AI, 'bms-growatt-hv-can/src/main/java/com/airepublic/bmstoinverter/bms/growatthv/can/GrowattHVBmsCANProcessor.java', AI_C, '0x3010 HEARTBEAT_COMMAND of the related Growatt HV protocol')],
  },
  {
    id: 'hv.8200.sleep',
    protocol: 'pylon-hv',
    what: '0x8200 byte 0 = 0x55: the BMS goes to sleep and opens its contactors',
    send: { id: 0x8200, extended: true, data: '5500000000000000' },
    answers: [],
    heartbeat: false,
    contactorClosed: false,
    sources: [S.diyForce, S.beHvBattery],
  },
  {
    id: 'hv.8200.wake',
    protocol: 'pylon-hv',
    what: '0x8200 byte 0 = 0xAA: the BMS quits sleep and closes its contactors',
    send: { id: 0x8200, extended: true, data: 'aa00000000000000' },
    answers: [],
    heartbeat: false,
    startOpen: true,
    contactorClosed: true,
    sources: [S.diyForce, S.beHvBattery],
  },
  {
    id: 'hv.8210.charge',
    protocol: 'pylon-hv',
    what: '0x8210 byte 0 = 0xAA (charge command): the BMS closes its relay',
    send: { id: 0x8210, extended: true, data: 'aa00000000000000' },
    answers: [],
    heartbeat: false,
    startOpen: true,
    contactorClosed: true,
    sources: [S.diyForce, S.beHvBattery],
  },
];

/** Heartbeat watchdog of firmware speaking a protocol variant: the bench default. */
export interface WatchdogVector {
  readonly id: string;
  readonly protocol: 'pylon-lv' | 'sma-lv' | 'pylon-hv';
  readonly variant?: string;
  readonly timeoutS: number;
  readonly reaction: 'open-contactors' | 'zero-limits' | 'none';
  readonly sources: readonly Source[];
  readonly singleSource?: string;
}

const WATCHDOG_NOTE = 'the only public firmware found that states a timeout for losing its inverter; the others (diyBMS, bsc_fw) never time out';

export const WATCHDOG_VECTORS: readonly WatchdogVector[] = [
  { id: 'watchdog.pylon-lv', protocol: 'pylon-lv', timeoutS: 60, reaction: 'open-contactors', sources: [S.beSafety, S.bePylonLv], singleSource: WATCHDOG_NOTE },
  { id: 'watchdog.sma-lv', protocol: 'sma-lv', timeoutS: 180, reaction: 'open-contactors', sources: [S.beSafety, S.beSmaLv], singleSource: WATCHDOG_NOTE },
  { id: 'watchdog.pylon-hv', protocol: 'pylon-hv', timeoutS: 60, reaction: 'open-contactors', sources: [S.beSafety, S.diyForce], singleSource: WATCHDOG_NOTE },
];
