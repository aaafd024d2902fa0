/**
 * A Kia e-Niro / Hyundai Kona 64 kWh BMS on its CAN: what a second-life controller such as Battery-Emulator faces.
 * It broadcasts its frames (./kia64-frames.ts) from power-up, closes its relays while the vehicle's frames come,
 * opens them when they stop or when the tester asks over UDS, sleeps after a long silence, and answers UDS `22`
 * polls with the shapes of a real capture (./kia64-pids.ts).
 */
import type { CanBus } from '../../../../protocols/can/bus';
import type { IsoTpStats } from '../../../../protocols/can/isotp';
import { NRC, SID, negative, positive, type UdsServerStats } from '../../../../protocols/can/uds';
import type { BmsDevice } from '../../device/bms-device';
import type { CanProfileAttachment } from '../can-link';
import { handleClearDtcs, openNativeUds } from '../native-common/native-diag';
import { contactorRequester, NativePack, type NativeAttachOptions } from '../native-common/native-pack';
import { KIA64_ID, Kia64FrameEncoder } from './kia64-frames';
import { kia64Pid } from './kia64-pids';

export interface AttachKiaHyundai64Options extends NativeAttachOptions {
  /** Without a live 0x200 for this long the BMS opens its relays, ms (default 500; assumed: no public source gives it). */
  relayTimeoutMs?: number;
  /** Without a live 0x200 for this long the BMS sleeps (silent until the next one), ms (default 10000, assumed). */
  sleepAfterMs?: number;
  /** The 100 ms vehicle frames 0x553 / 0x57F / 0x2A1 count as present for this long, ms (default 1000, assumed). */
  neededFramesMs?: number;
}

export interface KiaHyundai64Attachment extends CanProfileAttachment {
  readonly awake: boolean;
  /** True from a keep-alive timeout (or before the first 0x200) until the next live 0x200. */
  readonly vehicleLost: boolean;
  /** 0x200 frames refused because byte 5 (the rolling counter) did not change. */
  readonly stuckCounters: number;
  /** The relays are held open by a UDS InputOutputControl request (until the session ends). */
  readonly heldOpenByTester: boolean;
  readonly diag: { readonly isotp: Readonly<IsoTpStats>; readonly uds: Readonly<UdsServerStats> };
}

const TICK_MS = 10;
/** ISO 14229-2 S3server: a non-default session ends 5 s after the last request. */
const S3_MS = 5000;
/** The relay I/O controls BE sends in its fault sequence [BE: F032 "negative contactor OFF", F031 "positive contactor OFF"]. */
const RELAY_DIDS = new Set([0xf031, 0xf032]);
/** Water sensor reading of a dry pack [BE: "value 164 is no water"]. */
const WATER_DRY = 164;

/**
 * Contract:
 * - Awake from attach (BE waits for the pack's frames before it sends anything): every 100 ms 0x542, 0x594, 0x595,
 *   0x596, 0x598, 0x4DE, 0x5D5, 0x5D8, each encoded from the snapshot of that moment. Relays open.
 * - The vehicle [BE transmit_can, sent only while closing is allowed]: 0x200 (8 bytes, 10 ms) is the keep-alive; its
 *   byte 5 rolls every frame (a repeated byte 5 is counted as stuck and is no keep-alive; assumed check). The relays
 *   close while: a live 0x200 came within `relayTimeoutMs`, its byte 3 has bit 4 set (BE sets 0x10 from its fifth
 *   frame on; assumed meaning "ready"), 0x553, 0x57F and 0x2A1 ("Needed frame" [BE]) each came within
 *   `neededFramesMs`, and no tester holds them open. 0x524 bytes 0-1 (LE, V) are the vehicle's bus voltage, reported
 *   back in PID 0101. No live 0x200 for `relayTimeoutMs`: relays open; for `sleepAfterMs`: asleep (no frames, no
 *   answers) until the next one. A frame of another length is counted as malformed and ignored.
 * - UDS on 0x7E4 -> 0x7EC (ISO-TP, 0xAA padding [CAPTURE]): `22` PIDs of ./kia64-pids.ts (others `7F 22 31`); `10 01/02/03`
 *   (a non-default session ends S3 = 5 s after the last request); `2F F0 31 00` / `2F F0 32 00` in the extended
 *   session (03) open the relays and hold them open until the session ends (`7F 2F 7F` in another session);
 *   `14 FF FF FF` clears latched faults; `3E 00`.
 * - A 'comms-loss' fault silences everything (counted). `detach()` stops it all; idempotent; the bus stays open.
 */
