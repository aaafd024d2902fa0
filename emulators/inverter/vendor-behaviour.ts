/**
 * The behaviour of a vendor map: settings (RW registers without `drives`) are stored here, and the map's
 * `behaviour` bindings turn them into what the inverter model does, in SunSpec 124 terms (docs/vendor-maps.md):
 *
 * - mode: the working-mode setting picks `auto` (self-consumption within the limits), `command` (the forced
 *   charge/discharge command is in force) or `setpoint` (a signed AC power setpoint is in force).
 * - command: charge / discharge at the commanded power, or stop (battery power 0). A forced charge may take power
 *   from the grid.
 * - setpoint: `import` means power into the inverter's AC port (the battery gets it plus the PV, as Victron's
 *   "AC-in = battery + AC-out"); `charge` means battery power.
 * - charge/discharge limits (W, A at the battery voltage, or % of the battery reference power), disable-charge,
 *   grid-charge enable, minimum SOC.
 * - export limit at the site meter: the inverter's AC output is capped at limit + house load (a % limit is of the
 *   rated AC power; of several bindings the lowest enabled one applies); disable-feed-in is a limit of 0.
 * - time of use (in auto mode, programme on): the slot in force caps discharge at its power and keeps its SOC as the
 *   minimum; below that SOC with the slot's grid charging allowed, the battery charges (charge power setting, else
 *   the slot power).
 * - periods (time-of-use with start and end, when no forced command is in force): in a charge period the battery
 *   charges at the charge power (grid charging allowed, where the binding has that switch) up to the period's target
 *   SOC, then holds (no discharge) until the period ends; a discharge period is self-consumption; outside every period
 *   `no-discharge` keeps the battery from discharging (PV surplus still charges). A period whose end is before its
 *   start runs over midnight; one with equal start and end is empty. Weekday masks count the run's days from
 *   `startWeekday` (0 Sunday .. 6 Saturday), a new day each time the time of day wraps.
 * - timeout: after a write to a watched setting, when the time runs out (a fixed number of seconds or a setting),
 *   the listed settings take their revert values (a lapsed command reverts); a new watched write restarts it.
 *
 * Contract: `write` stores values that the device has already checked, then applies the result to the model at
 * once (before the Modbus response). `tick` (every model step) runs the timeout and re-applies what depends on the
 * model (PV, battery voltage, house load). Commands go to the model only when their content changes. With `rampS`,
 * a forced or setpoint target is approached linearly from the battery power when it was set, over `rampS` seconds
 * (the brand's ramp); limits apply at once.
 */
import type { Inverter, InverterCommand } from './inverter';
import type { FlagBinding, LimitBinding, TimeRef, VendorMap } from './vendor-map';

export type BehaviourKind = 'auto' | 'command' | 'setpoint';

export class VendorBehaviourEngine {
  private readonly values = new Map<string, number>();
  private armedAt: number | undefined;
  private lastStorage = '';
  private lastLimit = '';
  /** The battery power ramp toward a forced/setpoint target (W): from, to, start time. */
  private ramp: { from: number; to: number; start: number } | undefined;

  /** Days since the run started, counted when the time of day wraps. */
  private day = 0;
  private lastTod: number;

  /** @param startWeekday the run's first weekday for weekday masks (0 Sunday .. 6 Saturday; default 0). */
  constructor(
    readonly inverter: Inverter,
    readonly map: VendorMap,
    readonly startWeekday = 0,
  ) {
    this.lastTod = inverter.state.timeOfDay;
    for (const [name, reg] of map.settings) this.values.set(name, reg.initial ?? 0);
    this.apply();
  }

  /** A setting's value, in its register's unit. */
  get(setting: string): number {
    return this.values.get(setting) ?? 0;
  }

  /** Seconds left before the timeout reverts (undefined: not armed or no timeout). */
  get timeoutRemainingS(): number | undefined {
    const s = this.timeoutSeconds();
    return this.armedAt === undefined || s === undefined ? undefined : Math.max(0, s - (this.inverter.time - this.armedAt));
  }

  /** The mode in force now. */
  get kind(): BehaviourKind {
    const b = this.map.behaviour;
    if (!b) return 'auto';
    if (b.mode) return b.mode.map.get(this.get(b.mode.setting)) ?? 'auto';
    return b.command ? 'command' : b.setpoint ? 'setpoint' : 'auto';
  }

  /** Store checked values (one Modbus write) and apply them. */
  write(changes: ReadonlyArray<{ setting: string; value: number }>): void {
    for (const c of changes) this.values.set(c.setting, c.value);
    const t = this.map.behaviour?.timeout;
    if (t && changes.some((c) => t.watch.includes(c.setting))) this.armedAt = this.inverter.time;
    this.apply();
  }

  /** Once per model step: the timeout, then what depends on the model's state. */
  tick(): void {
    const tod = this.inverter.state.timeOfDay;
    if (tod < this.lastTod - 1e-6) this.day++;
    this.lastTod = tod;
    const t = this.map.behaviour?.timeout;
    const secs = this.timeoutSeconds();
    if (t && this.armedAt !== undefined && secs !== undefined && this.inverter.time - this.armedAt >= secs - 1e-9) {
      for (const [s, v] of t.revert) this.values.set(s, v);
      this.armedAt = undefined;
    }
    this.apply();
  }

