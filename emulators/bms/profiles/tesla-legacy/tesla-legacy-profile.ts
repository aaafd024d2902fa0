/**
 * A Tesla Model S/X (pre-2021, "legacy") BMS on its CAN: what a second-life controller such as Battery-Emulator
 * faces. It broadcasts its frames (./tesla-legacy-frames.ts), every cell voltage in the multiplexed 0x6F2 (no
 * diagnostic poll is needed for them), and closes its contactors only while the vehicle's status frames come.
 */
import type { CanBus } from '../../../../protocols/can/bus';
import type { BmsDevice } from '../../device/bms-device';
import { BmsFlag } from '../../logic/flags';
import type { CanProfileAttachment } from '../can-link';
import { contactorRequester, NativePack, type NativeAttachOptions } from '../native-common/native-pack';
import { BMS_STATE, CONTACTOR, TESLA_ID, TeslaLegacyFrameEncoder, type TeslaStatus } from './tesla-legacy-frames';

export interface AttachTeslaLegacyOptions extends NativeAttachOptions {
  /** The 100 ms vehicle frames (0x21C, 0x25C, 0x2C8, 0x20E) count as present for this long, ms (default 500, assumed). */
  vehicleFramesMs?: number;
  /** Without 0x408 for this long the BMS sleeps (silent until the next one), ms (default 10000, assumed). */
  sleepAfterMs?: number;
  /** The hardware id sent in 0x5D2 (default 24: an 85 kWh pack [BE update_values]). */
  hardwareId?: number;
}

export interface TeslaLegacyAttachment extends CanProfileAttachment {
  readonly awake: boolean;
  /** True while one of the vehicle's 100 ms frames is missing (the contactors stay or go open). */
  readonly vehicleLost: boolean;
  readonly status: Readonly<TeslaStatus>;
}

const TICK_MS = 10;
const VEHICLE_FRAMES = [TESLA_ID.charger21C, TESLA_ID.fastCharge25C, TESLA_ID.gateway2C8, TESLA_ID.chargePort20E] as const;

/**
 * Contract:
 * - Awake from attach (the 12 V and wake line are taken as powered): every 100 ms 0x102, 0x202, 0x212, 0x302, 0x332;
 *   every second 0x3D2, 0x5D2, 0x7E2; one 0x6F2 mux every 10 ms (all 96 cells every 240 ms); each encoded from the
 *   snapshot of that moment. Contactors open.
 * - The vehicle [BE transmit_can]: 0x408 (1 byte, every second) keeps the BMS awake; none for `sleepAfterMs`: asleep
 *   (no frames) until the next. 0x21C, 0x25C, 0x2C8 and 0x20E (8 bytes, every 100 ms, sent by BE only while closing
 *   is allowed, after it has seen 0x332): while each came within `vehicleFramesMs` the contactors close; one missing
 *   opens them. A frame of another length is counted as malformed and ignored.
 * - 0x212 shows the contactor (CLOSING during precharge, CLOSED, WELDED, OPEN), the state (FAULT on a latched fault or
 *   an alarm, WELD, CHARGE / DRIVE while closed, STANDBY), the HV interlock (hvilStatus 1 and hvilOn 0 on an
 *   'internal-fault': no interlock fault kind of its own) and the isolation resistance.
 * - A 'comms-loss' fault silences everything (counted). `detach()` stops it all; idempotent; the bus stays open.
 */
export function attachTeslaLegacy(device: BmsDevice, bus: CanBus, options: AttachTeslaLegacyOptions = {}): TeslaLegacyAttachment {
  const pack = new NativePack(device, bus, options, {
    tickMs: TICK_MS,
    wake: { keepAliveMs: Infinity, sleepMs: options.sleepAfterMs ?? 10000 },
  });
  const { clock, wake, send } = pack;
  const enc = new TeslaLegacyFrameEncoder();
  const framesMs = options.vehicleFramesMs ?? 500;
  const hwId = options.hardwareId ?? 24;
  const seen = new Map<number, number>(VEHICLE_FRAMES.map((id) => [id, -Infinity]));
  device.requestContactors(false);
  const requestContactors = contactorRequester(device);
  let status: TeslaStatus = { contactor: CONTACTOR.open, state: BMS_STATE.standby, hvilFault: false, faultCategory: 0 };

  const vehiclePresent = (): boolean => {
    const now = clock.now();
    return [...seen.values()].every((t) => now - t <= framesMs);
  };

  const statusOf = (): TeslaStatus => {
    const s = device.snapshot();
    const c = s.contactor;
    const contactor = c === 'welded' ? CONTACTOR.welded : c === 'closed' ? CONTACTOR.closed : c === 'precharge' ? CONTACTOR.closing : CONTACTOR.open;
    const fault = s.latched !== 0 || s.alarms !== 0;
    const closed = contactor === CONTACTOR.closed;
    const state = c === 'welded' ? BMS_STATE.weld : fault ? BMS_STATE.fault : closed ? (s.current > 0 ? BMS_STATE.charge : BMS_STATE.drive) : BMS_STATE.standby;
    return { contactor, state, hvilFault: (s.alarms & BmsFlag.InternalFault) !== 0, faultCategory: s.alarms !== 0 ? 2 : s.warnings !== 0 ? 1 : 0 };
  };

  pack.start({
    check: () => {
      requestContactors(wake.awake && vehiclePresent());
      wake.check();
    },
    broadcast: (tick) => {
      const s = device.snapshot();
      send(enc.cells6F2(tick % 24, device.measuredCellVoltages()));
      if (tick % 10 !== 0) return;
      status = statusOf();
      send(enc.hvBus102(s));
      send(enc.limits202(s));
      send(enc.status212(s, status));
      send(enc.soc302(s));
      send(enc.minMax332(s));
      if (tick % 100 === 0) {
        send(enc.energy3D2(s));
        send(enc.hwId5D2(hwId));
        send(enc.cac7E2(s.fullChargeAh));
      }
    },
    onFrame: (f) => {
      const isKeepAlive = f.id === TESLA_ID.keepAlive408;
      if (!isKeepAlive && !seen.has(f.id)) return;
      if (!pack.wellFormed(f, isKeepAlive ? 1 : 8) || device.faults.commsLost) return;
      if (isKeepAlive) pack.keepAlive();
      else if (wake.awake) seen.set(f.id, clock.now());
    },
  });

  return {
    ...pack.attachment('tesla-legacy'),
    get awake() {
      return wake.awake;
    },
    get vehicleLost() {
      return !vehiclePresent();
    },
    get status() {
      return status;
    },
  };
}
