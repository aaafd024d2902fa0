/**
 * A PV (optionally hybrid) inverter model: PV strings with per-string MPPT, an efficiency curve, AC power limits
 * and ramps, power factor, grid protection with trip and reconnect, a battery port honouring the BMS limits, and
 * operating states that map to SunSpec `St`. Deterministic for a seed; time advances only through `step(dt)`
 * (see `driveWithClock`).
 */
import { ConfigError } from '../../core/errors';
import type { BatteryPort } from './battery-port';
import { DEFAULT_EFFICIENCY, efficiencyAt, validateCurve } from './efficiency';
import type { EfficiencyCurve } from './efficiency';
import type { FaultHandle, InverterFaultSpec } from './faults';
import { EVT, GridProtection } from './grid-protection';
import { clearDay } from './irradiance';
import type { IrradianceProfile } from './irradiance';
import { MpptTracker } from './mppt';
import { PvString } from './pv-array';
import type { MppPoint, PvStringConfig } from './pv-array';
import { SeededRandom } from '../../core/random';
import { OperatingState, THROTTLE } from './inverter-types';
import type { CommandOptions, InverterCommand, InverterConfig, InverterControls, InverterSnapshot, PhaseConfig, StringSnapshot } from './inverter-types';

export { OperatingState, THROTTLE } from './inverter-types';
export type { CommandOptions, InverterCommand, InverterConfig, InverterControls, InverterSnapshot, PhaseConfig, StringSnapshot } from './inverter-types';

interface Pending {
  due: number;
  seq: number;
  cmd: InverterCommand;
}

interface ActiveFault {
  id: number;
  spec: InverterFaultSpec;
}

/** What one step's phases hand on to the next ones (see `Inverter.step`). */
interface PvSample {
  tod: number;
  /** Plane-of-array irradiance, W/m2. */
  g: number;
  moduleC: number;
  mpps: MppPoint[];
}

interface StepEvents {
  events: number;
  vendorEvents: number;
  /** A fault code or over-temperature: state FAULT. */
  faulted: boolean;
}

interface BatteryReading {
  /** The port, or undefined without one or while its link is lost. */
  bat: BatteryPort | undefined;
  closed: boolean;
  volts: number;
  chargeMaxW: number;
  dischargeMaxW: number;
  /** Battery power band, W (+ charge). */
  band: { lo: number; hi: number };
}

interface TrackedPv {
  /** PV available at each tracker, W. */
  avail: number[];
  pvAvail: number;
}

interface OutputCap {
  capW: number;
  /** THROTTLE bits of the limits that set the cap. */
  throttle: number;
  limitPct: number;
}

interface PowerFlow {
  /** AC power delivered, W (+ export). */
  ac: number;
  /** Battery power, W (+ charge). */
  batW: number;
  pvUsed: number;
  /** PV left unused beyond 1 % of the rating (at least 10 W). */
  curtailed: boolean;
}

interface AcOutput {
  acVar: number;
  acVA: number;
  pf: number;
  acA: number;
}

interface StepRecord {
  t: number;
  dt: number;
  pv: PvSample;
  grid: { volts: number; hz: number };
  sinkC: number;
  ev: StepEvents;
  port: BatteryReading;
  state: OperatingState;
  running: boolean;
  tracked: TrackedPv;
  cap: OutputCap;
  flow: PowerFlow;
  throttle: number;
  batA: number;
  ac: AcOutput;
  strings: StringSnapshot[];
}

export class Inverter {
  readonly ratedW: number;
  readonly ratedVA: number;
  readonly phases: PhaseConfig;
  readonly nominalV: number;
  readonly nominalHz: number;
  readonly strings: readonly PvString[];
  readonly battery: BatteryPort | undefined;
  readonly batteryMaxW: number;
  readonly honourBmsLimits: boolean;
  readonly identity: Required<NonNullable<InverterConfig['identity']>>;
  private readonly trackers: MpptTracker[];
  private readonly profile: IrradianceProfile;
  private ambientC: number;
  private irradianceOverride: number | undefined;
  private readonly startTod: number;
  private readonly curve: EfficiencyCurve;
  private readonly startDelayS: number;
  private readonly wakeW: number;
  private readonly derateStartC: number;
  private readonly derateEndC: number;
  private readonly overTempTripC: number;
  private readonly protection: GridProtection;
  private readonly rng: SeededRandom;
  private readonly ctl: InverterControls;
  private pending: Pending[] = [];
  private seq = 0;
  private faults: ActiveFault[] = [];
  private nextFaultId = 1;
  private gridV: number;
  private gridHz: number;
  private startingFor = 0;
  private limitFromPct = 100;
  private limitRampStart = 0;
  private limitSetAt = 0;
  private connectRevertAt = 0;
  private storageSetAt = 0;
  private storageFrom = { inPct: 100, outPct: 100 };
  private storageRampStart = 0;
  private siteLoadW: number;
  private acOut = 0;
  private heatsink: number;
  private snap: InverterSnapshot;
  private tNow = 0;
  private dcSwitchOn = true;

