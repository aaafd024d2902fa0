/**
 * A BMW i3 SME (battery management) on its CAN: what a second-life controller such as Battery-Emulator faces. It
 * broadcasts its frames (./i3-frames.ts), closes its contactors only on the vehicle's 0x10B command, sleeps without
 * the VCU's 0x12F, and answers UDS over ISO-TP with extended addressing (DIDs and the per-cell routine).
 */
import type { CanBus } from '../../../../protocols/can/bus';
import type { IsoTpLink, IsoTpStats } from '../../../../protocols/can/isotp';
import { NRC, SID, negative, positive, type UdsServer, type UdsServerStats } from '../../../../protocols/can/uds';
import type { BmsDevice } from '../../device/bms-device';
import { BmsFlag } from '../../logic/flags';
import type { CanProfileAttachment } from '../can-link';
import { handleClearDtcs, openNativeUds } from '../native-common/native-diag';
import { NativePack, type NativeAttachOptions } from '../native-common/native-pack';
import { VehicleWatch } from '../native-common/ticker';
import { i3Crc } from './i3-crc';
import { I3_ID, I3_ST, I3FrameEncoder, type I3Status } from './i3-frames';
import { I3_DTC_ACTIVE, I3_DTC_AVAILABILITY, i3ActiveDtcs } from './i3-dtcs';

export interface AttachBmwI3Options extends NativeAttachOptions {
  /** Without a valid 0x10B for this long the SME opens its contactors, ms (default 500; assumed: no public source gives it). */
  contactorTimeoutMs?: number;
  /** Without the VCU's 0x12F for this long the SME sleeps (silent until the next one), ms (default 10000, assumed). */
  sleepAfterMs?: number;
}

export interface BmwI3Attachment extends CanProfileAttachment {
  readonly awake: boolean;
  /** True from a 0x10B timeout until the next valid close command. */
  readonly vehicleLost: boolean;
  /** 0x10B / 0x12F frames refused for a wrong CRC. */
  readonly crcErrors: number;
  readonly diag: { readonly isotp: ReadonlyArray<Readonly<IsoTpStats>>; readonly uds: ReadonlyArray<Readonly<UdsServerStats>> };
}

/** The SME's diagnostic address and its testers' [BE BMW_6F1_* data[0] 0x07; responses 0x607 data[0] F1 / F4]. */
const SME_ADDRESS = 0x07;
const TICK_MS = 10;
/** The per-cell routine [BE BMW_6F4_CELL_VOLTAGE_CELLNO 31 01 AD 6E nn, BMW_6F4_CELL_CONTINUE 31 03 AD 6E]. */
const CELL_ROUTINE = [0xad, 0x6e] as const;

/**
 * Contract:
 * - Awake from attach: every 10 ms 0x112; 0x2BD / 0x2F5 every 100 ms; 0x239 / 0x431 / 0x432 every 200 ms; 0x1FA /
 *   0x40D every second; each encoded from the snapshot of that moment. Contactors open until the vehicle asks.
 * - 0x10B (3 bytes, CRC init 0x3F in byte 0): high nibble of byte 1 = 1 closes the contactors, 0 opens them
 *   [BE BMW_10B 0x10 close / 0x00 open]; it is the keep-alive of the contactors: none for `contactorTimeoutMs` opens
 *   them. 0x12F (8 bytes, CRC init 0x60) keeps the SME awake; none for `sleepAfterMs`: asleep (no frames, no
 *   answers) until the next. A wrong CRC or length is counted and ignored.
 * - UDS on 0x6F1 and 0x6F4 (address byte 07) -> 0x607 (address byte F1 / F4), unpadded frames: 22 DDBF (min/max cell
 *   mV), DDBC (display SOC, max, min, 0.1 %), 6335 (SOH u32 %), DD68 (voltage 0.01 V), DD69 (current s32 0.01 A),
 *   DDC0 (min/max/mean core temperature s16 0.01 degC) [OVMS]; 31 01 AD 6E nn starts the reading of cell nn
 *   (1..96), 31 03 AD 6E returns it as u16 mV [BE]; 14 FF FF FF clears latched faults; `19 02 mask`
 *   reports the active faults with the two public codes (./i3-dtcs.ts); others 7F.
 * - A 'comms-loss' fault silences everything (counted). `detach()` stops it all; idempotent; the bus stays open.
 */
