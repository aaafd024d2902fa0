/**
 * The BMS as a SunSpec device (Modbus): models 1 (common), 802 (battery), 803 (lithium-ion bank, one string) and
 * 804 (lithium-ion string, one group per module), bound to a live `BmsDevice`. Offsets, types and lengths come from
 * the official model JSON through protocols/modbus/sunspec (checked by test/sunspec/official-models.ts).
 *
 * Reads refresh a model's registers from `device.snapshot()` (so a 'stale-data' fault freezes them; the 804
 * per-module detail comes from the measured cell voltages and temperatures, which it does not freeze).
 *
 * Control points a controller writes (everything else is read-only: IllegalDataAddress, as the inverter does):
 * - 802 SetOp: CONNECT (1) / DISCONNECT (2) -> `device.requestContactors`; reads back the BMS's request.
 * - 802 AlmRst: 1 resets latched alarms whose cause has gone (`device.resetFaults()`), then reads 0; 0 does nothing.
 * - 802 CtrlHb: any value is the controller's heartbeat (`device.heartbeat()`); reads back as written.
 * - 802 SetInvState: INVERTER_STOPPED/STANDBY/STARTED (1..3), what the inverter is doing; kept for the BMS
 *   (`inverterState`) and read back.
 * - 802 SocRsvMax / SoCRsvMin: 0..100 %, reserve settings kept and read back (min <= max).
 * - 803 string[0].StrSetEna / StrSetCon and 804 SetEna / SetCon: enable-connect (1) / disable-disconnect (2) the
 *   string -> `device.requestContactors`.
 * Out-of-range values -> IllegalDataValue (enum values outside the symbols are refused by the SunSpec layer).
 *
 * While a 'comms-loss' fault is active every request is answered GatewayTargetFailedToRespond (0x0B), as a
 * Modbus gateway in front of a silent BMS does; for a device that does not answer at all use the server's
 * 'no-response' fault rule (protocols/modbus/faults.ts).
 */
import { ExceptionCode, type DeviceIdentification, type ModbusDevice } from '../../../protocols/modbus/device';
import { SunSpecDevice } from '../../../protocols/modbus/sunspec/sunspec-device';
import { SunSpecModel } from '../../../protocols/modbus/sunspec/sunspec-model';
import { anyValue, inRange, numeric, readOnly, scaleExponentFor, writeHandler, writtenValue } from '../../../protocols/modbus/sunspec/write-handler';
import type { BmsDevice } from '../device/bms-device';
import type { BmsSnapshot } from '../device/snapshot';
import { BmsFlag } from '../logic/flags';

export interface BmsSunSpecOptions {
  /** Address of `SunS` (default 40000). */
  base?: number;
  /** Also serve 803 and 804 (default true). */
  detail?: boolean;
  /** Common model strings. */
  manufacturer?: string;
  model?: string;
  serial?: string;
  version?: string;
}

/** What the map exposes besides the Modbus face. */
export interface BmsSunSpec {
  /** The SunSpec map itself (for conformance checks and point look-ups). */
  readonly sunspec: SunSpecDevice;
  /** The Modbus face to serve: the map, answering 0x0B while comms are lost. */
  readonly modbus: ModbusDevice;
  readonly modelIds: readonly number[];
  /** Last SetInvState written (1 stopped, 2 standby, 3 started), undefined before any write. */
  readonly inverterState: number | undefined;
}

