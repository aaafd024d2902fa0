import type { BenchInstance } from '../bench/bench-instance';
import { formatDecoded } from '../../protocols/can/dbc';
import { formatFrame, type CanFrame } from '../../protocols/can/frame';
import { Ring } from '../bench/ring';

/** What the dashboard reads from a running bench. */
export type DashboardTarget = Pick<BenchInstance, 'bench' | 'devices' | 'can' | 'modbus' | 'startMs' | 'signal' | 'activeFaults' | 'recentWrites'>;

/** One pack's figures at one instant (units: V, A + = charge, %, degC). */
export interface PackSample {
  voltage: number;
  current: number;
  soc: number;
  cellMin: number;
  cellMax: number;
  cells: number[];
  tempMin: number;
  tempMax: number;
  chargeLimit: number;
  dischargeLimit: number;
  contactor: boolean;
  /** Alarm names in force (`overTemperature`...). */
  alarms: string[];
}

/** One inverter's figures at one instant (W, %). */
export interface InverterSample {
  pv: number;
  ac: number;
  battery: number;
  limitPct: number;
  state: number;
}

/** A CAN bus's traffic over the last sample interval. */
export interface BusSample {
  /** Frames per second per id (hex, `x` suffix for extended ids). */
  rates: Record<string, number>;
  /** Estimated share of the bitrate in use, % (frame bits incl. worst-case stuffing / bitrate). */
  load: number;
  frames: number;
}

/** Everything the page plots at one instant. */
export interface Snapshot {
  /** Seconds since the bench started. */
  t: number;
  packs: Record<string, PackSample>;
  inverters: Record<string, InverterSample>;
  buses: Record<string, BusSample>;
  /** Requests per endpoint and unit: `{ site: { "1": 120 } }` (cumulative). */
  modbus: Record<string, Record<string, number>>;
}

/** Recent traffic, decoded with the bus's DBC where there is one. */
export interface TrafficView {
  frames: Array<{ t: number; bus: string; raw: string; decoded?: string }>;
  writes: string[];
}

const ALARMS = ['overVoltage', 'underVoltage', 'overTemperature', 'underTemperature', 'overCurrent', 'chargeOverCurrent', 'dischargeOverCurrent', 'insulation', 'internal', 'internalComms', 'contactor', 'sensor', 'imbalance', 'temperatureSpread', 'heartbeatLost'];

/** Bit rate assumed for the load estimate when the bench does not say (the LV/HV battery protocols run at 500 kbit/s). */
export const DEFAULT_BITRATE = 500_000;

/**
 * Samples a running bench for the dashboard: one {@link Snapshot} per `sample()` call, the newest `historySize`
 * kept. Listens to every bench bus (a counter per id, nothing decoded on the frame path). `close()` stops
 * listening; idempotent.
 */
export class DashboardSampler {
  readonly history: Ring<Snapshot>;
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly bits = new Map<string, number>();
  private readonly unsubs: Array<() => void> = [];
  private lastMs: number;

  constructor(
    private readonly inst: DashboardTarget,
    private readonly now: () => number,
    historySize = 600,
  ) {
    this.history = new Ring(historySize);
    this.lastMs = now();
    for (const b of inst.can.values()) {
      const counts = new Map<string, number>();
      this.counts.set(b.name, counts);
      this.bits.set(b.name, 0);
      this.unsubs.push(
        b.handle.onFrame((f: CanFrame) => {
          const key = frameKey(f);
          counts.set(key, (counts.get(key) ?? 0) + 1);
          this.bits.set(b.name, this.bits.get(b.name)! + frameBits(f));
        }),
      );
    }
  }

  /** Take a snapshot now, keep it in the history and return it. */
  sample(): Snapshot {
    const nowMs = this.now();
    const dt = Math.max(1e-3, (nowMs - this.lastMs) / 1000);
    this.lastMs = nowMs;
    const snap: Snapshot = { t: round((nowMs - this.inst.startMs) / 1000, 3), packs: {}, inverters: {}, buses: {}, modbus: {} };
    for (const d of this.inst.devices.values()) {
      const n = (s: string): number => num(d.signal(s));
      if (d.type === 'bms') {
        snap.packs[d.name] = {
          voltage: n('voltage'),
          current: n('current'),
          soc: n('soc'),
          cellMin: n('cell.voltage.min'),
          cellMax: n('cell.voltage.max'),
          cells: (d.cellVoltages?.() ?? []).map((v) => round(v, 4)),
          tempMin: n('temperature.min'),
          tempMax: n('temperature.max'),
          chargeLimit: n('chargeCurrentLimit'),
          dischargeLimit: n('dischargeCurrentLimit'),
          contactor: d.signal('contactorClosed') === true,
          alarms: ALARMS.filter((a) => d.signal(`alarm.${a}`) === true),
        };
      } else {
        snap.inverters[d.name] = { pv: n('dc.power'), ac: n('ac.power'), battery: n('battery.power'), limitPct: n('limit_pct'), state: n('state.sunspec') };
      }
    }
    for (const [bus, counts] of this.counts) {
      const rates: Record<string, number> = {};
      let frames = 0;
      for (const [id, c] of counts) {
        rates[id] = round(c / dt, 1);
        frames += c;
      }
      counts.clear();
      const bitrate = this.bitrate(bus);
      snap.buses[bus] = { rates, frames, load: round((100 * this.bits.get(bus)!) / dt / bitrate, 2) };
      this.bits.set(bus, 0);
    }
    for (const m of this.inst.modbus.values()) {
      snap.modbus[m.name] = Object.fromEntries([...m.unitRequests].map(([u, c]) => [String(u), c]));
    }
    this.history.push(snap);
    return snap;
  }

  /** Recent frames (newest last, at most `limit`), decoded with the bus's DBC, and the controller's Modbus writes. */
  traffic(limit = 30): TrafficView {
    const frames: TrafficView['frames'] = [];
    for (const b of this.inst.can.values()) {
      for (const f of b.recent.toArray()) {
        let decoded: string | undefined;
        try {
          const d = b.wire?.db.tryDecode(f, { allowTruncated: true });
          if (d) decoded = formatDecoded(d);
        } catch {
          decoded = undefined;
        }
        frames.push({ t: round(((f.timestamp ?? 0) - this.inst.startMs) / 1000, 3), bus: b.name, raw: formatFrame(f), ...(decoded ? { decoded } : {}) });
      }
    }
    frames.sort((a, b) => a.t - b.t);
    return { frames: frames.slice(-limit), writes: this.inst.recentWrites(limit) };
  }

  close(): void {
    for (const u of this.unsubs.splice(0)) u();
  }

  private bitrate(bus: string): number {
    const m = /bitrate=(\d+)/.exec(this.inst.bench.file.can?.[bus]?.medium ?? '');
    return m ? Number(m[1]) : DEFAULT_BITRATE;
  }
}

function frameKey(f: CanFrame): string {
  return `0x${f.id.toString(16).toUpperCase()}${f.extended ? 'x' : ''}`;
}

/** Bits on the wire for a classic frame, worst-case bit stuffing (Bosch CAN 2.0: 47/67 overhead bits). */
function frameBits(f: CanFrame): number {
  const payload = 8 * f.data.length;
  const head = f.extended ? 54 : 34;
  return head + payload + Math.floor((head + payload - 1) / 4) + 13;
}

function num(v: number | boolean | undefined): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  return typeof v === 'number' && Number.isFinite(v) ? round(v, 3) : 0;
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