export function attachBmwI3(device: BmsDevice, bus: CanBus, options: AttachBmwI3Options = {}): BmwI3Attachment {
  const pack = new NativePack(device, bus, options, {
    tickMs: TICK_MS,
    wake: { keepAliveMs: Infinity, sleepMs: options.sleepAfterMs ?? 10000 },
  });
  const { clock, wake, send } = pack;
  const enc = new I3FrameEncoder();
  const nominalVoltage = ((device.profile.bms.chargeVoltagePerCell + device.profile.bms.dischargeVoltagePerCell) / 2) * device.profile.topology.series;
  let crcErrors = 0;
  let closeWanted = false;
  const contactorWatch = new VehicleWatch(clock, {
    keepAliveMs: options.contactorTimeoutMs ?? 500,
    sleepMs: Infinity,
    onLost: () => device.requestContactors(false),
  });
  device.requestContactors(false);

  const status = (): I3Status => {
    const s = device.snapshot();
    const c = s.contactor;
    const ins = device.profile.bms.insulation;
    return {
      contactor: c === 'closed' || c === 'welded' ? 2 : c === 'precharge' ? 1 : 0,
      weld: s.latched & BmsFlag.ContactorFault && c === 'welded' ? 1 : 0,
      isolationExternal: I3_ST.ok,
      isolationInternal: s.alarms & BmsFlag.Insulation ? I3_ST.error : I3_ST.ok,
      isolationWarning: s.insulationKOhm < ins.warnKOhm ? I3_ST.error : I3_ST.ok,
      interlock: s.alarms & BmsFlag.InternalFault ? I3_ST.error : I3_ST.ok,
      requestOpen: s.latched !== 0 || (s.alarms & (BmsFlag.Insulation | BmsFlag.InternalFault)) !== 0 ? 1 : 0,
      nominalVoltage,
    };
  };

  // Diagnostics: one link per tester address.
  let cellAsked = 0;
  const handlers = (uds: UdsServer): void => {
    uds.handle(SID.ReadDataByIdentifier, (req) => {
      if (req.length !== 3) return negative(SID.ReadDataByIdentifier, NRC.incorrectMessageLengthOrInvalidFormat);
      const did = (req[1]! << 8) | req[2]!;
      const s = device.snapshot();
      const out: number[] = [];
      const u16 = (v: number): void => {
        const r = Math.min(0xffff, Math.max(0, Math.round(v)));
        out.push(r >> 8, r & 0xff);
      };
      const s16 = (v: number): void => u16(Math.max(-0x8000, Math.min(0x7fff, Math.round(v))) & 0xffff);
      const s32 = (v: number): void => {
        const r = Math.max(-0x80000000, Math.min(0x7fffffff, Math.round(v))) >>> 0;
        out.push(r >>> 24, (r >> 16) & 0xff, (r >> 8) & 0xff, r & 0xff);
      };
      switch (did) {
        case 0xddbf:
          u16(s.cellVMin * 1000);
          u16(s.cellVMax * 1000);
          break;
        case 0xddbc:
          u16(s.soc * 1000);
          u16(1000);
          u16(0);
          break;
        case 0x6335:
          s32(s.soh * 100);
          break;
        case 0xdd68:
          u16(s.packVoltage * 100);
          break;
        case 0xdd69:
          s32(s.current * 100);
          break;
        case 0xddc0:
          s16(s.cellTMin * 100);
          s16(s.cellTMax * 100);
          s16(s.tempAvg * 100);
          break;
        default:
          return negative(SID.ReadDataByIdentifier, NRC.requestOutOfRange);
      }
      return positive(SID.ReadDataByIdentifier, [req[1]!, req[2]!], out);
    });
    uds.handle(SID.RoutineControl, (req) => {
      if (req.length < 4 || req[2] !== CELL_ROUTINE[0] || req[3] !== CELL_ROUTINE[1]) return negative(SID.RoutineControl, NRC.requestOutOfRange);
      if (req[1] === 0x01) {
        const n = req[4] ?? 0;
        if (req.length !== 5 || n < 1 || n > device.profile.topology.series) return negative(SID.RoutineControl, NRC.requestOutOfRange);
        cellAsked = n;
        return positive(SID.RoutineControl, [0x01, ...CELL_ROUTINE]);
      }
      if (req[1] === 0x03) {
        if (cellAsked === 0) return negative(SID.RoutineControl, NRC.conditionsNotCorrect);
        const mv = Math.round((device.measuredCellVoltages()[cellAsked - 1] ?? 0) * 1000);
        return positive(SID.RoutineControl, [0x03, ...CELL_ROUTINE, mv >> 8, mv & 0xff]);
      }
      return negative(SID.RoutineControl, NRC.subFunctionNotSupported);
    });
    handleClearDtcs(uds, pack);
    uds.handle(SID.ReadDtcInformation, (req) => {
      if (req.length !== 3) return negative(SID.ReadDtcInformation, NRC.incorrectMessageLengthOrInvalidFormat);
      if (req[1] !== 0x02) return negative(SID.ReadDtcInformation, NRC.subFunctionNotSupported);
      const out: number[] = [];
      if (I3_DTC_ACTIVE & req[2]!) for (const code of i3ActiveDtcs(device.snapshot())) out.push(code >> 16, (code >> 8) & 0xff, code & 0xff, I3_DTC_ACTIVE);
      return positive(SID.ReadDtcInformation, [0x02, I3_DTC_AVAILABILITY], out);
    });
  };
  const links: IsoTpLink[] = [];
  const servers: UdsServer[] = [];
  for (const [rxId, tester] of [
    [I3_ID.diagF1, 0xf1],
    [I3_ID.diagF4, 0xf4],
  ] as const) {
    const { link, uds } = openNativeUds(pack, { txId: I3_ID.diagResponse, rxId, txAddress: tester, rxAddress: SME_ADDRESS, padding: null });
    handlers(uds);
    links.push(link);
    servers.push(uds);
  }

  pack.start({
    check: () => {
      contactorWatch.check();
      wake.check();
    },
    broadcast: (tick) => {
      const s = device.snapshot();
      const x = status();
      send(enc.status112(s, x));
      if (tick % 10 === 0) {
        send(enc.diag2BD());
        send(enc.limits2F5(s));
      }
      if (tick % 20 === 0) {
        send(enc.energy239(s, x));
        send(enc.content431(s, x));
        send(enc.soc432(s));
      }
      if (tick % 100 === 0) {
        send(enc.status1FA(s, x));
        send(enc.power40D(s));
      }
    },
    onFrame: (f) => {
      if (f.id !== I3_ID.vcu10B && f.id !== I3_ID.vcu12F) return;
      const [len, init] = f.id === I3_ID.vcu10B ? [3, 0x3f] : [8, 0x60];
      if (!pack.wellFormed(f, len)) return;
      if (i3Crc(f.data, init) !== f.data[0]) {
        crcErrors++;
        pack.stats.malformedIgnored++;
        return;
      }
      if (device.faults.commsLost) return;
      if (f.id === I3_ID.vcu12F) {
        pack.keepAlive();
        return;
      }
      pack.stats.heartbeats++; // the contactor command is a sign of life too, not a wake-up
      if (!wake.awake) return; // asleep: the contactor command needs the VCU's wake-up first
      const close = f.data[1]! >> 4 === 1;
      const restored = contactorWatch.heard();
      if (close !== closeWanted || (restored && close)) {
        closeWanted = close;
        device.requestContactors(close);
      }
    },
  });

  return {
    ...pack.attachment('bmw-i3'),
    get awake() {
      return wake.awake;
    },
    get vehicleLost() {
      return contactorWatch.lost;
    },
    get crcErrors() {
      return crcErrors;
    },
    diag: { isotp: links.map((l) => l.stats), uds: servers.map((u) => u.stats) },
  };
}