/** SunSpec 802/803/804 Evt1 bits from the BMS flags (alarm and warning variants). */
export function sunspecEvents(s: Readonly<BmsSnapshot>): number {
  const a = s.alarms;
  const w = s.warnings & ~a;
  const b = (on: number, bit: number): number => (on !== 0 ? 2 ** bit : 0);
  return (
    b((a | w) & (BmsFlag.InternalComms | BmsFlag.HeartbeatLost), 0) +
    b(a & BmsFlag.OverTemperature, 1) +
    b(w & BmsFlag.OverTemperature, 2) +
    b(a & BmsFlag.UnderTemperature, 3) +
    b(w & BmsFlag.UnderTemperature, 4) +
    b(a & BmsFlag.ChargeOverCurrent, 5) +
    b(w & BmsFlag.ChargeOverCurrent, 6) +
    b(a & BmsFlag.DischargeOverCurrent, 7) +
    b(w & BmsFlag.DischargeOverCurrent, 8) +
    b(a & BmsFlag.CellOverVoltage, 9) +
    b(w & BmsFlag.CellOverVoltage, 10) +
    b(a & BmsFlag.CellUnderVoltage, 11) +
    b(w & BmsFlag.CellUnderVoltage, 12) +
    b((a | w) & BmsFlag.CellImbalance, 17) +
    b((a | w) & BmsFlag.TemperatureSpread, 19) +
    b(a & BmsFlag.ContactorFault, 20) +
    b((a | w) & BmsFlag.Insulation, 22) +
    b(a & (BmsFlag.InternalFault | BmsFlag.SensorFault), 25) +
    b(w & (BmsFlag.InternalFault | BmsFlag.SensorFault), 26)
  );
}

/** 802 State: DISCONNECTED 1, INITIALIZING 2 (precharge), CONNECTED 3, FAULT 99 (latched fault, open). */
function batteryState(s: Readonly<BmsSnapshot>): number {
  if (s.contactor === 'closed' || s.contactor === 'welded') return 3;
  if (s.contactor === 'precharge') return 2;
  return s.latched !== 0 || s.alarms !== 0 ? 99 : 1;
}

/** 802 ChaSt: OFF 1, EMPTY 2, DISCHARGING 3, CHARGING 4, FULL 5, HOLDING 6. */
function chargeStatus(s: Readonly<BmsSnapshot>): number {
  if (s.contactor !== 'closed' && s.contactor !== 'welded') return 1;
  if (s.current > 0.05) return 4;
  if (s.current < -0.05) return 3;
  if (s.soc >= 0.995) return 5;
  if (s.soc <= 0.005) return 2;
  return 6;
}

/** 803/804 string status bits: STRING_ENABLED, CONTACTOR_STATUS. */
function stringStatus(device: BmsDevice, s: Readonly<BmsSnapshot>): number {
  return (device.logic.closeRequested ? 1 : 0) | (s.contactor === 'closed' || s.contactor === 'welded' ? 2 : 0);
}

/** 803/804 connection failure: NO_FAILURE 0, STR_GROUND_FAULT 2, CONTACTOR_FAILURE 6, STRING_FAULT 8. */
function connectionFailure(s: Readonly<BmsSnapshot>): number {
  if (s.latched & BmsFlag.ContactorFault) return 6;
  if (s.latched & BmsFlag.Insulation) return 2;
  return s.latched !== 0 ? 8 : 0;
}

