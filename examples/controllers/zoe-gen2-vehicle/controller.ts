/**
 * A tiny test controller for native Renault Zoe Gen2 (ZE50) packs: it plays the vehicle as Battery-Emulator does and
 * reads the pack back with ./zoe-gen2-decoder.ts. Not a product (docs/native-packs.md). Facts from [BE]
 * dalathegreat/Battery-Emulator Software/src/battery/RENAULT-ZOE-GEN2-BATTERY.cpp/.h @ 62532e944e06bd1d6462179ba92068b48d98ab89.
 *
 * Per pack bus: 0x373 (HEVC wake-up, byte 0 0xC1, bytes 2-3 swapping B2 5D / 5D B2 every 5 frames) and 0x375 every
 * 100 ms; 0x0EE every 10 ms (byte 6 a 4-bit counter, byte 7 the CRC XOR 0xAC); one UDS `22` poll every
 * `pollIntervalMs` (BE: 200) on 0x18DADBF1 (`03 22 hi lo`, zero padded as BE), a flow control `30 00 00` per first
 * frame. The poll list: SOC, SOH, pack voltage, current, max / min cell, temperatures, interlock, power limits, then
 * the 96 cells (BE's own list has 163 entries with more DIDs and the current repeated). It trips when the polled cells
 * deviate more than `maxCellDeviationV` [BE MAX_CELL_DEVIATION_MV 150] or the interlock of 0x0F8 is not 0xFFFE [BE
 * EVENT_HVIL_FAILURE] (unless `tripOnInterlock` is 0): it then sends 0x373 with byte 0 0x01, BE's "stop streaming
 * 373" that lets the pack sleep, and stops polling. `silentAtS` stops every frame at that time.
 */
import type { CanFrame } from '../../../protocols/can/frame';
import { createVehicleController, numericControllerOptions } from '../native-common/vehicle-controller';
import { VehicleSide, type VehicleSideOptions } from '../native-common/vehicle-side';
import { CELL_DIDS, decodeZoeGen2Answer, decodeZoeGen2Frame, zoeGen2Crc, type ZoeGen2Reading } from './zoe-gen2-decoder';

export interface ZoeGen2VehicleOptions extends VehicleSideOptions {
  pollIntervalMs?: number;
  maxCellDeviationV?: number;
  /** 0: ignore the interlock of 0x0F8 (a controller with a defect; default 1). */
  tripOnInterlock?: number;
}

const REQUEST = 0x18dadbf1;
const ANSWER = 0x18daf1db;
const POLLS = [0x9001, 0x9003, 0x9005, 0x925d, 0x9007, 0x9009, 0x9012, 0x9013, 0x9014, 0x901a, 0x900e, 0x900f, ...CELL_DIDS];

export class ZoeGen2Vehicle extends VehicleSide<ZoeGen2VehicleOptions> {
  readonly reading: ZoeGen2Reading = { frames0F8: 0, badCrc: 0, cells: [] };
  answers = 0;
  private n373 = 0;
  private n0EE = 0;
  private pollIndex = 0;
  private cellsRound = new Set<number>();

  protected schedule(): void {
    this.every.add(10, () => this.send0EE());
    this.every.add(100, () => this.send100());
    this.every.add(this.o.pollIntervalMs ?? 200, () => this.poll());
  }

  private put(id: number, data: number[], extended = false): void {
    if (!this.silent && this.silentAtReached()) this.goSilent('silentAtS');
    if (this.silent) return;
    if (extended) this.bus.send({ id, extended, data: Uint8Array.from(data) }).catch(() => undefined);
    else this.sendFrame(id, data);
  }

  private send0EE(): void {
    const d = [0x32, 0x03, 0x20, 0xaa, 0x00, 0x00, this.n0EE, 0x00];
    d[7] = zoeGen2Crc(d, 0xac);
    this.n0EE = (this.n0EE + 1) % 16;
    this.put(0x0ee, d);
  }

  private send100(): void {
    const swap = Math.floor(this.n373 / 5) % 2 === 1;
    this.n373 = (this.n373 + 1) % 10;
    this.put(0x373, [this.tripped ? 0x01 : 0xc1, 0x40, swap ? 0x5d : 0xb2, swap ? 0xb2 : 0x5d, 0x00, 0x01, 0xff, 0xe3]);
    this.put(0x375, [0x02, 0x29, 0x00, 0xbf, 0xfe, 0x64, 0x00, 0xff]);
  }

  private poll(): void {
    if (this.tripped) return;
    const did = POLLS[this.pollIndex]!;
    this.pollIndex = (this.pollIndex + 1) % POLLS.length;
    this.put(REQUEST, [0x03, 0x22, did >> 8, did & 0xff, 0, 0, 0, 0], true);
  }

  protected onFrame(f: CanFrame): void {
    if (f.extended && f.id === ANSWER) {
      if (f.data[0] === 0x10) this.put(REQUEST, [0x30, 0, 0, 0, 0, 0, 0, 0], true);
      const did = decodeZoeGen2Answer(f.data, this.reading);
      if (did === undefined) return;
      this.answers++;
      if (CELL_DIDS.includes(did)) this.onCell(did);
      return;
    }
    if (f.extended) return;
    decodeZoeGen2Frame(f.id, f.data, this.reading);
    const il = this.reading.interlock;
    if (f.id === 0x0f8 && il !== undefined && il !== 0xfffe && (this.o.tripOnInterlock ?? 1) !== 0) this.trip(`interlock 0x${il.toString(16)}`);
  }

  private onCell(did: number): void {
    this.cellsRound.add(did);
    if (this.cellsRound.size < CELL_DIDS.length) return;
    this.cellsRound.clear();
    const c = this.reading.cells;
    const lo = Math.min(...c);
    const hi = Math.max(...c);
    if (hi - lo > (this.o.maxCellDeviationV ?? 0.15)) this.trip(`cell deviation ${((hi - lo) * 1000).toFixed(0)} mV (cell ${c.indexOf(lo) + 1} at ${lo.toFixed(3)} V)`);
  }
}

const OPTION_KEYS = ['pollIntervalMs', 'maxCellDeviationV', 'silentAtS', 'tripOnInterlock'] as const;
/** The options this module takes (checked by the harness before it starts). */
export const controllerOptions = numericControllerOptions(OPTION_KEYS);

/** The bench's `dut.module` entry point (harness/dut/controller-session.ts `ControllerModule`). */
export const createController = createVehicleController(ZoeGen2Vehicle, OPTION_KEYS, 'zoe gen2 vehicle ready');
