/**
 * A Nissan Leaf battery (LBC) on EV-CAN: what a second-life controller such as Battery-Emulator faces. It
 * broadcasts its frames (./leaf-frames.ts), needs the vehicle (VCM) frames to keep its relays permitted, answers
 * the diagnostic group polls over ISO-TP (./leaf-groups.ts) and reports DTCs over UDS 0x19.
 */
import type { CanBus } from '../../../../protocols/can/bus';
import { makeFrame } from '../../../../protocols/can/frame';
import type { IsoTpStats } from '../../../../protocols/can/isotp';
import { NRC, SID, negative, positive, type UdsServerStats } from '../../../../protocols/can/uds';
import type { BmsDevice } from '../../device/bms-device';
import { BmsFlag } from '../../logic/flags';
import type { CanProfileAttachment } from '../can-link';
import { handleClearDtcs, openNativeUds } from '../native-common/native-diag';
import { NativePack, type NativeAttachOptions } from '../native-common/native-pack';
import { LEAF_ID, LeafFrameEncoder, type LeafFrameInputs } from './leaf-frames';
import { group01, group02, group04, group06, type LeafGroupInputs } from './leaf-groups';
import { leafStatus } from './leaf-status';
import { LEAF_VARIANTS, type LeafGeneration } from './variants';

export interface AttachNissanLeafOptions extends NativeAttachOptions {
  /** Battery generation (default 'aze0'). */
  generation?: LeafGeneration;
  /**
   * Vehicle frames (0x1F2, or 0x50B with the wake-up command) must come this often for the LBC to keep its relays
   * permitted, ms. Default 2000: the LBC logs P30E0 / U1000 after "no CAN communication signal ... from VCM
   * continuously for 2 seconds or more" [BE web_data/dtc/nissan_leaf_dtc.json @ 62532e94].
   */
  keepAliveTimeoutMs?: number;
  /** After this long without the vehicle the LBC goes to sleep: silent on the bus until a vehicle frame, ms (default 10000, assumed). */
  sleepAfterMs?: number;
  /**
   * How long the LBC waits for the tester's flow control during a multi-frame answer (N_Bs), ms. Default 15: "30 01
   * 00 ff ff ff ff ff is command to send next line (must be sent within 15ms of last 7bb recieved)"
   * [LCM-XLSX canmsgs.xlsx @ d8ac19d9].
   */
  diagFlowControlTimeoutMs?: number;
}

/** A UDS DTC (3 bytes, SAE J2012: P = 00, U = 11) of a Leaf LBC [BE web_data/dtc/nissan_leaf_dtc.json]. */
export const LEAF_DTC = {
  /** P0A0D HV system interlock error. */
  interlock: 0x0a0d00,
  /** P0A1F battery energy control module (CPU self-diagnosis). */
  internal: 0x0a1f00,
  /** P30E0 no CAN communication from the VCM for 2 s or more. */
  vcmSilent: 0x30e000,
  /** P33E0 isolation monitoring signal too low ⚠ the nearest code listed for a low isolation resistance. */
  isolation: 0x33e000,
} as const;

/**
 * Status availability mask and status byte of a stored DTC as a real LBC answers them: `59 02 4E` and 0x4E per
 * code (testFailedThisOperationCycle | pendingDTC | confirmedDTC | testNotCompletedThisOperationCycle)
 * [BE test/battery/NissanLeafTest.cpp @ 62532e94, "Real LBC capture holding four codes"].
 */
const DTC_AVAILABILITY = 0x4e;
const DTC_ACTIVE = 0x4e;

export interface NissanLeafAttachment extends CanProfileAttachment {
  readonly generation: LeafGeneration;
  /** False while asleep (silent until a vehicle frame). */
  readonly awake: boolean;
  /** True from a keep-alive timeout until the vehicle is back. */
  readonly vehicleLost: boolean;
  readonly diag: { readonly isotp: Readonly<IsoTpStats>; readonly uds: Readonly<UdsServerStats> };
}

const TICK_MS = 10;

/**
 * Attach a Leaf LBC profile of `device` to `bus`.
 *
 * Contract:
 * - Awake from attach: every 10 ms tick sends 0x1DB and 0x1DC, and at their periods 0x55B, 0x5BC, 0x5C0 (and 0x59E
 *   for AZE0/ZE1; on a ZE1 also 0x380, 0x5EB, 0x5BF, 0x1ED, 0x1C2 every 100 ms, 8 zero bytes: layout not public),
 *   each encoded from the snapshot of that moment. Relays are not permitted until the vehicle is
 *   heard: `device.requestContactors(false)` at attach.
 * - A vehicle frame (0x1F2 of 8 bytes, or 0x50B of 7 bytes whose HCM_WakeUpSleepCmd, byte 3 bits 6-7, is 3)
 *   is a keep-alive: `device.heartbeat()`, relays requested closed, and the LBC wakes if asleep. Other lengths are
 *   counted as malformed.
 * - No keep-alive for `keepAliveTimeoutMs`: relays requested open, MainRelayOn drops, DTC P30E0 stored; after
 *   `sleepAfterMs` the LBC sleeps (no frames, no diagnostic answers) until the next keep-alive.
 * - Diagnostics on 0x79B -> 0x7BB (ISO-TP, 0xFF padding): `21 gg` for the groups of ./leaf-groups.ts (others:
 *   `7F 21 31`), `19 02 mask` (DTCs), `14 FF FF FF` (clear DTCs and reset latched faults), 0x10 / 0x3E.
 * - A 'comms-loss' fault silences frames and diagnostics (counted); a 'stale-data' fault keeps sending frozen data.
 * - `detach()` stops the tick, the listener and the diagnostic link; idempotent. The bus stays open.
 */
