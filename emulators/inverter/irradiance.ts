/**
 * Plane-of-array irradiance profiles, W/m^2, as pure functions of the time of day (seconds since midnight; values
 * beyond 86400 continue into the next day). Pure functions make the trace independent of the step size: the same
 * seed and time give the same irradiance however the model is stepped.
 */
import { ConfigError } from '../../core/errors';
import { SeededRandom } from '../../core/random';

export interface IrradianceProfile {
  readonly name: string;
  /** Irradiance at time of day `t` seconds, W/m^2 >= 0. */
  irradiance(t: number): number;
}

export interface ClearDayOptions {
  /** Seconds since midnight (default 6 h and 18 h). */
  sunrise?: number;
  sunset?: number;
  /** Irradiance at solar noon, W/m^2 (default 1000). */
  peak?: number;
}

/** A clear day: a smooth bell between sunrise and sunset. */
export function clearDay(options: ClearDayOptions = {}): IrradianceProfile {
  const rise = options.sunrise ?? 6 * 3600;
  const set = options.sunset ?? 18 * 3600;
  const peak = options.peak ?? 1000;
  if (!(set > rise)) throw new ConfigError(`clear-day profile: sunset (${set}) must be after sunrise (${rise})`);
  return {
    name: 'clear-day',
    irradiance(t) {
      const tod = ((t % 86400) + 86400) % 86400;
      if (tod <= rise || tod >= set) return 0;
      return peak * Math.pow(Math.sin((Math.PI * (tod - rise)) / (set - rise)), 1.3);
    },
  };
}

export interface CloudyDayOptions extends ClearDayOptions {
  seed: number;
  /** Clouds per hour on average (default 12). */
  cloudsPerHour?: number;
  /** Fraction of irradiance a cloud removes, range (default 0.4-0.8). */
  minDepth?: number;
  maxDepth?: number;
  /** Cloud edge (transition) duration in seconds, range (default 1-8 s: fast transients). */
  minEdge?: number;
  maxEdge?: number;
}

interface Cloud {
  start: number;
  duration: number;
  depth: number;
  edge: number;
}

/**
 * A cloudy day: the clear-day bell shaded by passing clouds with fast edges (irradiance can fall by most of its
 * value within seconds, which is what stresses MPPT and ramp-rate logic). Clouds are drawn from `seed` per day.
 */
export function cloudyDay(options: CloudyDayOptions): IrradianceProfile {
  const clear = clearDay(options);
  const perHour = options.cloudsPerHour ?? 12;
  const minDepth = options.minDepth ?? 0.4;
  const maxDepth = options.maxDepth ?? 0.8;
  const minEdge = options.minEdge ?? 1;
  const maxEdge = options.maxEdge ?? 8;
  const days = new Map<number, Cloud[]>();
  const cloudsOf = (day: number): Cloud[] => {
    let list = days.get(day);
    if (!list) {
      const rng = new SeededRandom((options.seed ^ Math.imul(day + 1, 0x9e3779b1)) >>> 0);
      list = [];
      let t = 0;
      const meanGap = 3600 / Math.max(perHour, 1e-6);
      for (;;) {
        t += -Math.log(1 - rng.next()) * meanGap;
        if (t >= 86400) break;
        list.push({ start: t, duration: rng.range(20, 600), depth: rng.range(minDepth, maxDepth), edge: rng.range(minEdge, maxEdge) });
      }
      days.set(day, list);
    }
    return list;
  };
  return {
    name: 'cloudy-day',
    irradiance(t) {
      const day = Math.floor(t / 86400);
      const tod = t - day * 86400;
      let g = clear.irradiance(t);
      if (g === 0) return 0;
      for (const c of cloudsOf(day)) {
        if (tod < c.start || tod > c.start + c.duration + c.edge) continue;
        const into = Math.min(tod - c.start, c.start + c.duration + c.edge - tod);
        const shade = c.depth * Math.min(1, into / c.edge);
        g *= 1 - shade;
      }
      return g;
    },
  };
}

export interface RampOptions {
  /** Time of day the ramp starts, seconds. */
  start: number;
  duration: number;
  from: number;
  to: number;
}

/** A linear ramp, flat before and after: `dawn` (0 -> to) and `dusk` (from -> 0) are ramps. */
export function ramp(o: RampOptions, name = 'ramp'): IrradianceProfile {
  if (!(o.duration > 0)) throw new ConfigError(`${name} profile: duration must be > 0`);
  return {
    name,
    irradiance(t) {
      const x = Math.min(1, Math.max(0, (t - o.start) / o.duration));
      return Math.max(0, o.from + (o.to - o.from) * x);
    },
  };
}

/** Dawn: irradiance rises from 0 to `to` W/m^2 over `duration` seconds from `start`. */
export function dawn(start: number, duration: number, to = 300): IrradianceProfile {
  return ramp({ start, duration, from: 0, to }, 'dawn');
}

/** Dusk: irradiance falls from `from` W/m^2 to 0 over `duration` seconds from `start`. */
export function dusk(start: number, duration: number, from = 300): IrradianceProfile {
  return ramp({ start, duration, from, to: 0 }, 'dusk');
}

/** A fixed irradiance (tests, bench checks). */
export function constant(g: number): IrradianceProfile {
  return { name: 'constant', irradiance: () => Math.max(0, g) };
}