  constructor(config: InverterConfig = {}) {
    this.ratedW = config.ratedW ?? 5000;
    this.ratedVA = config.ratedVA ?? this.ratedW;
    if (!(this.ratedW > 0) || !(this.ratedVA >= this.ratedW)) throw new ConfigError('inverter: ratedW must be > 0 and ratedVA >= ratedW');
    this.phases = config.phases ?? 'single';
    this.nominalV = config.nominalV ?? 230;
    this.nominalHz = config.nominalHz ?? 50;
    const strings: PvStringConfig[] = config.strings ?? [{ modules: 8 }, { modules: 8 }];
    this.strings = strings.map((s) => new PvString(s));
    this.trackers = strings.map((s) => new MpptTracker(s.mpptSettleS ?? 3));
    if (this.strings.length === 0) throw new ConfigError('inverter: at least one PV string');
    this.profile = config.profile ?? clearDay();
    this.ambientC = config.ambientC ?? 25;
    this.startTod = config.startTimeOfDay ?? 12 * 3600;
    this.curve = config.efficiency ?? DEFAULT_EFFICIENCY;
    validateCurve(this.curve);
    this.startDelayS = config.startDelayS ?? 5;
    this.wakeW = config.wakeW ?? 20;
    this.derateStartC = config.derateStartC ?? 70;
    this.derateEndC = config.derateEndC ?? 85;
    this.overTempTripC = config.overTempTripC ?? 90;
    this.protection = new GridProtection({ nominalV: this.nominalV, nominalHz: this.nominalHz, ...config.grid });
    this.rng = new SeededRandom(config.seed ?? 1);
    this.battery = config.battery;
    this.batteryMaxW = config.batteryMaxW ?? this.ratedW;
    this.honourBmsLimits = config.honourBmsLimits ?? true;
    this.siteLoadW = Math.max(0, config.siteLoadW ?? 0);
    this.identity = {
      manufacturer: config.identity?.manufacturer ?? 'SecondLife HIL',
      model: config.identity?.model ?? `SL-INV-${Math.round(this.ratedW / 1000)}K${config.battery ? '-H' : ''}`,
      serial: config.identity?.serial ?? `SLI${(config.seed ?? 1).toString().padStart(8, '0')}`,
      version: config.identity?.version ?? '0.1.0',
    };
    this.gridV = this.nominalV;
    this.gridHz = this.nominalHz;
    this.heatsink = this.ambientC;
    this.ctl = {
      connect: true,
      limitEnabled: false,
      limitPct: 100,
      limitRampS: 0,
      limitRevertS: 0,
      limitRevertTo: 'disable',
      limitReversionPct: 100,
      limitReversionEnabled: false,
      pfEnabled: false,
      pf: 1,
      pfExcitation: 'over',
      wMax: this.ratedW,
      rampPctPerS: config.rampPctPerS ?? 20,
      storageCharge: false,
      storageDischarge: false,
      chargePct: 100,
      dischargePct: 100,
      gridCharging: config.gridCharging ?? true,
      chargeMaxW: this.batteryMaxW,
      minReservePct: clamp(config.minReservePct ?? 0, 0, 100),
      storageRevertS: 0,
      storageRampS: 0,
    };
    this.snap = this.emptySnapshot();
  }

  /** Current state (a fresh object each step; do not mutate). */
  get state(): Readonly<InverterSnapshot> {
    return this.snap;
  }

  /** Current controls (read-only view; change them with `command`). */
  get controls(): Readonly<InverterControls> {
    return this.ctl;
  }

  /** Model time, seconds. */
  get time(): number {
    return this.tNow;
  }

  get phaseCount(): number {
    return this.phases === 'three' ? 3 : this.phases === 'split' ? 2 : 1;
  }

  /** Open (false) or close the DC isolator, as an operator would: open means state OFF, no PV, no battery. */
  setDcSwitch(on: boolean): void {
    this.dcSwitchOn = on;
  }