export function attachKiaHyundai64(device: BmsDevice, bus: CanBus, options: AttachKiaHyundai64Options = {}): KiaHyundai64Attachment {
  const pack = new NativePack(device, bus, options, {
    tickMs: TICK_MS,
    wake: { keepAliveMs: options.relayTimeoutMs ?? 500, sleepMs: options.sleepAfterMs ?? 10000 },
    initially: { lost: true }, // nothing heard yet
  });
  const { clock, wake: keepAlive, send } = pack;
  const enc = new Kia64FrameEncoder();
  const neededMs = options.neededFramesMs ?? 1000;
  const t0 = clock.now();
  let stuckCounters = 0;
  let last200: number | undefined;
  let ready = false;
  let inverterV = 0;
  let session = 1;
  let lastRequest = -Infinity;
  let heldOpen = false;
  const needed = new Map<number, number>([
    [KIA64_ID.vcu553, -Infinity],
    [KIA64_ID.vcu57F, -Infinity],
    [KIA64_ID.vcu2A1, -Infinity],
  ]);
  device.requestContactors(false);
  const requestContactors = contactorRequester(device);

  const endSession = (): void => {
    session = 1;
    heldOpen = false;
  };

  const driveRelays = (): void => {
    const now = clock.now();
    if (session !== 1 && now - lastRequest > S3_MS) endSession();
    requestContactors(!keepAlive.lost && ready && !heldOpen && [...needed.values()].every((t) => now - t <= neededMs));
  };

  const { link, uds } = openNativeUds(
    pack,
    { txId: KIA64_ID.diagResponse, rxId: KIA64_ID.diagRequest, padding: 0xaa },
    {
      onRequest: () => {
        if (session !== 1 && clock.now() - lastRequest > S3_MS) endSession();
        lastRequest = clock.now();
      },
    },
  );
  uds.handle(SID.DiagnosticSessionControl, (req) => {
    if (req.length !== 2) return negative(SID.DiagnosticSessionControl, NRC.incorrectMessageLengthOrInvalidFormat);
    const want = req[1]! & 0x7f;
    if (want < 1 || want > 3) return negative(SID.DiagnosticSessionControl, NRC.subFunctionNotSupported);
    if (want === 1) endSession();
    else session = want;
    return req[1]! & 0x80 ? null : positive(SID.DiagnosticSessionControl, [want, 0x00, 0x32, 0x01, 0xf4]);
  });
  uds.handle(SID.ReadDataByIdentifier, (req) => {
    if (req.length !== 3) return negative(SID.ReadDataByIdentifier, NRC.incorrectMessageLengthOrInvalidFormat);
    const s = device.snapshot();
    const res = kia64Pid((req[1]! << 8) | req[2]!, {
      snapshot: s,
      cells: device.measuredCellVoltages(),
      temps: device.measuredTemperatures(),
      relaysOn: s.contactor === 'closed' || s.contactor === 'welded',
      inverterV,
      operatingS: (clock.now() - t0) / 1000,
    });
    return res ?? negative(SID.ReadDataByIdentifier, NRC.requestOutOfRange);
  });
  uds.handle(SID.InputOutputControlByIdentifier, (req) => {
    if (req.length !== 4) return negative(SID.InputOutputControlByIdentifier, NRC.incorrectMessageLengthOrInvalidFormat);
    const did = (req[1]! << 8) | req[2]!;
    if (!RELAY_DIDS.has(did) || req[3] !== 0x00) return negative(SID.InputOutputControlByIdentifier, NRC.requestOutOfRange);
    if (session !== 3) return negative(SID.InputOutputControlByIdentifier, NRC.serviceNotSupportedInActiveSession);
    heldOpen = true;
    driveRelays();
    return positive(SID.InputOutputControlByIdentifier, [req[1]!, req[2]!, 0x00]);
  });
  handleClearDtcs(uds, pack);

  pack.start({
    check: () => {
      keepAlive.check();
      driveRelays();
    },
    broadcast: (tick) => {
      if (tick % 10 !== 0) return;
      const s = device.snapshot();
      send(enc.soc542(s));
      send(enc.power594(s));
      send(enc.current595(s));
      send(enc.temps596(s, 12));
      send(enc.empty(KIA64_ID.status598));
      send(enc.empty(KIA64_ID.alive4DE));
      send(enc.sensors5D5(WATER_DRY, s.tempAvg));
      send(enc.empty(KIA64_ID.pollTrigger5D8));
    },
    onFrame: (f) => {
      const id = f.id;
      if (id !== KIA64_ID.vcu200 && id !== KIA64_ID.vcu524 && id !== KIA64_ID.vcu523 && !needed.has(id)) return;
      if (!pack.wellFormed(f, 8) || device.faults.commsLost) return;
      if (id === KIA64_ID.vcu524) inverterV = f.data[0]! | (f.data[1]! << 8);
      if (needed.has(id)) needed.set(id, clock.now());
      if (id !== KIA64_ID.vcu200) return;
      const counter = f.data[5]!;
      const stuck = counter === last200;
      last200 = counter;
      if (stuck) {
        stuckCounters++;
        return;
      }
      pack.keepAlive();
      ready = (f.data[3]! & 0x10) !== 0;
    },
  });

  return {
    ...pack.attachment('kia-hyundai-64'),
    get awake() {
      return keepAlive.awake;
    },
    get vehicleLost() {
      return keepAlive.lost;
    },
    get stuckCounters() {
      return stuckCounters;
    },
    get heldOpenByTester() {
      return heldOpen;
    },
    diag: { isotp: link.stats, uds: uds.stats },
  };
}
