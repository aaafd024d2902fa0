/**
 * A Renault Zoe Gen1 LBC (ZE22 / ZE40) on its CAN: broadcast frames (./zoe-frames.ts), KWP2000 groups over ISO-TP
 * (./zoe-groups.ts), answered only while the vehicle's 0x423 wake-up frame comes. The Zoe's main relays are not
 * commanded over this CAN (Battery-Emulator drives them itself and always allows closing), so the profile leaves
 * the contactor to the bench.
 */
import type { CanBus } from '../../../../protocols/can/bus';
import type { IsoTpStats } from '../../../../protocols/can/isotp';
import { NRC, SID, negative, positive, type UdsServerStats } from '../../../../protocols/can/uds';
import type { BmsDevice } from '../../device/bms-device';
import type { CanProfileAttachment } from '../can-link';
import { handleClearDtcs, openNativeUds } from '../native-common/native-diag';
import { NativePack, type NativeAttachOptions } from '../native-common/native-pack';
import { ZOE_ID, ZoeFrameEncoder } from './zoe-frames';
import { zoeGroup } from './zoe-groups';
import { ZOE_DTC_ACTIVE, zoeActiveDtcs } from './zoe-dtcs';

export type ZoeVariant = 'ze22' | 'ze40';

export interface AttachRenaultZoeOptions extends NativeAttachOptions {
  /** ZE22 (22 kWh, also sends 0x427 and 0x42E) or ZE40 (41 kWh) [BE: "Not present on 41kWh battery"]; default ze40. */
  variant?: ZoeVariant;
  /** Diagnostics are answered while a 0x423 came within this, ms (default 1000; assumed: BE sends it every 100 ms). */
  wakeTimeoutMs?: number;
}

export interface RenaultZoeAttachment extends CanProfileAttachment {
  readonly variant: ZoeVariant;
  /** True while the vehicle's 0x423 comes (diagnostics answered). */
  readonly vehiclePresent: boolean;
  readonly diag: { readonly isotp: Readonly<IsoTpStats>; readonly uds: Readonly<UdsServerStats> };
}

const TICK_MS = 10;

/**
 * Contract:
 * - Every 10 ms 0x155; every 100 ms 0x424, 0x425, 0x445 (and 0x427, 0x42E on a ZE22); every 500 ms 0x654; encoded
 *   from the snapshot of that moment. The broadcast does not depend on the vehicle.
 * - 0x423 (8 bytes) is the vehicle's wake-up: with one within `wakeTimeoutMs`, `21 gg` on 0x79B is answered on 0x7BB
 *   (0xFF padding) for the groups of ./zoe-groups.ts (others `7F 21 31`), plus 0x10 / 0x3E; without, requests go
 *   unanswered (counted). Another length is counted as malformed.
 * - DTCs as Battery-Emulator reads them (./zoe-dtcs.ts): `10 C0` answered `50 C0` (`10 01` too); `19 02 mask`
 *   answered `59 02` + (code, status 0x09) for each active fault when the mask has a bit of 0x09 (no availability
 *   byte); the CAN timeout code stays from a lost wake-up until `14 FF FF FF`, which also resets latched faults.
 * - A 'comms-loss' fault silences everything (counted). `detach()` stops it all; idempotent; the bus stays open.
 */
export function attachRenaultZoe(device: BmsDevice, bus: CanBus, options: AttachRenaultZoeOptions = {}): RenaultZoeAttachment {
  const variant = options.variant ?? 'ze40';
  /** The wake-up stopped after it had come: DTC 0C0800 (CAN timeout) until cleared. */
  let everLost = false;
  const pack = new NativePack(device, bus, options, {
    tickMs: TICK_MS,
    // The LBC does not sleep here: the broadcast does not depend on the vehicle, only the diagnostics do.
    wake: { keepAliveMs: options.wakeTimeoutMs ?? 1000, sleepMs: Infinity, onLost: () => (everLost = true) },
    initially: { lost: true }, // nothing heard yet
  });
  const { clock, wake, send } = pack;
  const enc = new ZoeFrameEncoder();
  const nominalVoltage = ((device.profile.bms.chargeVoltagePerCell + device.profile.bms.dischargeVoltagePerCell) / 2) * device.profile.topology.series;

  const { link, uds } = openNativeUds(pack, { txId: ZOE_ID.diagResponse, rxId: ZOE_ID.diagRequest, padding: 0xff }, { answeringWhile: () => !wake.lost });
  uds.handle(SID.ReadDataByLocalIdentifier, (req) => {
    if (req.length !== 2) return negative(SID.ReadDataByLocalIdentifier, NRC.incorrectMessageLengthOrInvalidFormat);
    const data = zoeGroup(req[1]!, device.snapshot(), device.measuredCellVoltages(), device.measuredTemperatures(), device.pack.bleedA);
    return data ? positive(SID.ReadDataByLocalIdentifier, [req[1]!], data) : negative(SID.ReadDataByLocalIdentifier, NRC.requestOutOfRange);
  });

  uds.handle(SID.DiagnosticSessionControl, (req) => {
    if (req.length !== 2) return negative(SID.DiagnosticSessionControl, NRC.incorrectMessageLengthOrInvalidFormat);
    if (req[1] !== 0xc0 && (req[1]! & 0x7f) !== 1) return negative(SID.DiagnosticSessionControl, NRC.subFunctionNotSupported);
    return positive(SID.DiagnosticSessionControl, [req[1]!]);
  });
  uds.handle(SID.ReadDtcInformation, (req) => {
    if (req.length !== 3) return negative(SID.ReadDtcInformation, NRC.incorrectMessageLengthOrInvalidFormat);
    if (req[1] !== 0x02) return negative(SID.ReadDtcInformation, NRC.subFunctionNotSupported);
    const out: number[] = [];
    if (ZOE_DTC_ACTIVE & req[2]!) for (const code of zoeActiveDtcs(device.snapshot(), everLost)) out.push(code >> 16, (code >> 8) & 0xff, code & 0xff, ZOE_DTC_ACTIVE);
    return positive(SID.ReadDtcInformation, [0x02], out);
  });
  handleClearDtcs(uds, pack, () => (everLost = false));

  pack.start({
    check: () => wake.check(),
    broadcast: (tick) => {
      const s = device.snapshot();
      const now = clock.now();
      send(enc.power155(s));
      if (tick % 10 === 0) {
        send(enc.status424(s, now));
        send(enc.cells425(s));
        send(enc.heartbeat445(now));
        if (variant === 'ze22') {
          send(enc.energy427(s, nominalVoltage));
          send(enc.voltage42E(s));
        }
      }
      if (tick % 50 === 0) send(enc.soc654(s));
    },
    onFrame: (f) => {
      if (f.id !== ZOE_ID.vehicle423 || !pack.wellFormed(f, 8) || device.faults.commsLost) return;
      pack.keepAlive();
    },
  });

  return {
    ...pack.attachment(`renault-zoe/${variant}`),
    variant,
    get vehiclePresent() {
      return !wake.lost;
    },
    diag: { isotp: link.stats, uds: uds.stats },
  };
}
