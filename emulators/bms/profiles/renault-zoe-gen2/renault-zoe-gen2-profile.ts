/**
 * A Renault Zoe Gen2 (ZE50, 52 kWh) LBC on its CAN: what a second-life controller such as Battery-Emulator faces.
 * Broadcast (./zoe2-frames.ts) and UDS `22` DIDs over 29-bit ISO-TP (./zoe2-dids.ts), every cell only through the
 * DIDs, while the vehicle's 0x373 wake-up comes. As for the Gen1, the main relays are not commanded over this CAN
 * (Battery-Emulator drives them itself and always allows closing), so the profile leaves the contactor to the bench.
 */
import type { CanBus } from '../../../../protocols/can/bus';
import type { IsoTpStats } from '../../../../protocols/can/isotp';
import { NRC, SID, negative, positive, type UdsServerStats } from '../../../../protocols/can/uds';
import type { BmsDevice } from '../../device/bms-device';
import { BmsFlag } from '../../logic/flags';
import type { CanProfileAttachment } from '../can-link';
import { handleClearDtcs, openNativeUds } from '../native-common/native-diag';
import { NativePack, type NativeAttachOptions } from '../native-common/native-pack';
import { INTERLOCK_OK, ZOE2_ID, Zoe2FrameEncoder } from './zoe2-frames';
import { zoe2BalancingSwitches, zoe2Did } from './zoe2-dids';

export interface AttachRenaultZoeGen2Options extends NativeAttachOptions {
  /** Without a 0x373 wake-up (byte 0 0xC1) for this long the LBC sleeps: silent until the next, ms (default 2000, assumed). */
  sleepAfterMs?: number;
}

export interface RenaultZoeGen2Attachment extends CanProfileAttachment {
  readonly awake: boolean;
  readonly diag: { readonly isotp: Readonly<IsoTpStats>; readonly uds: Readonly<UdsServerStats> };
}

const TICK_MS = 10;
/** 0x0F8 bytes 0-1 with the interlock open (assumed: BE only knows 0xFFFE as closed). */
const INTERLOCK_OPEN = 0x0000;

/**
 * Contract:
 * - Asleep until the first 0x373 (8 bytes) with byte 0 0xC1 (BE's wake-up; 0x01 is its "stop streaming", no
 *   wake-up): then every 100 ms 0x0F8, 0x4DB and 0x36C, encoded from the snapshot of that moment, and UDS on
 *   0x18DADBF1 -> 0x18DAF1DB (29-bit, 0xAA padding [LOG]): `22` DIDs of ./zoe2-dids.ts incl. the multi-frame
 *   balancing switches 912B (others `7F 22 31`),
 *   `14 FF FF FF` clears latched faults, `10`, `3E`. No wake-up for `sleepAfterMs`: asleep again (no frames, no
 *   answers). A 0x373 of another length is counted as malformed.
 * - The HV interlock (0x0F8, DID 901A) reads open on an 'internal-fault' (no interlock fault kind of its own).
 * - A 'comms-loss' fault silences everything (counted). `detach()` stops it all; idempotent; the bus stays open.
 */
export function attachRenaultZoeGen2(device: BmsDevice, bus: CanBus, options: AttachRenaultZoeGen2Options = {}): RenaultZoeGen2Attachment {
  const pack = new NativePack(device, bus, options, {
    tickMs: TICK_MS,
    wake: { keepAliveMs: Infinity, sleepMs: options.sleepAfterMs ?? 2000 },
    initially: { asleep: true }, // nothing heard yet
  });
  const { wake, send } = pack;
  const enc = new Zoe2FrameEncoder();
  const interlock = (): number => ((device.snapshot().alarms & BmsFlag.InternalFault) !== 0 ? INTERLOCK_OPEN : INTERLOCK_OK);

  const { link, uds } = openNativeUds(pack, { txId: ZOE2_ID.diagResponse, rxId: ZOE2_ID.diagRequest, extended: true, padding: 0xaa });
  uds.handle(SID.ReadDataByIdentifier, (req) => {
    if (req.length !== 3) return negative(SID.ReadDataByIdentifier, NRC.incorrectMessageLengthOrInvalidFormat);
    if (req[1] === 0x91 && req[2] === 0x2b) return positive(SID.ReadDataByIdentifier, [0x91, 0x2b], zoe2BalancingSwitches(device.pack.bleedA));
    const v = zoe2Did((req[1]! << 8) | req[2]!, { snapshot: device.snapshot(), cells: device.measuredCellVoltages(), temps: device.measuredTemperatures(), interlock: interlock() });
    return v === undefined ? negative(SID.ReadDataByIdentifier, NRC.requestOutOfRange) : positive(SID.ReadDataByIdentifier, [req[1]!, req[2]!, v >> 8, v & 0xff]);
  });
  handleClearDtcs(uds, pack);

  pack.start({
    check: () => wake.check(),
    broadcast: (tick) => {
      if (tick % 10 !== 0) return;
      const s = device.snapshot();
      send(enc.interlock0F8(s, interlock()));
      send(enc.cells4DB(s));
      send(enc.crc36C());
    },
    onFrame: (f) => {
      if (f.id !== ZOE2_ID.wake373 || !pack.wellFormed(f, 8)) return;
      if (device.faults.commsLost || f.data[0] !== 0xc1) return;
      pack.keepAlive();
    },
  });

  return {
    ...pack.attachment('renault-zoe-gen2'),
    get awake() {
      return wake.awake;
    },
    diag: { isotp: link.stats, uds: uds.stats },
  };
}
