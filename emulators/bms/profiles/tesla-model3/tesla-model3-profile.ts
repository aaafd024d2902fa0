/**
 * A Tesla Model 3/Y (or 2021+ Model S/X) BMS and HVP on their CAN: what a second-life controller such as
 * Battery-Emulator faces. Broadcast (./tesla-model3-frames.ts) incl. every brick voltage in the multiplexed 0x401 (no
 * diagnostic poll is needed for them); the contactors close only while the vehicle's VCFRONT_LVPowerState (0x221)
 * says DRIVE with a valid counter and checksum.
 */
import type { CanBus } from '../../../../protocols/can/bus';
import type { BmsDevice } from '../../device/bms-device';
import type { BmsSnapshot } from '../../device/snapshot';
import { BmsFlag } from '../../logic/flags';
import type { IsoTpStats } from '../../../../protocols/can/isotp';
import type { UdsServerStats } from '../../../../protocols/can/uds';
import type { CanProfileAttachment } from '../can-link';
import { openNativeUds } from '../native-common/native-diag';
import { contactorRequester, NativePack, type NativeAttachOptions } from '../native-common/native-pack';
import { DEFAULT_IDENTITY, registerTesla3Uds, serial72A, TESLA3_DIAG, type Tesla3Identity } from './tesla-model3-uds';
import { BMS_CONTACTOR, BMS_STATE, BRICKS_PER_MUX, HVIL, HVP_CONTACTOR, HVP_SET, POWER_STATE, TESLA3_ID, TeslaModel3FrameEncoder, teslaChecksum, type Tesla3Status } from './tesla-model3-frames';

export interface AttachTeslaModel3Options extends NativeAttachOptions {
  /** A DRIVE 0x221 counts as present for this long, ms (default 500, assumed: no source gives the HVP's timeout). */
  vehicleFramesMs?: number;
  /** Without a valid 0x221 for this long the BMS sleeps (silent until the next one), ms (default 10000, assumed). */
  sleepAfterMs?: number;
  /** One 0x401 mux every this many ms (default 100, assumed). */
  brickMuxMs?: number;
  /** Serial number (0x72A) and part number (UDS F014); default ./tesla-model3-uds.ts DEFAULT_IDENTITY. */
  identity?: Partial<Tesla3Identity>;
}

export interface TeslaModel3Attachment extends CanProfileAttachment {
  readonly awake: boolean;
  /** The last vehicle power state of a valid 0x221 (undefined before the first). */
  readonly vehiclePowerState: number | undefined;
  readonly status: Readonly<Tesla3Status>;
  readonly diag: { readonly isotp: Readonly<IsoTpStats>; readonly uds: Readonly<UdsServerStats> };
}

const TICK_MS = 10;

/**
 * Contract:
 * - Awake from attach (the 12 V is taken as powered): every 100 ms 0x132, 0x20A, 0x212, 0x252, 0x292, 0x2D2 and
 *   0x332 (its muxes 1 and 0 alternating); every second 0x352 (muxes 0 and 1 alternating), 0x3D2, 0x320 and 0x312; one
 *   0x401 mux every `brickMuxMs` (the series count / 3 muxes, then again from 0); each encoded from the snapshot of
 *   that moment. Contactors open.
 * - The vehicle [BE transmit_can]: 0x221 (8 bytes, every 50 ms, muxes 0 and 1 alternating) with a 4-bit counter
 *   (bits 52-55) that advances by one from frame to frame and the checksum of byte 7. A 0x221 with a wrong length,
 *   a wrong checksum or a counter that did not advance is counted as malformed and ignored. While valid 0x221 frames
 *   with vehiclePowerState DRIVE (3) came within `vehicleFramesMs`, the contactors close (precharge first); any other
 *   power state (BE's ACCESSORY, GOING_DOWN, OFF sequence) or none opens them. No valid 0x221 for `sleepAfterMs`:
 *   asleep (no frames) until the next (its counter taken as it comes). 0x118 and BE's other vehicle frames are not needed.
 * - 0x212 and 0x20A show the contactors (CLOSING / PRECHARGE during precharge, CLOSED / ECONOMIZED, WELDED, OPEN,
 *   BLOCKED while a latched fault keeps them open), the state (FAULT on a latched fault or an alarm, WELD, CHARGE /
 *   DRIVE while closed, STANDBY), the HV interlock (INTERNAL_OPEN_FAULT and alert a036 on an 'internal-fault': no
 *   interlock fault kind of its own) and the isolation resistance; 0x320 the matching alerts.
 * - 0x72A (serial number, muxes 0 and 1 alternating) every second; UDS on 0x602 -> 0x612 as ./tesla-model3-uds.ts
 *   (BE's session, part number, SecurityAccess, SOC reset, isolation clear and ECU reset), answered while awake.
 * - A 'comms-loss' fault silences everything (counted). `detach()` stops it all; idempotent; the bus stays open.
 */