  /**
   * Scenario stimuli: hold the plane-of-array irradiance at `wPerM2` instead of the profile (`undefined` returns to
   * the profile), and set the ambient temperature (degC) that drives module and heat-sink temperatures.
   */
  setEnvironment(e: { irradiance?: number | null; ambientC?: number; siteLoadW?: number }): void {
    if (e.irradiance !== undefined) this.irradianceOverride = e.irradiance === null ? undefined : Math.max(0, e.irradiance);
    if (e.ambientC !== undefined) this.ambientC = e.ambientC;
    if (e.siteLoadW !== undefined) this.siteLoadW = Math.max(0, e.siteLoadW);
  }

  /** House consumption behind the site meter, W (see `InverterConfig.siteLoadW`). */
  get siteLoad(): number {
    return this.siteLoadW;
  }

  /** Set the grid as measured at the terminals (scenario stimulus). Faults override it while active. */
  setGrid(g: { volts?: number; hz?: number }): void {
    if (g.volts !== undefined) this.gridV = g.volts;
    if (g.hz !== undefined) this.gridHz = g.hz;
  }

  /**
   * Apply a controller command. Returns 'applied' (in force now), 'scheduled' (window or slow-command delay) or
   * 'ignored' (ignore-commands fault). Values are validated by the caller (the register map); this clamps.
   */
  command(cmd: InverterCommand, options: CommandOptions = {}): 'applied' | 'scheduled' | 'ignored' {
    if (this.faultsOf('ignore-commands').length > 0) return 'ignored';
    let delay = 0;
    for (const f of this.faultsOf('slow-commands')) delay = Math.max(delay, f.delayS);
    if (options.windowS && options.windowS > 0) delay += this.rng.range(0, options.windowS);
    if (delay <= 0) {
      this.applyCommand(cmd);
      return 'applied';
    }
    this.pending.push({ due: this.tNow + delay, seq: this.seq++, cmd });
    return 'scheduled';
  }

  private applyCommand(cmd: InverterCommand): void {
    const c = this.ctl;
    switch (cmd.kind) {
      case 'limit': {
        const from = this.effectiveLimitPct();
        if (cmd.pct !== undefined) c.limitPct = clamp(cmd.pct, 0, 100);
        c.limitEnabled = cmd.enabled;
        if (cmd.rampS !== undefined) c.limitRampS = Math.max(0, cmd.rampS);
        if (cmd.revertS !== undefined) c.limitRevertS = Math.max(0, cmd.revertS);
        c.limitRevertTo = cmd.revertTo ?? 'disable';
        this.limitFromPct = from;
        this.limitRampStart = this.tNow;
        this.limitSetAt = this.tNow;
        break;
      }
      case 'limit-reversion':
        if (cmd.pct !== undefined) c.limitReversionPct = clamp(cmd.pct, 0, 100);
        if (cmd.enabled !== undefined) c.limitReversionEnabled = cmd.enabled;
        break;
      case 'connect':
        c.connect = cmd.connect;
        this.connectRevertAt = cmd.revertS && cmd.revertS > 0 ? this.tNow + cmd.revertS : 0;
        break;
      case 'power-factor':
        c.pfEnabled = cmd.enabled;
        if (cmd.pf !== undefined) c.pf = clamp(Math.abs(cmd.pf), 0.01, 1);
        if (cmd.excitation !== undefined) c.pfExcitation = cmd.excitation;
        break;
      case 'max-power':
        c.wMax = clamp(cmd.watts, 0, this.ratedW);
        break;
      case 'ramp-rate':
        c.rampPctPerS = Math.max(0.01, cmd.pctPerS);
        break;
      case 'storage': {
        const from = this.effectiveRates();
        if (cmd.charge !== undefined) c.storageCharge = cmd.charge;
        if (cmd.discharge !== undefined) c.storageDischarge = cmd.discharge;
        if (cmd.chargePct !== undefined) c.chargePct = clamp(cmd.chargePct, -100, 100);
        if (cmd.dischargePct !== undefined) c.dischargePct = clamp(cmd.dischargePct, -100, 100);
        if (cmd.gridCharging !== undefined) c.gridCharging = cmd.gridCharging;
        if (cmd.chargeMaxW !== undefined) c.chargeMaxW = clamp(cmd.chargeMaxW, 0, this.batteryMaxW);
        if (cmd.minReservePct !== undefined) c.minReservePct = clamp(cmd.minReservePct, 0, 100);
        if (cmd.revertS !== undefined) c.storageRevertS = Math.max(0, cmd.revertS);
        if (cmd.rampS !== undefined) c.storageRampS = Math.max(0, cmd.rampS);
        this.storageFrom = from;
        this.storageRampStart = this.tNow;
        this.storageSetAt = this.tNow;
        break;
      }
    }
  }