export function attachNissanLeaf(device: BmsDevice, bus: CanBus, options: AttachNissanLeafOptions = {}): NissanLeafAttachment {
  const variant = LEAF_VARIANTS[options.generation ?? 'aze0'];
  const keepAliveMs = options.keepAliveTimeoutMs ?? 2000;
  const sleepMs = options.sleepAfterMs ?? 10000;
  const pack = new NativePack(device, bus, options, {
    tickMs: TICK_MS,
    wake: { keepAliveMs, sleepMs, onLost: () => device.requestContactors(false) },
  });
  const { clock, wake: watch, send } = pack;
  const enc = new LeafFrameEncoder(variant);
  const nominalVoltage = ((device.profile.bms.chargeVoltagePerCell + device.profile.bms.dischargeVoltagePerCell) / 2) * device.profile.topology.series;
  device.requestContactors(false);
  const period5BC = Math.max(1, Math.round(variant.period5BCms / TICK_MS));

  // Diagnostics.
  let vcmDtcStored = false;
  const groupInputs = (): LeafGroupInputs => ({
    cellVolts: device.measuredCellVoltages(),
    temps: device.measuredTemperatures(),
    bleedA: device.pack.bleedA,
    busVoltage: device.voltage(),
  });
  const { link, uds } = openNativeUds(pack, {
    txId: LEAF_ID.diagResponse,
    rxId: LEAF_ID.diagRequest,
    padding: 0xff,
    nBsMs: options.diagFlowControlTimeoutMs ?? 15,
  });
  uds.handle(SID.ReadDataByLocalIdentifier, (req) => {
    if (req.length !== 2) return negative(SID.ReadDataByLocalIdentifier, NRC.incorrectMessageLengthOrInvalidFormat);
    const s = device.snapshot();
    const g = req[1]!;
    switch (g) {
      case 0x01:
        return positive(SID.ReadDataByLocalIdentifier, [g], group01(variant, s));
      case 0x02:
        return positive(SID.ReadDataByLocalIdentifier, [g], group02(s, groupInputs()));
      case 0x04:
        return positive(SID.ReadDataByLocalIdentifier, [g], group04(variant, s, groupInputs()));
      case 0x06:
        return positive(SID.ReadDataByLocalIdentifier, [g], group06(groupInputs()));
      default:
        return negative(SID.ReadDataByLocalIdentifier, NRC.requestOutOfRange);
    }
  });
  uds.handle(SID.ReadDtcInformation, (req) => {
    if (req.length !== 3) return negative(SID.ReadDtcInformation, NRC.incorrectMessageLengthOrInvalidFormat);
    if (req[1] !== 0x02) return negative(SID.ReadDtcInformation, NRC.subFunctionNotSupported);
    const mask = req[2]!;
    const out: number[] = [];
    for (const code of activeDtcs()) if (DTC_ACTIVE & mask) out.push(code >> 16, (code >> 8) & 0xff, code & 0xff, DTC_ACTIVE);
    return positive(SID.ReadDtcInformation, [0x02, DTC_AVAILABILITY], out);
  });
  handleClearDtcs(uds, pack, () => (vcmDtcStored = watch.lost));

  const activeDtcs = (): number[] => {
    const s = device.snapshot();
    if (watch.lost) vcmDtcStored = true;
    const out: number[] = [];
    if (s.alarms & BmsFlag.InternalFault) out.push(LEAF_DTC.interlock, LEAF_DTC.internal);
    if (s.alarms & BmsFlag.Insulation) out.push(LEAF_DTC.isolation);
    if (vcmDtcStored) out.push(LEAF_DTC.vcmSilent);
    return out;
  };

  pack.start({
    check: () => watch.check(),
    broadcast: (tick) => {
      const s = device.snapshot();
      const x: LeafFrameInputs = { status: leafStatus(s, device.contactorClosed()), nominalVoltage, timeMs: clock.now() };
      send(enc.status(s, x));
      send(enc.power(s));
      if (tick % 10 === 0) send(enc.soc(s, x));
      if (tick % period5BC === 0) send(enc.gids(s, x));
      if (tick % 10 === 0) for (const id of variant.extraIds) send(makeFrame(id, new Uint8Array(8)));
      if (tick % 50 === 0) {
        send(enc.history(s));
        if (variant.sends59E) send(enc.quickCharge(s, x));
      }
    },
    onFrame: (f) => {
      if (f.id !== LEAF_ID.vcm1F2 && f.id !== LEAF_ID.vcm50B) return;
      if (!pack.wellFormed(f, f.id === LEAF_ID.vcm1F2 ? 8 : 7) || device.faults.commsLost) return;
      if (f.id === LEAF_ID.vcm50B && f.data[3]! >> 6 !== 3) return; // not a wake-up command
      if (pack.keepAlive() || !device.logic.closeRequested) device.requestContactors(true);
    },
  });

  return {
    ...pack.attachment(`nissan-leaf/${variant.name}`),
    generation: variant.name,
    get awake() {
      return watch.awake;
    },
    get vehicleLost() {
      return watch.lost;
    },
    diag: { isotp: link.stats, uds: uds.stats },
  };
}