export function attachTeslaModel3(device: BmsDevice, bus: CanBus, options: AttachTeslaModel3Options = {}): TeslaModel3Attachment {
  const pack = new NativePack(device, bus, options, {
    tickMs: TICK_MS,
    wake: { keepAliveMs: Infinity, sleepMs: options.sleepAfterMs ?? 10000 },
  });
  const { clock, wake, send } = pack;
  const enc = new TeslaModel3FrameEncoder();
  const framesMs = options.vehicleFramesMs ?? 500;
  const brickEvery = Math.max(1, Math.round((options.brickMuxMs ?? 100) / TICK_MS));
  const muxes = Math.ceil(device.pack.series / BRICKS_PER_MUX);
  const identity: Tesla3Identity = { ...DEFAULT_IDENTITY, ...options.identity };
  let lastDrive = -Infinity;
  let lastCounter: number | undefined;
  let powerState: number | undefined;
  device.requestContactors(false);
  const requestContactors = contactorRequester(device);
  let brickMux = 0;
  let status = statusOf(device.snapshot());

  const { link, uds } = openNativeUds(pack, { txId: TESLA3_DIAG.response, rxId: TESLA3_DIAG.request, padding: 0xaa });
  registerTesla3Uds(uds, device, identity);

  pack.start({
    check: () => {
      requestContactors(wake.awake && powerState === POWER_STATE.drive && clock.now() - lastDrive <= framesMs);
      wake.check();
    },
    broadcast: (tick) => {
      const s = device.snapshot();
      if (tick % brickEvery === 0) {
        send(enc.bricks401(brickMux, device.measuredCellVoltages()));
        brickMux = (brickMux + 1) % muxes;
      }
      if (tick % 10 !== 0) return;
      status = statusOf(s);
      send(enc.hvBus132(s));
      send(enc.hvp20A(status));
      send(enc.status212(s, status));
      send(enc.power252(s));
      const [lo, hi] = socSpread(device);
      send(enc.soc292(s, lo, hi, (s.nominalAh * nominalV(device)) / 1000));
      send(enc.limits2D2(s));
      send(tick % 20 === 0 ? enc.minMax332Voltages(s) : enc.minMax332Temperatures(s));
      if (tick % 100 === 0) {
        const fullKwh = (s.fullChargeAh * nominalV(device)) / 1000;
        send(enc.energy352(tick % 200 === 0 ? 0 : 1, fullKwh, fullKwh * s.soc));
        send(enc.kwh3D2(s));
        send(enc.alerts320(status.alerts));
        send(enc.thermal312(s));
        send(serial72A(tick % 200 === 0 ? 0 : 1, identity.serial));
      }
    },
    onFrame: (f) => {
      if (f.id !== TESLA3_ID.powerState221) return;
      const counter = f.data.length === 8 ? f.data[6]! >> 4 : -1;
      const valid = !f.rtr && f.data.length === 8 && f.data[7] === teslaChecksum(f.id, f.data, 7) && (lastCounter === undefined || !wake.awake || counter === ((lastCounter + 1) & 0x0f));
      if (counter >= 0) lastCounter = counter;
      if (!valid) {
        pack.stats.malformedIgnored++;
        return;
      }
      if (device.faults.commsLost) return;
      pack.keepAlive();
      powerState = (f.data[0]! >> 5) & 0x03;
      if (powerState === POWER_STATE.drive) lastDrive = clock.now();
    },
  });

  return {
    ...pack.attachment('tesla-model3'),
    diag: { isotp: link.stats, uds: uds.stats },
    get awake() {
      return wake.awake;
    },
    get vehiclePowerState() {
      return powerState;
    },
    get status() {
      return status;
    },
  };
}

/** The states of 0x212, 0x20A and the alerts of 0x320 from the snapshot. */
function statusOf(s: Readonly<BmsSnapshot>): Tesla3Status {
  const c = s.contactor;
  const fault = s.latched !== 0 || s.alarms !== 0;
  const closed = c === 'closed';
  const blocked = c === 'open' && s.latched !== 0;
  const hvilFault = (s.alarms & BmsFlag.InternalFault) !== 0;
  const alarm = (f: number): boolean => (s.alarms & f) !== 0;
  return {
    bmsContactor: c === 'welded' ? BMS_CONTACTOR.welded : closed ? BMS_CONTACTOR.closed : c === 'precharge' ? BMS_CONTACTOR.closing : blocked ? BMS_CONTACTOR.blocked : BMS_CONTACTOR.open,
    bmsState: c === 'welded' ? BMS_STATE.weld : fault ? BMS_STATE.fault : closed ? (s.current > 0 ? BMS_STATE.charge : BMS_STATE.drive) : BMS_STATE.standby,
    hvState: closed ? (s.current > 0 ? 4 : 3) : c === 'precharge' ? 1 : 0,
    negative: c === 'welded' ? HVP_CONTACTOR.welded : closed ? HVP_CONTACTOR.economized : c === 'precharge' ? HVP_CONTACTOR.pulledIn : HVP_CONTACTOR.open,
    positive: c === 'welded' ? HVP_CONTACTOR.welded : closed ? HVP_CONTACTOR.economized : c === 'precharge' ? HVP_CONTACTOR.precharge : HVP_CONTACTOR.open,
    setState: c === 'welded' ? HVP_SET.welded : closed ? HVP_SET.closed : c === 'precharge' ? HVP_SET.closing : blocked ? HVP_SET.blocked : HVP_SET.open,
    hvil: hvilFault ? HVIL.internalOpen : HVIL.ok,
    closingBlocked: blocked,
    alerts: {
      brickOv: alarm(BmsFlag.CellOverVoltage),
      brickUv: alarm(BmsFlag.CellUnderVoltage),
      moduleOt: alarm(BmsFlag.OverTemperature),
      overCurrent: alarm(BmsFlag.ChargeOverCurrent | BmsFlag.DischargeOverCurrent),
      isolation: alarm(BmsFlag.Insulation),
      hvil: hvilFault,
      packFullWeld: c === 'welded',
    },
  };
}

/** Lowest and highest element SOC (0..1). */
function socSpread(device: BmsDevice): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of device.pack.soc) {
    lo = Math.min(lo, x);
    hi = Math.max(hi, x);
  }
  return [Math.max(0, lo), Math.min(1, hi)];
}

/** Nominal pack voltage for the energy figures: 3.7 V per brick (teslike.com 2018-10-19: "96 * 3.7V = 355.2V"). */
function nominalV(device: BmsDevice): number {
  return device.pack.series * 3.7;
}
