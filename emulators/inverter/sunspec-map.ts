/**
 * The inverter as a SunSpec device: models 1, 101/102/103 (by phase configuration), 120, 121, 122, 123,
 * 124 (hybrids: only with a battery port), 160 (one module per PV string), 701, 702 and 704, bound to the model.
 *
 * Reads refresh a model's registers from the inverter state. Writes go to the inverter as commands:
 * - 123: Conn (+ Conn_WinTms/_RvrtTms), WMaxLimPct + WMaxLim_Ena (+ _WinTms, _RvrtTms revert to disabled,
 *   _RmpTms ramp to the new limit), OutPFSet + OutPFSet_Ena (+ _WinTms);
 *   WMaxLimPct is a percentage of WMax (121), not of WRtg.
 * - 121 WMax, WGra; 702 WMax; 704 WMaxLimPctEna/WMaxLimPct/WMaxLimPctRvrtTms with the reversion points
 *   WMaxLimPctRvrt/WMaxLimPctEnaRvrt (on timeout the limit takes them; WMaxLimPctRvrtRem counts down),
 *   PFWInjEna/PFWInj.PF/PFWInj.Ext, WRmp;
 * - 124 (docs/sunspec-fidelity.md): StorCtl_Mod bit 0 puts the InWRte charge LIMIT in force, bit 1 the OutWRte
 *   discharge LIMIT (int16 % of WChaMax, -100..100; negative OutWRte forces charge, negative InWRte forces
 *   discharge); within the limits the inverter does self-consumption, so a discharge hold (2, OutWRte 0) still
 *   lets PV charge. ChaGriSet PV keeps grid power out of the battery; MinRsvPct stops discharge at the reserve;
 *   InOutWRte_RvrtTms (restarted by every 124 write) reverts to automatic; _RmpTms ramps the limits; _WinTms
 *   delays the change. WChaMax is the reference of both rates.
 * Setpoints and enables read back from the inverter's control state, so a command that is ignored or delayed
 * (fault hooks) shows in the readback. Window/revert/ramp times read back as written.
 * Any other point, including RW points of the standard that this device does not implement (they read as
 * not implemented), refuses writes with IllegalDataAddress; an implemented point given a value outside its range
 * answers IllegalDataValue.
 */
import { ExceptionCode } from '../../protocols/modbus/device';
import { SunSpecDevice } from '../../protocols/modbus/sunspec/sunspec-device';
import { SunSpecModel } from '../../protocols/modbus/sunspec/sunspec-model';
import type { PointWrite } from '../../protocols/modbus/sunspec/sunspec-model';
import type { Inverter, InverterCommand } from './inverter';
import { OperatingState } from './inverter';

export interface InverterSunSpecOptions {
  /** Address of `SunS` (default 40000). */
  base?: number;
  /** Seconds since 2000-01-01 UTC at model time 0, for 122 Tms (default 0). */
  epoch2000S?: number;
}

/** What the map exposes besides the device (tests and scenarios look values up by model and point). */
export interface InverterSunSpec {
  readonly device: SunSpecDevice;
  /** Model ids in chain order. */
  readonly modelIds: readonly number[];
}

type Check = (v: number | string | null) => boolean;
const range = (lo: number, hi: number): Check => (v) => typeof v === 'number' && v >= lo && v <= hi;
const any: Check = () => true;

/** Exponent that keeps `max` within an int16 (W, VA, var registers). */
function sfFor(max: number): number {
  let sf = 0;
  while (max / 10 ** sf > 32767) sf++;
  return sf;
}

const num = (v: number | string | null): number => (typeof v === 'number' ? v : 0);

function handler(writable: Record<string, Check>, apply: (writes: readonly PointWrite[], m: SunSpecModel) => void) {
  return {
    validate(writes: readonly PointWrite[]): ExceptionCode | undefined {
      for (const w of writes) {
        const check = writable[w.point.name];
        if (!check) return ExceptionCode.IllegalDataAddress;
        if (!check(w.value)) return ExceptionCode.IllegalDataValue;
      }
      return undefined;
    },
    apply,
  };
}

