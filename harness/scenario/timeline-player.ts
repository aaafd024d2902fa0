import { ConfigError } from '../../core/errors';
import type { BenchInstance } from '../bench/bench-instance';
import type { ScenarioStep } from './scenario';

interface Ramp {
  target: string;
  from: number;
  to: number;
  t0: number;
  t1: number;
  where: string;
}

/**
 * Plays a scenario's timeline on a running bench: each step once its time has come (stimuli, ramps, faults,
 * clears, notes, ageing), and the ramps in progress at every plant step.
 *
 * Contract: steps apply in timeline order, each once, when `applyUpTo(t)` reaches their `atMs`; each applied step is
 * reported to `onEvent` with its time and a one-line text. A step the bench refuses throws `ConfigError` at the
 * step's place. `rampTo(t)` sets every ramp that has started to its value at `t` and drops the ramps that have ended.
 */
export class TimelinePlayer {
  private readonly pending: ScenarioStep[];
  private readonly ramps: Ramp[] = [];

  constructor(
    private readonly inst: BenchInstance,
    steps: readonly ScenarioStep[],
    private readonly onEvent: (atMs: number, text: string) => void,
  ) {
    this.pending = [...steps];
  }

  /** Apply every step due at or before `limit` (scenario ms). */
  applyUpTo(limit: number): void {
    while (this.pending.length > 0 && this.pending[0]!.atMs <= limit) this.apply(this.pending.shift()!);
  }

  /** Move the ramps to scenario time `t`. */
  rampTo(t: number): void {
    const ramps = this.ramps;
    for (const r of ramps) {
      if (t < r.t0) continue;
      const f = r.t1 > r.t0 ? Math.min(1, (t - r.t0) / (r.t1 - r.t0)) : 1;
      this.inst.setInput(r.target, r.from + (r.to - r.from) * f, r.where);
    }
    for (let i = ramps.length - 1; i >= 0; i--) if (t >= ramps[i]!.t1) ramps.splice(i, 1);
  }

  private apply(step: ScenarioStep): void {
    const inst = this.inst;
    const a = step.action;
    let text: string;
    switch (a.kind) {
      case 'set':
        for (const [k, v] of Object.entries(a.values)) inst.setInput(k, v, step.where);
        text = `set ${Object.entries(a.values).map(([k, v]) => `${k}=${String(v)}`).join(', ')}`;
        break;
      case 'ramp': {
        const from = a.from ?? numeric(inst.signal(a.target));
        if (from === undefined) throw new ConfigError(`ramp of '${a.target}': its current value is unknown; give 'from'`, step.where);
        this.ramps.push({ target: a.target, from, to: a.to, t0: step.atMs, t1: step.atMs + a.overMs, where: step.where });
        text = `ramp ${a.target} ${from} -> ${a.to} over ${a.overMs} ms`;
        break;
      }
      case 'fault':
        inst.injectFault(a.id, a.device, a.fault, a.params, step.where);
        text = `fault '${a.id}': ${a.device} ${a.fault} ${JSON.stringify(a.params)}`;
        break;
      case 'clear':
        inst.clearFault(a.id);
        text = `clear fault '${a.id}'`;
        break;
      case 'note':
        text = `note: ${a.text}`;
        break;
      case 'age': {
        // at once: the scenario clock does not move (docs/aging.md)
        const lines = inst.agePacks(a.days, a.duty, a.devices, step.where);
        text = `age ${a.days.toFixed(1)} days of '${a.duty}' (no time passes on the scenario clock): ${lines.join('; ')}`;
        break;
      }
    }
    this.onEvent(step.atMs, text);
  }
}

function numeric(v: number | boolean | undefined): number | undefined {
  return typeof v === 'boolean' ? (v ? 1 : 0) : v;
}