  private timeoutSeconds(): number | undefined {
    const t = this.map.behaviour?.timeout;
    if (!t) return undefined;
    const s = t.seconds ?? this.get(t.setting!) * (t.unit === 'min' ? 60 : 1);
    return s > 0 ? s : undefined;
  }

  private watts(v: number, unit: 'W' | 'A' | 'pct'): number {
    if (unit === 'W') return v;
    if (unit === 'A') return v * (this.inverter.state.batteryV || this.inverter.battery?.voltage() || 0);
    return (v / 100) * this.inverter.controls.chargeMaxW;
  }

  private limit(l: LimitBinding | undefined, pctOf = this.inverter.controls.chargeMaxW): number | undefined {
    if (!l) return undefined;
    if (l.enable && this.get(l.enable.setting) !== l.enable.on) return undefined;
    const v = this.get(l.setting);
    if (l.none !== undefined && v === l.none) return undefined;
    return Math.max(0, l.unit === 'pct' ? (v / 100) * pctOf : this.watts(v, l.unit));
  }

  private on(f: FlagBinding | undefined): boolean | undefined {
    if (!f) return undefined;
    const v = this.get(f.setting);
    return f.mask !== undefined ? (v & f.mask) !== 0 : v === f.on;
  }

  /** The time-of-use slot in force now, when the programme is on: the latest start at or before the time of day. */
  touSlot(): { power: number; soc: number; gridCharge: boolean } | undefined {
    const t = this.map.behaviour?.tou;
    if (!t || !this.on(t.enable)) return undefined;
    const tod = (((this.inverter.state.timeOfDay / 60) % 1440) + 1440) % 1440;
    const minutes = (v: number) => (t.timeFormat === 'hhmm' ? Math.floor(v / 100) * 60 + (v % 100) : v);
    const starts = t.slots.map((s) => minutes(this.get(s.start)));
    let best = -1;
    starts.forEach((m, i) => {
      if (m <= tod && (best < 0 || m >= starts[best]!)) best = i;
    });
    if (best < 0) starts.forEach((m, i) => (best < 0 || m > starts[best]! ? (best = i) : undefined)); // before the first start: the last slot runs on
    const slot = t.slots[best]!;
    return { power: this.get(slot.power), soc: this.get(slot.soc), gridCharge: this.on(slot.gridCharge) ?? false };
  }

  /** The weekday now (0 Sunday .. 6 Saturday). */
  get weekday(): number {
    // The model's time of day may run on past 86400 s (it does today) or wrap (then tick counts the wraps).
    return (this.startWeekday + this.day + Math.floor(this.inverter.state.timeOfDay / 86400)) % 7;
  }

  private minutesOf(t: TimeRef, format: 'hhmm' | 'minutes'): number {
    if ('hour' in t) return this.get(t.hour) * 60 + this.get(t.minute);
    const v = this.get(t.setting);
    return format === 'hhmm' ? Math.floor(v / 100) * 60 + (v % 100) : v;
  }

  /** The time-of-use period in force now (the first listed that covers the time of day), when the programme is on. */
  periodNow(): { index: number; action: 'charge' | 'discharge'; soc: number } | undefined {
    const p = this.map.behaviour?.periods;
    if (!p || !this.on(p.enable)) return undefined;
    const tod = (((this.inverter.state.timeOfDay / 60) % 1440) + 1440) % 1440;
    const n = Math.min(p.list.length, p.count !== undefined ? this.get(p.count) : p.list.length);
    for (let i = 0; i < n; i++) {
      const e = p.list[i]!;
      const a = this.minutesOf(e.start, p.timeFormat);
      const b = this.minutesOf(e.end, p.timeFormat);
      if (a === b) continue;
      if (!(a < b ? tod >= a && tod < b : tod >= a || tod < b)) continue;
      if (e.days && (this.get(e.days.setting) & e.days.mask & (1 << (e.days.firstBit + this.weekday))) === 0) continue;
      const action = typeof e.action === 'string' ? e.action : this.on(e.action) ? 'discharge' : 'charge';
      return { index: i, action, soc: e.soc !== undefined ? this.get(e.soc) : p.chargeSoc !== undefined ? this.get(p.chargeSoc) : 100 };
    }
    return undefined;
  }