  /** Inject a fault; see `InverterFaultSpec`. Takes effect from the next step. */
  injectFault(spec: InverterFaultSpec): FaultHandle {
    if (spec.kind === 'slow-commands' && !(spec.delayS >= 0)) throw new ConfigError('slow-commands fault: delayS must be >= 0');
    if (spec.kind === 'fault-code' && spec.events.some((e) => !(e in EVT))) {
      throw new ConfigError(`fault-code: unknown event in [${spec.events.join(', ')}] (known: ${Object.keys(EVT).join(', ')})`);
    }
    const f: ActiveFault = { id: this.nextFaultId++, spec: { ...spec } };
    this.faults.push(f);
    const faults = (): ActiveFault[] => this.faults;
    const drop = (): void => {
      this.faults = this.faults.filter((x) => x !== f);
    };
    return {
      id: f.id,
      spec: f.spec,
      get active() {
        return faults().includes(f);
      },
      clear: drop,
    };
  }

  /** Faults in force. */
  get activeFaults(): readonly Readonly<InverterFaultSpec>[] {
    return this.faults.map((f) => f.spec);
  }

  private faultsOf<K extends InverterFaultSpec['kind']>(kind: K): Extract<InverterFaultSpec, { kind: K }>[] {
    return this.faults.filter((f) => f.spec.kind === kind).map((f) => f.spec as Extract<InverterFaultSpec, { kind: K }>);
  }

  /** InWRte/OutWRte in force now (100 where a bit is off), moving over InOutWRte_RmpTms after a change. */
  private effectiveRates(): { inPct: number; outPct: number } {
    const c = this.ctl;
    const inPct = c.storageCharge ? c.chargePct : 100;
    const outPct = c.storageDischarge ? c.dischargePct : 100;
    if (c.storageRampS <= 0) return { inPct, outPct };
    const x = clamp((this.tNow - this.storageRampStart) / c.storageRampS, 0, 1);
    return { inPct: this.storageFrom.inPct + (inPct - this.storageFrom.inPct) * x, outPct: this.storageFrom.outPct + (outPct - this.storageFrom.outPct) * x };
  }

  private effectiveLimitPct(): number {
    const c = this.ctl;
    const target = c.limitEnabled ? c.limitPct : 100;
    if (c.limitRampS <= 0) return target;
    const x = clamp((this.tNow - this.limitRampStart) / c.limitRampS, 0, 1);
    return this.limitFromPct + (target - this.limitFromPct) * x;
  }

  /**
   * Advance the model by `dt` seconds, in phases: commands and reverts, PV and grid sensing, heat sink, events,
   * battery port, operating state, MPPT, output cap, power dispatch (battery and AC), reactive power, strings, and
   * the snapshot with its counters. Each phase reads what the ones before it produced; the order is the model's.
   */
  step(dt: number): void {
    if (!(dt > 0)) return;
    this.tNow += dt;
    const t = this.tNow;
    this.applyDueCommands(t);
    this.applyReverts(t);
    const pv = this.samplePv(t);
    const grid = this.senseGrid(dt);
    const sinkC = this.stepHeatsink(dt);
    const ev = this.collectEvents(sinkC);
    const port = this.readBatteryPort();
    let state = this.decideState(dt, pv, port, ev);
    const running = state === OperatingState.Mppt;
    const tracked = this.trackPv(dt, running, pv);
    const cap = this.outputCap(sinkC);
    const flow = this.dispatchPower(dt, running, tracked.pvAvail, cap.capW, port);
    // At the cap with PV to spare: throttled (clipping at the rating counts as MAX_W). Ramping up is not throttling.
    let throttle = cap.throttle;
    const atCap = flow.ac >= cap.capW - 1;
    if (running && flow.curtailed && atCap) {
      state = OperatingState.Throttled;
      if (throttle === 0) throttle = 1 << THROTTLE.MAX_W;
    } else throttle = 0;
    const batA = port.bat && port.closed && port.volts > 0 ? flow.batW / port.volts : 0;
    this.battery?.setCurrent(batA);
    const ac = this.reactivePower(running, flow.ac, grid.volts);
    const strings = this.stringSnapshots(dt, running, pv, tracked, flow.pvUsed);
    this.record({ t, dt, pv, grid, sinkC, ev, port, state, running, tracked, cap, flow, throttle, batA, ac, strings });
  }