function written(writes: readonly PointWrite[], name: string): number | undefined {
  const w = writes.find((x) => x.point.name === name);
  return w === undefined ? undefined : num(w.value);
}

export function createInverterSunSpec(inv: Inverter, options: InverterSunSpecOptions = {}): InverterSunSpec {
  const wSf = sfFor(inv.ratedVA * 1.2);
  const nPh = inv.phaseCount;
  const invModelId = nPh === 3 ? 103 : nPh === 2 ? 102 : 101;
  const epoch = options.epoch2000S ?? 0;
  const st = () => inv.state;
  const cmd = (c: InverterCommand, windowS?: number) => inv.command(c, windowS ? { windowS } : {});
  const storageMode = () => (inv.controls.storageCharge ? 1 : 0) | (inv.controls.storageDischarge ? 2 : 0);

  const common = SunSpecModel.load(1, {
    values: { Mn: inv.identity.manufacturer, Md: inv.identity.model, Vr: inv.identity.version, SN: inv.identity.serial, Opt: null, DA: 1 },
  });
  common.handler = handler({}, () => undefined);

  // 101/102/103: inverter measurements.
  const acSfs = { A_SF: -2, V_SF: -1, W_SF: wSf, Hz_SF: -2, VA_SF: wSf, VAr_SF: wSf, PF_SF: -1, WH_SF: 0, DCA_SF: -2, DCV_SF: -1, DCW_SF: wSf, Tmp_SF: -1 };
  const acm: SunSpecModel = SunSpecModel.load(invModelId, {
    scaleFactors: acSfs,
    onRead: () => {
      const s = st();
      const v = s.gridV;
      const perPhaseA = v > 0 ? s.acVA / (nPh * v) : 0;
      acm.set('A', perPhaseA * nPh);
      acm.set('AphA', perPhaseA);
      acm.set('PhVphA', v);
      if (nPh >= 2) {
        acm.set('AphB', perPhaseA);
        acm.set('PhVphB', v);
        acm.set('PPVphAB', nPh === 3 ? v * Math.sqrt(3) : 2 * v);
      }
      if (nPh === 3) {
        acm.set('AphC', perPhaseA);
        acm.set('PhVphC', v);
        acm.set('PPVphBC', v * Math.sqrt(3));
        acm.set('PPVphCA', v * Math.sqrt(3));
      }
      acm.set('W', s.acW);
      acm.set('Hz', s.gridHz);
      acm.set('VA', s.acVA);
      acm.set('VAr', s.acVar);
      acm.set('PF', s.pf * 100);
      acm.set('WH', Math.floor(s.whExported));
      acm.set('DCA', s.dcA);
      acm.set('DCV', s.dcV);
      acm.set('DCW', s.dcW);
      acm.set('TmpCab', s.cabinetC);
      acm.set('TmpSnk', s.heatsinkC);
      acm.set('St', s.state);
      acm.set('Evt1', s.events);
      acm.set('Evt2', 0);
      acm.set('EvtVnd1', s.vendorEvents);
    },
  });
  acm.handler = handler({}, () => undefined);

  // 120: nameplate.
  const bat = inv.battery;
  const nameplate = SunSpecModel.load(120, {
    scaleFactors: { WRtg_SF: wSf, VARtg_SF: wSf, VArRtg_SF: wSf, ARtg_SF: -1, PFRtg_SF: -2, ...(bat ? { WHRtg_SF: 1, AhrRtg_SF: 0, MaxChaRte_SF: wSf, MaxDisChaRte_SF: wSf } : {}) },
  });
  const qRtg = Math.sqrt(inv.ratedVA ** 2 - (0.8 * inv.ratedVA) ** 2);
  nameplate.set('DERTyp', bat ? 82 : 4);
  nameplate.set('WRtg', inv.ratedW);
  nameplate.set('VARtg', inv.ratedVA);
  nameplate.set('VArRtgQ1', qRtg);
  nameplate.set('VArRtgQ2', qRtg);
  nameplate.set('VArRtgQ3', -qRtg);
  nameplate.set('VArRtgQ4', -qRtg);
  nameplate.set('ARtg', inv.ratedVA / (nPh * inv.nominalV));
  nameplate.set('PFRtgQ1', 0.8);
  nameplate.set('PFRtgQ2', 0.8);
  nameplate.set('PFRtgQ3', -0.8);
  nameplate.set('PFRtgQ4', -0.8);
  if (bat) {
    const ah = bat.capacityAh?.();
    if (ah !== undefined) {
      nameplate.set('AhrRtg', ah);
      nameplate.set('WHRtg', ah * bat.voltage());
    }
    nameplate.set('MaxChaRte', inv.batteryMaxW);
    nameplate.set('MaxDisChaRte', inv.batteryMaxW);
  }
  nameplate.handler = handler({}, () => undefined);

  // 121: basic settings.
  const settings: SunSpecModel = SunSpecModel.load(121, {
    scaleFactors: { WMax_SF: wSf, VRef_SF: -1, VRefOfs_SF: -1, VMinMax_SF: -1, VAMax_SF: wSf, VArMax_SF: wSf, WGra_SF: -1, PFMin_SF: -2, ECPNomHz_SF: -2 },
    values: { VRef: inv.nominalV, VRefOfs: 0, VMax: inv.nominalV * 1.1, VMin: inv.nominalV * 0.88, VAMax: inv.ratedVA, ECPNomHz: inv.nominalHz },
    onRead: () => {
      settings.set('WMax', inv.controls.wMax);
      settings.set('WGra', inv.controls.rampPctPerS);
    },
  });
  settings.handler = handler({ WMax: range(0, inv.ratedW), WGra: range(0.1, 1000) }, (writes) => {
    const w = written(writes, 'WMax');
    if (w !== undefined) cmd({ kind: 'max-power', watts: w });
    const g = written(writes, 'WGra');
    if (g !== undefined) cmd({ kind: 'ramp-rate', pctPerS: g });
  });

  // 122: status.
  const status: SunSpecModel = SunSpecModel.load(122, {
    scaleFactors: { WAval_SF: wSf, VArAval_SF: wSf },
    values: { TmSrc: 'RTC' },
    onRead: () => {
      const s = st();
      const running = s.state === OperatingState.Mppt || s.state === OperatingState.Throttled;
      status.set('PVConn', (s.connected ? 1 : 0) | (s.irradiance > 0 ? 2 : 0) | (running && s.dcW > 0 ? 4 : 0));
      status.set('StorConn', bat ? (bat.contactorClosed() ? 1 | 2 : 2) | (Math.abs(s.batteryA) > 0.05 ? 4 : 0) : 0);
      status.set('ECPConn', s.connected ? 1 : 0);
      status.setRaw('ActWh', BigInt(Math.floor(s.whExported)));
      status.setRaw('ActVArhQ1', BigInt(Math.floor(s.varhInjected)));
      status.setRaw('ActVArhQ4', BigInt(Math.floor(s.varhAbsorbed)));
      status.set('WAval', Math.min(s.pvAvailableW, inv.ratedW));
      status.set('VArAval', Math.sqrt(Math.max(0, inv.ratedVA ** 2 - s.acW ** 2)));
      status.set('StSetLimMsk', inv.controls.wMax < inv.ratedW ? 1 : 0);
      status.set('StActCtl', (inv.controls.limitEnabled ? 1 : 0) | (inv.controls.pfEnabled ? 4 : 0));
      status.set('Tms', epoch + Math.floor(s.t));
    },
  });
  status.handler = handler({}, () => undefined);

  // 123: immediate controls.
  const controls: SunSpecModel = SunSpecModel.load(123, {
    scaleFactors: { WMaxLimPct_SF: -2, OutPFSet_SF: -3 },
    values: { Conn_WinTms: 0, Conn_RvrtTms: 0, WMaxLimPct_WinTms: 0, WMaxLimPct_RvrtTms: 0, WMaxLimPct_RmpTms: 0, OutPFSet_WinTms: 0 },
    onRead: () => {
      const c = inv.controls;
      controls.set('Conn', c.connect ? 1 : 0);
      controls.set('WMaxLimPct', c.limitPct);
      controls.set('WMaxLim_Ena', c.limitEnabled ? 1 : 0);
      controls.set('OutPFSet', c.pf * (c.pfExcitation === 'over' ? 1 : -1));
      controls.set('OutPFSet_Ena', c.pfEnabled ? 1 : 0);
    },
  });
  const pfOk: Check = (v) => typeof v === 'number' && Math.abs(v) >= 0.8 && Math.abs(v) <= 1;
  controls.handler = handler(
    {
      Conn: any,
      Conn_WinTms: any,
      Conn_RvrtTms: any,
      WMaxLimPct: range(0, 100),
      WMaxLimPct_WinTms: any,
      WMaxLimPct_RvrtTms: any,
      WMaxLimPct_RmpTms: any,
      WMaxLim_Ena: any,
      OutPFSet: pfOk,
      OutPFSet_WinTms: any,
      OutPFSet_Ena: any,
    },
    (writes, m) => {
      const conn = written(writes, 'Conn');
      if (conn !== undefined) cmd({ kind: 'connect', connect: conn === 1, revertS: num(m.get('Conn_RvrtTms')) }, num(m.get('Conn_WinTms')));
      const pct = written(writes, 'WMaxLimPct');
      const ena = written(writes, 'WMaxLim_Ena');
      if (pct !== undefined || ena !== undefined) {
        cmd(
          {
            kind: 'limit',
            enabled: ena !== undefined ? ena === 1 : inv.controls.limitEnabled,
            ...(pct !== undefined ? { pct } : {}),
            rampS: num(m.get('WMaxLimPct_RmpTms')),
            revertS: num(m.get('WMaxLimPct_RvrtTms')),
          },
          num(m.get('WMaxLimPct_WinTms')),
        );
      }
      const pf = written(writes, 'OutPFSet');
      const pfEna = written(writes, 'OutPFSet_Ena');
      if (pf !== undefined || pfEna !== undefined) {
        cmd(
          {
            kind: 'power-factor',
            enabled: pfEna !== undefined ? pfEna === 1 : inv.controls.pfEnabled,
            ...(pf !== undefined ? { pf: Math.abs(pf), excitation: pf < 0 ? 'under' : 'over' } : {}),
          },
          num(m.get('OutPFSet_WinTms')),
        );
      }
    },
  );

  const models: SunSpecModel[] = [common, acm, nameplate, settings, status, controls];

  // 124: storage (hybrids).
  if (bat) {
    const storage: SunSpecModel = SunSpecModel.load(124, {
      scaleFactors: { WChaMax_SF: wSf, WChaDisChaGra_SF: 0, MinRsvPct_SF: -2, ChaState_SF: -1, StorAval_SF: -1, InBatV_SF: -1, InOutWRte_SF: -2 },
      values: { WChaGra: 100, WDisChaGra: 100, InOutWRte_WinTms: 0, InOutWRte_RvrtTms: 0, InOutWRte_RmpTms: 0 },
      onRead: () => {
        const s = st();
        const c = inv.controls;
        storage.set('WChaMax', c.chargeMaxW);
        storage.set('StorCtl_Mod', storageMode());
        storage.set('InWRte', c.chargePct);
        storage.set('OutWRte', c.dischargePct);
        storage.set('ChaGriSet', c.gridCharging ? 1 : 0);
        storage.set('MinRsvPct', c.minReservePct);
        const soc = s.batterySoc ?? bat.soc?.();
        storage.set('ChaState', soc ?? null);
        const ah = bat.capacityAh?.();
        storage.set('StorAval', soc !== undefined && ah !== undefined ? (ah * Math.max(0, soc - c.minReservePct)) / 100 : null);
        storage.set('InBatV', bat.contactorClosed() ? bat.voltage() : 0);
        let chaSt = 6;
        if (!bat.contactorClosed()) chaSt = 1;
        else if (s.batteryA > 0.05) chaSt = 4;
        else if (s.batteryA < -0.05) chaSt = 3;
        else if (soc !== undefined && soc >= 99.5) chaSt = 5;
        else if (soc !== undefined && soc <= 0.5) chaSt = 2;
        storage.set('ChaSt', chaSt);
      },
    });
    storage.handler = handler(
      {
        WChaMax: range(0, inv.batteryMaxW),
        WChaGra: any,
        WDisChaGra: any,
        StorCtl_Mod: (v) => typeof v === 'number' && (v & ~3) === 0,
        MinRsvPct: range(0, 100),
        InWRte: range(-100, 100),
        OutWRte: range(-100, 100),
        InOutWRte_WinTms: any,
        InOutWRte_RvrtTms: any,
        InOutWRte_RmpTms: any,
        ChaGriSet: (v) => v === 0 || v === 1,
      },
      (writes, m) => {
        const mode = written(writes, 'StorCtl_Mod');
        const opt = (point: string, key: 'chargePct' | 'dischargePct' | 'chargeMaxW' | 'minReservePct') => {
          const v = written(writes, point);
          return v !== undefined ? { [key]: v } : {};
        };
        const gri = written(writes, 'ChaGriSet');
        // Every 124 write restarts the revert timer (the keep-alive public controllers rely on).
        cmd(
          {
            kind: 'storage',
            ...(mode !== undefined ? { charge: (mode & 1) !== 0, discharge: (mode & 2) !== 0 } : {}),
            ...opt('InWRte', 'chargePct'),
            ...opt('OutWRte', 'dischargePct'),
            ...opt('WChaMax', 'chargeMaxW'),
            ...opt('MinRsvPct', 'minReservePct'),
            ...(gri !== undefined ? { gridCharging: gri === 1 } : {}),
            revertS: num(m.get('InOutWRte_RvrtTms')),
            rampS: num(m.get('InOutWRte_RmpTms')),
          },
          num(m.get('InOutWRte_WinTms')),
        );
      },
    );
    models.push(storage);
  }

  // 160: one MPPT module per PV string.
  const mppt: SunSpecModel = SunSpecModel.load(160, {
    groupCounts: { module: inv.strings.length },
    scaleFactors: { DCA_SF: -2, DCV_SF: -1, DCW_SF: 0, DCWH_SF: 0 },
    onRead: () => {
      const s = st();
      mppt.set('Evt', 0);
      s.strings.forEach((x, i) => {
        const p = `module[${i}].`;
        mppt.set(`${p}DCA`, x.amps);
        mppt.set(`${p}DCV`, x.volts);
        mppt.set(`${p}DCW`, x.watts);
        mppt.set(`${p}DCWH`, Math.floor(x.whTotal));
        mppt.set(`${p}Tms`, epoch + Math.floor(s.t));
        mppt.set(`${p}Tmp`, Math.round(s.moduleC));
        mppt.set(`${p}DCSt`, s.state === OperatingState.Throttled || s.state === OperatingState.Mppt ? (x.watts > 0 ? s.state : OperatingState.Standby) : s.state);
        mppt.set(`${p}DCEvt`, 0);
      });
    },
  });
  inv.strings.forEach((_, i) => {
    mppt.set(`module[${i}].ID`, i + 1);
    mppt.set(`module[${i}].IDStr`, `PV${i + 1}`);
  });
  mppt.handler = handler({}, () => undefined);
  models.push(mppt);

  // 701: DER AC measurements.
  const der: SunSpecModel = SunSpecModel.load(701, {
    scaleFactors: { A_SF: -2, V_SF: -1, Hz_SF: -3, W_SF: wSf, PF_SF: -3, VA_SF: wSf, Var_SF: wSf, TotWh_SF: 0, TotVarh_SF: 0, Tmp_SF: -1 },
    values: { ACType: nPh === 3 ? 2 : nPh === 2 ? 1 : 0, MnAlrmInfo: null },
    onRead: () => {
      const s = st();
      const v = s.gridV;
      const perPhaseA = v > 0 ? s.acVA / (nPh * v) : 0;
      der.set('St', s.connected ? 1 : 0);
      der.set('InvSt', s.state - 1);
      der.set('ConnSt', s.connected ? 1 : 0);
      der.set('Alrm', s.events);
      der.set('DERMode', 1 | (s.state === OperatingState.Throttled ? 4 : 0));
      der.set('W', s.acW);
      der.set('VA', s.acVA);
      der.set('Var', s.acVar);
      der.set('PF', s.pf);
      der.set('A', perPhaseA * nPh);
      der.set('LNV', v);
      der.set('LLV', nPh === 3 ? v * Math.sqrt(3) : nPh === 2 ? 2 * v : null);
      der.set('Hz', s.gridHz);
      der.setRaw('TotWhInj', BigInt(Math.floor(s.whExported)));
      der.setRaw('TotWhAbs', BigInt(Math.floor(s.whImported)));
      der.setRaw('TotVarhInj', BigInt(Math.floor(s.varhInjected)));
      der.setRaw('TotVarhAbs', BigInt(Math.floor(s.varhAbsorbed)));
      der.set('TmpCab', s.cabinetC);
      der.set('TmpSnk', s.heatsinkC);
      for (let ph = 1; ph <= nPh; ph++) {
        der.set(`WL${ph}`, s.acW / nPh);
        der.set(`VAL${ph}`, s.acVA / nPh);
        der.set(`VarL${ph}`, s.acVar / nPh);
        der.set(`PFL${ph}`, s.pf);
        der.set(`AL${ph}`, perPhaseA);
        der.set(`VL${ph}`, v);
      }
      der.set('ThrotPct', s.state === OperatingState.Throttled ? Math.round((100 * s.limitW) / inv.ratedW) : 0);
      der.set('ThrotSrc', s.throttleSources);
    },
  });
  der.handler = handler({}, () => undefined);
  models.push(der);

  // 702: DER capacity (ratings and the WMax setting).
  const cap: SunSpecModel = SunSpecModel.load(702, {
    scaleFactors: { W_SF: wSf, PF_SF: -2, VA_SF: wSf, Var_SF: wSf, V_SF: -1, A_SF: -1 },
    values: {
      WMaxRtg: inv.ratedW,
      VAMaxRtg: inv.ratedVA,
      VarMaxInjRtg: qRtg,
      VarMaxAbsRtg: qRtg,
      VNomRtg: inv.nominalV,
      VMaxRtg: inv.nominalV * 1.1,
      VMinRtg: inv.nominalV * 0.88,
      AMaxRtg: inv.ratedVA / (nPh * inv.nominalV),
      PFOvrExtRtg: 0.8,
      PFUndExtRtg: 0.8,
      NorOpCatRtg: 1,
      AbnOpCatRtg: 1,
      CtrlModes: (1 << 0) | (1 << 3) | (1 << 7) | (1 << 8) | (1 << 12) | (1 << 13),
      IntIslandCatRtg: 1,
      VAMax: inv.ratedVA,
      VNom: inv.nominalV,
      ...(bat ? { WChaRteMaxRtg: inv.batteryMaxW, WDisChaRteMaxRtg: inv.batteryMaxW } : {}),
    },
    onRead: () => cap.set('WMax', inv.controls.wMax),
  });
  cap.handler = handler({ WMax: range(0, inv.ratedW) }, (writes) => {
    const w = written(writes, 'WMax');
    if (w !== undefined) cmd({ kind: 'max-power', watts: w });
  });
  models.push(cap);

  // 704: DER AC controls (the subset this device implements).
  const ctl: SunSpecModel = SunSpecModel.load(704, {
    scaleFactors: { PF_SF: -3, WMaxLimPct_SF: -2 },
    values: { WMaxLimPctRvrtTms: 0, AntiIslEna: 1 },
    onRead: () => {
      const c = inv.controls;
      const s = st();
      ctl.set('WMaxLimPctEna', c.limitEnabled ? 1 : 0);
      ctl.set('WMaxLimPct', c.limitPct);
      ctl.set('WMaxLimPctRvrt', c.limitReversionPct);
      ctl.set('WMaxLimPctEnaRvrt', c.limitReversionEnabled ? 1 : 0);
      ctl.set('WMaxLimPctRvrtRem', Math.ceil(s.limitRevertRemainingS - 1e-6));
      ctl.set('PFWInjEna', c.pfEnabled ? 1 : 0);
      ctl.set('PFWInj.PF', c.pf);
      ctl.set('PFWInj.Ext', c.pfExcitation === 'over' ? 0 : 1);
      ctl.set('WRmp', Math.round(c.rampPctPerS));
    },
  });
  ctl.handler = handler(
    {
      WMaxLimPctEna: any,
      WMaxLimPct: range(0, 100),
      WMaxLimPctRvrtTms: any,
      WMaxLimPctRvrt: range(0, 100),
      WMaxLimPctEnaRvrt: (v) => v === 0 || v === 1,
      PFWInjEna: any,
      'PFWInj.PF': range(0.8, 1),
      'PFWInj.Ext': any,
      WRmp: range(1, 65534),
      AntiIslEna: (v) => v === 1,
    },
    (writes, m) => {
      const rvPct = written(writes, 'WMaxLimPctRvrt');
      const rvEna = written(writes, 'WMaxLimPctEnaRvrt');
      if (rvPct !== undefined || rvEna !== undefined) {
        cmd({ kind: 'limit-reversion', ...(rvPct !== undefined ? { pct: rvPct } : {}), ...(rvEna !== undefined ? { enabled: rvEna === 1 } : {}) });
      }
      const ena = written(writes, 'WMaxLimPctEna');
      const pct = written(writes, 'WMaxLimPct');
      const tms = written(writes, 'WMaxLimPctRvrtTms');
      if (ena !== undefined || pct !== undefined || tms !== undefined) {
        const c = inv.controls;
        cmd({
          kind: 'limit',
          enabled: ena !== undefined ? ena === 1 : c.limitEnabled,
          ...(pct !== undefined ? { pct } : {}),
          rampS: 0,
          revertS: num(m.get('WMaxLimPctRvrtTms')),
          revertTo: 'reversion-points',
        });
      }
      const pfEna = written(writes, 'PFWInjEna');
      const pf = written(writes, 'PFWInj.PF');
      const ext = written(writes, 'PFWInj.Ext');
      if (pfEna !== undefined || pf !== undefined || ext !== undefined) {
        cmd({
          kind: 'power-factor',
          enabled: pfEna !== undefined ? pfEna === 1 : inv.controls.pfEnabled,
          ...(pf !== undefined ? { pf } : {}),
          ...(ext !== undefined ? { excitation: ext === 1 ? 'under' : 'over' } : {}),
        });
      }
      const rmp = written(writes, 'WRmp');
      if (rmp !== undefined) cmd({ kind: 'ramp-rate', pctPerS: rmp });
    },
  );
  models.push(ctl);

  const device = new SunSpecDevice({
    base: options.base ?? 40000,
    models,
    identification: { vendorName: inv.identity.manufacturer, productCode: inv.identity.model, majorMinorRevision: inv.identity.version, productName: 'SunSpec inverter emulator' },
  });
  return { device, modelIds: models.map((m) => m.id) };
}