  private apply(): void {
    const b = this.map.behaviour;
    if (!b) return;
    const inv = this.inverter;
    let lo = -Infinity;
    let hi = Infinity;
    let forcedCharge = false;
    let commanded = false;
    const kind = this.kind;
    if (kind === 'command' && b.command) {
      const c = b.command;
      const v = this.get(c.setting);
      commanded = true;
      if (c.charge !== undefined && v === c.charge) {
        lo = hi = this.watts(this.get(c.chargePower!), c.unit);
        forcedCharge = true;
      } else if (c.discharge !== undefined && v === c.discharge) lo = hi = -this.watts(this.get(c.dischargePower!), c.unit);
      else if (c.stop !== undefined && v === c.stop) lo = hi = 0;
      else commanded = false;
    }
    const p = b.periods;
    if (p && (kind === 'auto' || (kind === 'command' && !commanded)) && this.on(p.enable)) {
      const period = this.periodNow();
      const soc = inv.state.batterySoc;
      if (period?.action === 'charge') {
        if (soc !== undefined && soc < period.soc - 1e-9 && (p.gridCharge === undefined || this.on(p.gridCharge))) {
          lo = hi = p.chargePower ? this.watts(this.get(p.chargePower.setting), p.chargePower.unit) : inv.controls.chargeMaxW;
          forcedCharge = true;
        } else lo = Math.max(lo, 0);
      } else if (!period && p.outside === 'no-discharge') lo = Math.max(lo, 0);
    }
    const slot = kind === 'auto' ? this.touSlot() : undefined;
    let reserve = b.minSoc ? this.get(b.minSoc.setting) : undefined;
    if (slot) {
      // In a slot: discharge up to its power and not below its SOC; below its SOC with grid charging allowed, charge.
      reserve = slot.soc;
      lo = -slot.power;
      const soc = inv.state.batterySoc;
      if (slot.gridCharge && soc !== undefined && soc < slot.soc) {
        const cp = b.tou!.chargePower;
        lo = hi = cp ? this.watts(this.get(cp.setting), cp.unit) : slot.power;
        forcedCharge = true;
      }
    }
    if (kind === 'setpoint' && b.setpoint) {
      const sp = b.setpoint.settings.reduce((s, x) => s + this.get(x), 0);
      lo = hi = b.setpoint.positive === 'charge' ? sp : sp + inv.state.pvAvailableW;
      forcedCharge = sp > 0;
    }
    const cl = this.limit(b.chargeLimit);
    if (cl !== undefined) hi = Math.min(hi, cl);
    if (this.on(b.disableCharge)) hi = Math.min(hi, 0);
    lo = Math.min(lo, hi);
    const dl = this.limit(b.dischargeLimit);
    if (dl !== undefined) lo = Math.max(lo, -dl);
    hi = Math.max(hi, lo);
    if (b.rampS > 0 && lo === hi) {
      // A new target (more than 5 % of the reference away) ramps from the battery power now; small moves (a setpoint
      // following the PV) keep the ramp going.
      const ref = Math.max(1, inv.controls.chargeMaxW);
      if (!this.ramp || Math.abs(this.ramp.to - lo) > 0.05 * ref) this.ramp = { from: inv.state.batteryW, to: lo, start: inv.time };
      else this.ramp.to = lo;
      const x = Math.min(1, Math.max(0, (inv.time - this.ramp.start) / b.rampS));
      lo = hi = this.ramp.from + (this.ramp.to - this.ramp.from) * x;
    } else this.ramp = undefined;

    const touchesStorage = b.mode || b.command || b.setpoint || b.chargeLimit || b.dischargeLimit || b.disableCharge || b.gridCharge || b.minSoc || b.tou || b.periods;
    if (touchesStorage) {
      const ref = inv.controls.chargeMaxW;
      const pct = (w: number) => (ref > 0 ? Math.round(Math.max(-100, Math.min(100, (100 * w) / ref)) * 1000) / 1000 : 0);
      const gridCharging = forcedCharge ? true : this.on(b.gridCharge);
      const cmd: InverterCommand = {
        kind: 'storage',
        charge: Number.isFinite(hi),
        discharge: Number.isFinite(lo),
        chargePct: Number.isFinite(hi) ? pct(hi) : 100,
        dischargePct: Number.isFinite(lo) ? pct(-lo) : 100,
        ...(gridCharging !== undefined ? { gridCharging } : {}),
        ...(reserve !== undefined ? { minReservePct: reserve } : {}),
        rampS: 0,
      };
      const key = JSON.stringify(cmd);
      if (key !== this.lastStorage) {
        this.lastStorage = key;
        inv.command(cmd);
      }
    }

    if (b.exportLimit || b.disableFeedIn) {
      const limits = (b.exportLimit ?? []).map((l) => this.limit(l, inv.ratedW)).filter((w): w is number => w !== undefined);
      let exportW = limits.length > 0 ? Math.min(...limits) : undefined;
      if (this.on(b.disableFeedIn)) exportW = 0;
      const wMax = inv.controls.wMax;
      const pct = exportW === undefined || wMax <= 0 ? 100 : Math.round(Math.min(100, (100 * (exportW + inv.siteLoad)) / wMax) * 1000) / 1000;
      const cmd: InverterCommand = pct < 100 ? { kind: 'limit', enabled: true, pct } : { kind: 'limit', enabled: false };
      const key = JSON.stringify(cmd);
      if (key !== this.lastLimit) {
        this.lastLimit = key;
        inv.command(cmd);
      }
    }
  }
}