  /** Commands whose window or delay has passed, in order. */
  private applyDueCommands(t: number): void {
    if (this.pending.length === 0) return;
    const due = this.pending.filter((p) => p.due <= t + 1e-9).sort((a, b) => a.due - b.due || a.seq - b.seq);
    this.pending = this.pending.filter((p) => p.due > t + 1e-9);
    for (const p of due) this.applyCommand(p.cmd);
  }

  /** Revert timers that ran out: the power limit, the connect command, the 124 storage limits. */
  private applyReverts(t: number): void {
    const c = this.ctl;
    if (c.limitEnabled && c.limitRevertS > 0 && t - this.limitSetAt >= c.limitRevertS - 1e-9) {
      const points = c.limitRevertTo === 'reversion-points';
      this.applyCommand({ kind: 'limit', enabled: points && c.limitReversionEnabled, ...(points ? { pct: c.limitReversionPct } : {}), revertS: 0 });
    }
    if (this.connectRevertAt > 0 && t >= this.connectRevertAt - 1e-9) {
      c.connect = !c.connect;
      this.connectRevertAt = 0;
    }
    // 124 timeout: back to automatic (no limit in force, rates at their 100 % defaults); the timer is spent.
    if (c.storageRevertS > 0 && t - this.storageSetAt >= c.storageRevertS - 1e-9) {
      this.applyCommand({ kind: 'storage', charge: false, discharge: false, chargePct: 100, dischargePct: 100, rampS: 0 });
      c.storageRevertS = 0;
    }
  }

  /** Irradiance, module temperature and each string's maximum power point now. */
  private samplePv(t: number): PvSample {
    const tod = this.startTod + t;
    const g = this.irradianceOverride ?? this.profile.irradiance(tod);
    const moduleC = this.strings[0]!.moduleTemperature(this.ambientC, g);
    const mpps = this.strings.map((s) => s.mpp(g, moduleC));
    return { tod, g, moduleC, mpps };
  }

  /** The grid as seen at the terminals, after faults; grid protection steps on it. */
  private senseGrid(dt: number): { volts: number; hz: number } {
    let volts = this.gridV;
    let hz = this.gridHz;
    let islanded = false;
    for (const f of this.faults) {
      if (f.spec.kind === 'grid-voltage') volts = f.spec.volts;
      else if (f.spec.kind === 'grid-frequency') hz = f.spec.hz;
      else if (f.spec.kind === 'grid-loss') {
        volts = 0;
        hz = 0;
      } else if (f.spec.kind === 'anti-islanding') islanded = true;
    }
    this.protection.step(dt, volts, hz, islanded);
    return { volts, hz };
  }

  /** Heat sink: first-order toward ambient + losses, unless a fault holds it. Returns its temperature, degC. */
  private stepHeatsink(dt: number): number {
    const lossW = Math.abs(this.acOut) * (1 / efficiencyAt(this.curve, this.acOut / this.ratedW) - 1);
    const sinkTarget = this.ambientC + 0.12 * lossW;
    this.heatsink += (sinkTarget - this.heatsink) * (1 - Math.exp(-dt / 300));
    const heldSink = this.faultsOf('over-temperature');
    return heldSink.length > 0 ? heldSink[heldSink.length - 1]!.heatsinkC : this.heatsink;
  }

  /** Evt1 and vendor event bits from protection, fault codes, over-temperature and the connect command. */
  private collectEvents(sinkC: number): StepEvents {
    let events = this.protection.reasons;
    let vendorEvents = 0;
    const codes = this.faultsOf('fault-code');
    for (const f of codes) {
      for (const e of f.events) events |= 1 << EVT[e];
      if (f.vendorCode !== undefined) vendorEvents |= f.vendorCode >>> 0;
    }
    const overTemp = sinkC >= this.overTempTripC;
    if (overTemp) events |= 1 << EVT.OVER_TEMP;
    if (!this.ctl.connect) events |= 1 << EVT.MANUAL_SHUTDOWN;
    return { events, vendorEvents, faulted: codes.length > 0 || overTemp };
  }