export function createBmsSunSpec(device: BmsDevice, options: BmsSunSpecOptions = {}): BmsSunSpec {
  const prof = device.profile;
  const snap = (): Readonly<BmsSnapshot> => device.snapshot();
  const s0 = snap();
  const series = prof.topology.series;
  const perModule = prof.topology.seriesPerModule;
  const nModules = series / perModule;
  const nominalV = ((prof.bms.chargeVoltagePerCell + prof.bms.dischargeVoltagePerCell) / 2) * series;
  const maxW = nominalV * Math.max(prof.bms.maxChargeA, prof.bms.maxDischargeA);
  const whRtg = s0.nominalAh * nominalV;
  const wSf = scaleExponentFor(prof.bms.chargeVoltagePerCell * series * Math.max(prof.bms.maxChargeA, prof.bms.maxDischargeA) * 1.5, 32767);
  const moduleOf = (id: number): number => Math.floor(id / perModule) + 1;
  const state = { inverterState: undefined as number | undefined };

  const common = SunSpecModel.load(1, {
    values: {
      Mn: options.manufacturer ?? 'second-life-hil',
      Md: options.model ?? `BMS ${prof.id}`.slice(0, 32),
      Vr: options.version ?? '0.1',
      SN: options.serial ?? 'HIL-BMS-0001',
      Opt: null,
      DA: 1,
    },
  });
  common.handler = readOnly();

  const bat: SunSpecModel = SunSpecModel.load(802, {
    scaleFactors: {
      AHRtg_SF: scaleExponentFor(s0.nominalAh, 65535),
      WHRtg_SF: scaleExponentFor(whRtg, 65535),
      WChaDisChaMax_SF: scaleExponentFor(maxW, 65535),
      SoC_SF: -1,
      DoD_SF: -1,
      SoH_SF: -1,
      V_SF: -1,
      CellV_SF: -3,
      A_SF: -1,
      AMax_SF: -1,
      W_SF: wSf,
    },
    values: {
      AHRtg: s0.nominalAh,
      WHRtg: whRtg,
      WChaRteMax: nominalV * prof.bms.maxChargeA,
      WDisChaRteMax: nominalV * prof.bms.maxDischargeA,
      SoCMax: 100,
      SoCMin: 0,
      SocRsvMax: 100,
      SoCRsvMin: 0,
      LocRemCtl: 0,
      CtrlHb: 0,
      AlmRst: 0,
      Typ: 4,
      Evt2: 0,
      VMax: s0.chargeVoltageLimit,
      VMin: s0.dischargeVoltageLimit,
    },
    onRead: () => {
      const s = snap();
      bat.set('SoC', s.soc * 100);
      bat.set('DoD', (1 - s.soc) * 100);
      bat.set('SoH', s.soh * 100);
      bat.setRaw('NCyc', Math.floor(s.cycles));
      bat.set('ChaSt', chargeStatus(s));
      bat.set('Hb', Math.floor(s.timeMs / 1000) % 65536);
      bat.set('State', batteryState(s));
      bat.setRaw('Evt1', sunspecEvents(s));
      bat.setRaw('EvtVnd1', s.alarms >>> 0);
      bat.setRaw('EvtVnd2', s.warnings >>> 0);
      bat.set('V', s.packVoltage);
      bat.set('CellVMax', s.cellVMax);
      bat.set('CellVMaxStr', 1);
      bat.set('CellVMaxMod', moduleOf(s.cellVMaxId));
      bat.set('CellVMin', s.cellVMin);
      bat.set('CellVMinStr', 1);
      bat.set('CellVMinMod', moduleOf(s.cellVMinId));
      bat.set('CellVAvg', s.seriesCells > 0 ? s.packVoltage / s.seriesCells : 0);
      bat.set('A', s.current);
      bat.set('AChaMax', s.chargeCurrentLimit);
      bat.set('ADisChaMax', s.dischargeCurrentLimit);
      bat.set('W', s.packVoltage * s.current);
      bat.set('ReqInvState', s.latched !== 0 ? 2 : 0);
      bat.set('SetOp', device.logic.closeRequested ? 1 : 2);
      if (state.inverterState !== undefined) bat.set('SetInvState', state.inverterState);
    },
  });
  bat.handler = writeHandler(
    { SocRsvMax: inRange(0, 100), SoCRsvMin: inRange(0, 100), CtrlHb: anyValue, AlmRst: inRange(0, 1), SetOp: anyValue, SetInvState: anyValue },
    (writes, m) => {
      if (writtenValue(writes, 'CtrlHb') !== undefined) device.heartbeat();
      if (writtenValue(writes, 'AlmRst') === 1) {
        device.resetFaults();
        m.set('AlmRst', 0);
      }
      const op = writtenValue(writes, 'SetOp');
      if (op !== undefined) device.requestContactors(op === 1);
      const inv = writtenValue(writes, 'SetInvState');
      if (inv !== undefined) state.inverterState = inv;
    },
    (writes, m) => {
      const max = writtenValue(writes, 'SocRsvMax') ?? numeric(m.get('SocRsvMax'));
      const min = writtenValue(writes, 'SoCRsvMin') ?? numeric(m.get('SoCRsvMin'));
      return min > max ? ExceptionCode.IllegalDataValue : undefined;
    },
  );
  const models: SunSpecModel[] = [common, bat];

  if (options.detail ?? true) {
    const sfs = { CellV_SF: -3, ModTmp_SF: -1, A_SF: -1, SoH_SF: -1, SoC_SF: -1, V_SF: -1 };
    const bank: SunSpecModel = SunSpecModel.load(803, {
      groupCounts: { string: 1 },
      scaleFactors: sfs,
      values: { NStr: 1, 'string[0].StrNMod': nModules, 'string[0].StrEvt2': 0, 'string[0].StrEvtVnd1': 0, 'string[0].StrEvtVnd2': 0 },
      onRead: () => {
        const s = snap();
        const closed = s.contactor === 'closed' || s.contactor === 'welded';
        bank.set('NStrCon', closed ? 1 : 0);
        bank.set('ModTmpMax', s.cellTMax);
        bank.set('ModTmpMaxStr', 1);
        bank.set('ModTmpMaxMod', s.cellTMaxId + 1);
        bank.set('ModTmpMin', s.cellTMin);
        bank.set('ModTmpMinStr', 1);
        bank.set('ModTmpMinMod', s.cellTMinId + 1);
        bank.set('ModTmpAvg', s.tempAvg);
        for (const k of ['StrVMax', 'StrVMin', 'StrVAvg']) bank.set(k, s.packVoltage);
        bank.set('StrVMaxStr', 1);
        bank.set('StrVMinStr', 1);
        for (const k of ['StrAMax', 'StrAMin', 'StrAAvg']) bank.set(k, s.current);
        bank.set('StrAMaxStr', 1);
        bank.set('StrAMinStr', 1);
        bank.set('NCellBal', s.balancingCells);
        const p = 'string[0].';
        bank.setRaw(`${p}StrSt`, stringStatus(device, s));
        bank.set(`${p}StrConFail`, connectionFailure(s));
        bank.set(`${p}StrSoC`, s.soc * 100);
        bank.set(`${p}StrSoH`, s.soh * 100);
        bank.set(`${p}StrA`, s.current);
        bank.set(`${p}StrCellVMax`, s.cellVMax);
        bank.set(`${p}StrCellVMaxMod`, moduleOf(s.cellVMaxId));
        bank.set(`${p}StrCellVMin`, s.cellVMin);
        bank.set(`${p}StrCellVMinMod`, moduleOf(s.cellVMinId));
        bank.set(`${p}StrCellVAvg`, s.seriesCells > 0 ? s.packVoltage / s.seriesCells : 0);
        bank.set(`${p}StrModTmpMax`, s.cellTMax);
        bank.set(`${p}StrModTmpMaxMod`, s.cellTMaxId + 1);
        bank.set(`${p}StrModTmpMin`, s.cellTMin);
        bank.set(`${p}StrModTmpMinMod`, s.cellTMinId + 1);
        bank.set(`${p}StrModTmpAvg`, s.tempAvg);
        bank.set(`${p}StrDisRsn`, closed ? 0 : s.latched !== 0 ? 1 : device.logic.closeRequested ? 0 : 3);
        bank.setRaw(`${p}StrConSt`, closed ? 1 : 0);
        bank.setRaw(`${p}StrEvt1`, sunspecEvents(s));
        const req = device.logic.closeRequested ? 1 : 2;
        bank.set(`${p}StrSetEna`, req);
        bank.set(`${p}StrSetCon`, req);
      },
    });
    bank.handler = writeHandler({ 'string[0].StrSetEna': anyValue, 'string[0].StrSetCon': anyValue }, (writes) => {
      for (const w of writes) device.requestContactors(numeric(w.value) === 1);
    });

    const str: SunSpecModel = SunSpecModel.load(804, {
      groupCounts: { lithium_ion_string_module: nModules },
      scaleFactors: { SoC_SF: -1, SoH_SF: -1, DoD_SF: -1, A_SF: -1, V_SF: -1, CellV_SF: -3, ModTmp_SF: -1 },
      values: { Idx: 1, NMod: nModules, Evt2: 0, EvtVnd1: 0, EvtVnd2: 0 },
      onRead: () => {
        const s = snap();
        const closed = s.contactor === 'closed' || s.contactor === 'welded';
        str.setRaw('St', stringStatus(device, s));
        str.set('ConFail', connectionFailure(s));
        str.set('NCellBal', s.balancingCells);
        str.set('SoC', s.soc * 100);
        str.set('DoD', (1 - s.soc) * 100);
        str.setRaw('NCyc', Math.floor(s.cycles));
        str.set('SoH', s.soh * 100);
        str.set('A', s.current);
        str.set('V', s.packVoltage);
        str.set('CellVMax', s.cellVMax);
        str.set('CellVMaxMod', moduleOf(s.cellVMaxId));
        str.set('CellVMin', s.cellVMin);
        str.set('CellVMinMod', moduleOf(s.cellVMinId));
        str.set('CellVAvg', s.seriesCells > 0 ? s.packVoltage / s.seriesCells : 0);
        str.set('ModTmpMax', s.cellTMax);
        str.set('ModTmpMaxMod', s.cellTMaxId + 1);
        str.set('ModTmpMin', s.cellTMin);
        str.set('ModTmpMinMod', s.cellTMinId + 1);
        str.set('ModTmpAvg', s.tempAvg);
        str.setRaw('ConSt', closed ? 1 : 0);
        str.setRaw('Evt1', sunspecEvents(s));
        const req = device.logic.closeRequested ? 1 : 2;
        str.set('SetEna', req);
        str.set('SetCon', req);
        const cells = device.measuredCellVoltages();
        const temps = device.measuredTemperatures();
        const pack = device.pack;
        for (let m = 0; m < nModules; m++) {
          const p = `lithium_ion_string_module[${m}].`;
          let vMax = -Infinity;
          let vMin = Infinity;
          let iMax = 0;
          let iMin = 0;
          let vSum = 0;
          let socSum = 0;
          let sohSum = 0;
          for (let k = 0; k < perModule; k++) {
            const i = m * perModule + k;
            const v = cells[i]!;
            vSum += v;
            if (v > vMax) (vMax = v), (iMax = k);
            if (v < vMin) (vMin = v), (iMin = k);
            socSum += pack.soc[i]!;
            sohSum += pack.capFade[i]!;
          }
          str.set(`${p}ModNCell`, perModule);
          str.set(`${p}ModSoC`, (socSum / perModule) * 100);
          str.set(`${p}ModSoH`, (sohSum / perModule) * 100);
          str.set(`${p}ModCellVMax`, vMax);
          str.set(`${p}ModCellVMaxCell`, iMax + 1);
          str.set(`${p}ModCellVMin`, vMin);
          str.set(`${p}ModCellVMinCell`, iMin + 1);
          str.set(`${p}ModCellVAvg`, vSum / perModule);
          const t = temps[m]!;
          str.set(`${p}ModCellTmpMax`, t);
          str.set(`${p}ModCellTmpMin`, t);
          str.set(`${p}ModCellTmpAvg`, t);
          str.set(`${p}ModCellTmpMaxCell`, 1); // one sensor per module
          str.set(`${p}ModCellTmpMinCell`, 1);
        }
      },
    });
    str.handler = writeHandler({ SetEna: inRange(1, 2), SetCon: anyValue }, (writes) => {
      for (const w of writes) device.requestContactors(numeric(w.value) === 1);
    });
    models.push(bank, str);
  }

  const ident: DeviceIdentification = { vendorName: options.manufacturer ?? 'second-life-hil', productCode: `BMS ${prof.id}`, majorMinorRevision: options.version ?? '0.1', productName: 'SunSpec battery emulator' };
  const sunspec = new SunSpecDevice({ base: options.base ?? 40000, models, identification: ident });
  const silent = (): ExceptionCode | undefined => (device.faults.commsLost ? ExceptionCode.GatewayTargetFailedToRespond : undefined);
  const modbus: ModbusDevice = {
    readHoldingRegisters: (a, q) => silent() ?? sunspec.readHoldingRegisters(a, q),
    readInputRegisters: (a, q) => silent() ?? sunspec.readInputRegisters(a, q),
    writeRegisters: (a, v) => silent() ?? sunspec.writeRegisters(a, v),
    identification: () => sunspec.identification(),
  };
  return {
    sunspec,
    modbus,
    modelIds: models.map((m) => m.id),
    get inverterState() {
      return state.inverterState;
    },
  };
}