  /** The battery as the inverter sees it this step (none while its link is lost): contactor, voltage, power limits. */
  private readBatteryPort(): BatteryReading {
    const c = this.ctl;
    const batLinked = this.faultsOf('battery-comms-loss').length === 0;
    const bat = batLinked ? this.battery : undefined;
    if (bat) bat.heartbeat?.();
    const closed = bat ? bat.contactorClosed() : false;
    const volts = bat && closed ? bat.voltage() : 0;
    const chargeMaxW = bat && closed && volts > 0 ? Math.min(c.chargeMaxW, this.batteryMaxW, this.honourBmsLimits ? bat.chargeCurrentLimit() * volts : Infinity) : 0;
    const dischargeMaxW = bat && closed && volts > 0 ? Math.min(c.chargeMaxW, this.batteryMaxW, this.honourBmsLimits ? bat.dischargeCurrentLimit() * volts : Infinity) : 0;
    const band = this.batteryBand(chargeMaxW, dischargeMaxW, bat?.soc?.());
    return { bat, closed, volts, chargeMaxW, dischargeMaxW, band };
  }

  /**
   * Operating state. The battery alone wakes the inverter when it must move power without PV. An open DC isolator
   * adds DC_DISCONNECT to `ev.events`; the start delay counts here.
   */
  private decideState(dt: number, pv: PvSample, port: BatteryReading, ev: StepEvents): OperatingState {
    const c = this.ctl;
    const { band } = port;
    const mppTotal = pv.mpps.reduce((s, m) => s + m.watts, 0);
    const dcPresent = mppTotal >= this.wakeW || band.hi < 0 || (band.lo > 0 && c.gridCharging) || (this.siteLoadW > 0 && band.lo < 0);
    let state: OperatingState;
    if (!this.dcSwitchOn) {
      state = OperatingState.Off;
      ev.events |= 1 << EVT.DC_DISCONNECT;
    } else if (ev.faulted) state = OperatingState.Fault;
    else if (this.protection.tripped || !c.connect) state = OperatingState.Standby;
    else if (!dcPresent) state = OperatingState.Sleeping;
    else {
      const wasRunning = this.snap.state === OperatingState.Mppt || this.snap.state === OperatingState.Throttled;
      if (!wasRunning) {
        this.startingFor += dt;
        state = this.startingFor >= this.startDelayS - 1e-9 ? OperatingState.Mppt : OperatingState.Starting;
      } else state = OperatingState.Mppt;
    }
    if (state !== OperatingState.Mppt && state !== OperatingState.Starting) this.startingFor = 0;
    return state;
  }

  /** MPPT: PV available at the trackers (nothing, and trackers reset, while not running). */
  private trackPv(dt: number, running: boolean, pv: PvSample): TrackedPv {
    if (!running) {
      this.acOut = 0;
      for (const tr of this.trackers) tr.reset();
    }
    const avail = this.trackers.map((tr, i) => (running ? tr.step(dt, pv.mpps[i]!.watts) : 0));
    const pvAvail = avail.reduce((s, w) => s + w, 0);
    return { avail, pvAvail };
  }

  /** Output cap, W: rating, WMax, the power limit (ramped), thermal derating, and the VA budget under a PF setting. */
  private outputCap(sinkC: number): OutputCap {
    const c = this.ctl;
    let throttle = 0;
    const limitPct = this.effectiveLimitPct();
    let capW = Math.min(this.ratedW, c.wMax);
    if (c.wMax < this.ratedW) throttle |= 1 << THROTTLE.MAX_W;
    if (c.limitEnabled || limitPct < 100) {
      const lim = (limitPct / 100) * Math.min(this.ratedW, c.wMax);
      if (lim < capW) {
        capW = lim;
        throttle |= 1 << THROTTLE.FIXED_W;
      }
    }
    if (sinkC > this.derateStartC) {
      const derated = this.ratedW * clamp((this.derateEndC - sinkC) / (this.derateEndC - this.derateStartC), 0, 1);
      if (derated < capW) {
        capW = derated;
        throttle |= 1 << THROTTLE.DERATED;
      }
    }
    // Apparent-power budget: with a PF setting, active power yields to the VA rating.
    const pfSet = c.pfEnabled ? c.pf : 1;
    capW = Math.min(capW, this.ratedVA * pfSet);
    return { capW, throttle, limitPct };
  }

  /**
   * Battery and AC power. The battery plan is self-consumption (PV beyond the house load, and PV the AC cap would
   * clip, charges; the house load PV cannot cover discharges) inside the band the 124 limits and the BMS allow; the
   * AC target follows from the DC balance, capped and ramped; then the DC side settles to the AC actually delivered.
   */
  private dispatchPower(dt: number, running: boolean, pvAvail: number, capW: number, port: BatteryReading): PowerFlow {
    const c = this.ctl;
    const { bat, closed } = port;
    let batW = 0;
    let bandHi = port.band.hi;
    if (!c.gridCharging) bandHi = Math.min(bandHi, pvAvail);
    const bandLo = Math.min(port.band.lo, bandHi);
    if (running && bat && closed) {
      const eff = efficiencyAt(this.curve, 1);
      const surplus = Math.max(pvAvail - this.siteLoadW / eff, pvAvail - capW / eff);
      batW = clamp(surplus, bandLo, bandHi);
    }

    // AC target from the DC balance, capped and ramped.
    const dcNet = pvAvail - batW;
    const acOfDcNet = dcNet >= 0 ? dcNet * efficiencyAt(this.curve, dcNet / this.ratedW) : dcNet / efficiencyAt(this.curve, -dcNet / this.ratedW);
    let acTarget = clamp(acOfDcNet, -Math.min(this.ratedW, port.chargeMaxW), capW);
    if (!running) acTarget = 0;
    const rampW = (c.rampPctPerS / 100) * this.ratedW * dt;
    this.acOut = acTarget > this.acOut ? Math.min(acTarget, this.acOut + rampW) : acTarget;

    // Settle the DC side to the AC actually delivered.
    const ac = this.acOut;
    // Delivered as planned: the DC side is the plan (inverting the curve at the AC point would drift a little).
    const dcForAc =
      running && ac === acOfDcNet ? dcNet : ac >= 0 ? (ac > 0 ? ac / efficiencyAt(this.curve, ac / this.ratedW) : 0) : ac * efficiencyAt(this.curve, -ac / this.ratedW);
    let pvUsed = clamp(dcForAc + batW, 0, pvAvail);
    batW = pvUsed - dcForAc;
    if (batW > port.chargeMaxW) {
      batW = port.chargeMaxW;
      pvUsed = Math.min(pvAvail, dcForAc + batW);
    }
    if (batW < -port.dischargeMaxW) batW = -port.dischargeMaxW;
    if (!bat || !closed) batW = 0;
    const curtailed = running && pvAvail - pvUsed > Math.max(10, 0.01 * this.ratedW);
    return { ac, batW, pvUsed, curtailed };
  }

  /** Reactive power by the PF setting, limited by the VA rating; apparent power, PF and current at `volts`. */
  private reactivePower(running: boolean, ac: number, volts: number): AcOutput {
    const c = this.ctl;
    let acVar = 0;
    if (running && c.pfEnabled && c.pf < 1 && ac !== 0) {
      const q = Math.abs(ac) * Math.tan(Math.acos(c.pf));
      const qMax = Math.sqrt(Math.max(0, this.ratedVA ** 2 - ac ** 2));
      acVar = Math.min(q, qMax) * (c.pfExcitation === 'over' ? 1 : -1);
    }
    const acVA = Math.hypot(ac, acVar);
    const pf = acVA > 0 ? (Math.abs(ac) / acVA) * (acVar < 0 ? -1 : 1) : 1;
    const acA = volts > 0 ? acVA / volts : 0;
    return { acVar, acVA, pf, acA };
  }

  /** Per string: the share of PV used, at the MPP voltage (or above it when curtailed), and its energy counter. */
  private stringSnapshots(dt: number, running: boolean, pv: PvSample, tracked: TrackedPv, pvUsed: number): StringSnapshot[] {
    const { g, moduleC, mpps } = pv;
    const { avail, pvAvail } = tracked;
    return this.strings.map((s, i) => {
      const share = pvAvail > 0 ? (avail[i]! / pvAvail) * pvUsed : 0;
      const mpp = mpps[i]!;
      const voc = s.openCircuitVoltage(g, moduleC);
      const volts2 = share > 0 && mpp.watts > 0 ? mpp.volts + (voc - mpp.volts) * clamp(1 - share / mpp.watts, 0, 1) * 0.8 : running ? mpp.volts : voc;
      const prev = this.snap.strings[i]?.whTotal ?? 0;
      return { watts: share, volts: volts2, amps: volts2 > 0 ? share / volts2 : 0, mppW: mpp.watts, whTotal: prev + (share * dt) / 3600 };
    });
  }

  /** Accounting: the new snapshot, with the energy counters and revert timers carried forward. */
  private record(r: StepRecord): void {
    const c = this.ctl;
    const { t, dt, pv, grid, sinkC, ev, port, state, running, tracked, cap, flow, throttle, batA, ac, strings } = r;
    const dcW = strings.reduce((s, x) => s + x.watts, 0);
    const dcV = strings.reduce((s, x) => Math.max(s, x.volts), 0);
    const dcA = strings.reduce((s, x) => s + x.amps, 0);
    const p = this.snap;
    this.snap = {
      t,
      timeOfDay: pv.tod,
      irradiance: pv.g,
      moduleC: pv.moduleC,
      state,
      connected: running,
      acW: flow.ac,
      acVar: ac.acVar,
      acVA: ac.acVA,
      pf: ac.pf,
      acA: ac.acA,
      gridV: grid.volts,
      gridHz: grid.hz,
      dcW,
      dcV,
      dcA,
      pvAvailableW: tracked.pvAvail,
      strings,
      batteryW: flow.batW,
      batteryA: batA,
      batteryV: port.volts,
      batterySoc: port.bat?.soc?.(),
      whExported: p.whExported + (Math.max(0, flow.ac) * dt) / 3600,
      whImported: p.whImported + (Math.max(0, -flow.ac) * dt) / 3600,
      varhInjected: p.varhInjected + (Math.max(0, ac.acVar) * dt) / 3600,
      varhAbsorbed: p.varhAbsorbed + (Math.max(0, -ac.acVar) * dt) / 3600,
      heatsinkC: sinkC,
      cabinetC: this.ambientC + (sinkC - this.ambientC) * 0.4,
      events: ev.events,
      vendorEvents: ev.vendorEvents,
      limitW: cap.capW,
      limitPctNow: cap.limitPct,
      throttleSources: throttle,
      limitRevertRemainingS: c.limitEnabled && c.limitRevertS > 0 ? Math.max(0, c.limitRevertS - (t - this.limitSetAt)) : 0,
      storageRevertRemainingS: c.storageRevertS > 0 ? Math.max(0, c.storageRevertS - (t - this.storageSetAt)) : 0,
      batteryMinW: port.band.lo,
      batteryMaxW: port.band.hi,
    };
  }

  /**
   * The battery power band, W (+ charge), from the natural limits (converter, WChaMax, BMS) narrowed by the 124
   * limits in force: bit 0 caps charge at InWRte % of WChaMax (negative: forces that much discharge), bit 1 caps
   * discharge at OutWRte % (negative: forces that much charge). At or below MinRsvPct nothing discharges.
   * Contradictory limits (a forced charge above the charge cap) resolve to the charge cap.
   */
  private batteryBand(chargeMaxW: number, dischargeMaxW: number, soc: number | undefined): { lo: number; hi: number } {
    const c = this.ctl;
    const r = this.effectiveRates();
    let hi = chargeMaxW;
    let lo = -dischargeMaxW;
    if (c.storageCharge) hi = Math.min(hi, (r.inPct / 100) * c.chargeMaxW);
    if (c.storageDischarge) lo = Math.max(lo, (-r.outPct / 100) * c.chargeMaxW);
    hi = clamp(hi, -dischargeMaxW, chargeMaxW);
    lo = clamp(lo, -dischargeMaxW, chargeMaxW);
    if (soc !== undefined && c.minReservePct > 0 && soc <= c.minReservePct) {
      hi = Math.max(hi, 0);
      lo = Math.max(lo, 0);
    }
    return { lo: Math.min(lo, hi), hi };
  }

  private emptySnapshot(): InverterSnapshot {
    return {
      t: 0,
      timeOfDay: this.startTod,
      irradiance: 0,
      moduleC: this.ambientC,
      state: OperatingState.Off,
      connected: false,
      acW: 0,
      acVar: 0,
      acVA: 0,
      pf: 1,
      acA: 0,
      gridV: this.gridV,
      gridHz: this.gridHz,
      dcW: 0,
      dcV: 0,
      dcA: 0,
      pvAvailableW: 0,
      strings: this.strings.map(() => ({ watts: 0, volts: 0, amps: 0, mppW: 0, whTotal: 0 })),
      batteryW: 0,
      batteryA: 0,
      batteryV: 0,
      batterySoc: undefined,
      whExported: 0,
      whImported: 0,
      varhInjected: 0,
      varhAbsorbed: 0,
      heatsinkC: this.ambientC,
      cabinetC: this.ambientC,
      events: 0,
      vendorEvents: 0,
      limitW: this.ratedW,
      limitPctNow: 100,
      throttleSources: 0,
      limitRevertRemainingS: 0,
      storageRevertRemainingS: 0,
      batteryMinW: 0,
      batteryMaxW: 0,
    };
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}
