/**
 * Compact time series of the signals a scenario's expectations read, for plots and evidence. Memory is bounded
 * regardless of run length: each signal keeps at most `maxBuckets` min/max buckets, and when time runs past the
 * last bucket the bucket width doubles (neighbours merge pairwise), so a 24 h run costs the same as a 2 min one.
 */

/** One signal's recording. Times are simulated ms since scenario start; bucket i covers [t[i], t[i] + bucketMs). */
export interface SignalSeries {
  bucketMs: number;
  /** Start of each non-empty bucket (ascending). Buckets where the signal had no value are left out (a gap). */
  t: number[];
  min: number[];
  max: number[];
  /** Every sample was a boolean (recorded as 0/1). */
  boolean?: true;
}

/** Signal name -> its recording. */
export type SeriesSet = Record<string, SignalSeries>;

/** Default bucket budget per signal (~2,000: finer than any plot, ~50 kB of JSON per signal). */
export const DEFAULT_MAX_BUCKETS = 2000;

/**
 * Min/max decimation into at most `maxBuckets` buckets. Samples must come with non-decreasing `t >= 0`; a sample
 * before the current first bucket or a non-finite value is ignored (counted in `dropped`).
 */
export class Decimator {
  private bucketMs: number;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private used = 0;
  dropped = 0;

  /**
   * @param maxBuckets at most this many buckets (even, >= 2).
   * @param initialBucketMs starting width; pass the plant step so short runs keep every sample.
   */
  constructor(
    readonly maxBuckets = DEFAULT_MAX_BUCKETS,
    initialBucketMs = 1,
  ) {
    if (!Number.isInteger(maxBuckets) || maxBuckets < 2 || maxBuckets % 2 !== 0) throw new RangeError(`maxBuckets must be an even integer >= 2 (got ${maxBuckets})`);
    if (!(initialBucketMs > 0)) throw new RangeError(`initialBucketMs must be > 0 (got ${initialBucketMs})`);
    this.bucketMs = initialBucketMs;
    this.min = new Float64Array(maxBuckets).fill(NaN);
    this.max = new Float64Array(maxBuckets).fill(NaN);
  }

  add(t: number, v: number): void {
    if (!(t >= 0) || !Number.isFinite(v)) {
      this.dropped++;
      return;
    }
    let i = Math.floor(t / this.bucketMs);
    while (i >= this.maxBuckets) {
      this.compact();
      i = Math.floor(t / this.bucketMs);
    }
    if (i + 1 > this.used) this.used = i + 1;
    const lo = this.min[i]!;
    if (!(lo <= v)) this.min[i] = v; // NaN (empty) or larger
    const hi = this.max[i]!;
    if (!(hi >= v)) this.max[i] = v;
  }

  /** Double the bucket width: bucket i becomes the merge of buckets 2i and 2i+1. */
  private compact(): void {
    const n = this.maxBuckets;
    for (let i = 0; i < n / 2; i++) {
      this.min[i] = nanMin(this.min[2 * i]!, this.min[2 * i + 1]!);
      this.max[i] = nanMax(this.max[2 * i]!, this.max[2 * i + 1]!);
    }
    this.min.fill(NaN, n / 2);
    this.max.fill(NaN, n / 2);
    this.used = Math.ceil(this.used / 2);
    this.bucketMs *= 2;
  }

  /** The non-empty buckets as plain arrays (a copy). */
  toSeries(): SignalSeries {
    const out: SignalSeries = { bucketMs: this.bucketMs, t: [], min: [], max: [] };
    for (let i = 0; i < this.used; i++) {
      const lo = this.min[i]!;
      if (Number.isNaN(lo)) continue;
      out.t.push(i * this.bucketMs);
      out.min.push(lo);
      out.max.push(this.max[i]!);
    }
    return out;
  }
}

function nanMin(a: number, b: number): number {
  return Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.min(a, b);
}
function nanMax(a: number, b: number): number {
  return Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b);
}

/**
 * Samples named signals at each plant step (`sample(t)`), booleans as 0/1. A signal with no value at a sample
 * (undefined) leaves a gap. `t` is skipped: it is the time axis itself.
 */
export class SeriesRecorder {
  private readonly signals: Array<{ name: string; d: Decimator; numbers: number; booleans: number }>;

  constructor(
    names: Iterable<string>,
    private readonly lookup: (name: string) => number | boolean | undefined,
    options: { maxBuckets?: number; initialBucketMs?: number } = {},
  ) {
    const unique = [...new Set(names)].filter((n) => n !== 't');
    this.signals = unique.map((name) => ({ name, d: new Decimator(options.maxBuckets ?? DEFAULT_MAX_BUCKETS, options.initialBucketMs ?? 1), numbers: 0, booleans: 0 }));
  }

  sample(t: number): void {
    for (const s of this.signals) {
      const v = this.lookup(s.name);
      if (v === undefined) continue;
      if (typeof v === 'boolean') {
        s.booleans++;
        s.d.add(t, v ? 1 : 0);
      } else {
        s.numbers++;
        s.d.add(t, v);
      }
    }
  }

  /** Every signal's series, in first-read order (signals never seen have empty arrays). */
  result(): SeriesSet {
    const out: SeriesSet = {};
    for (const s of this.signals) {
      const series = s.d.toSeries();
      if (s.booleans > 0 && s.numbers === 0) series.boolean = true;
      out[s.name] = series;
    }
    return out;
  }
}

/**
 * Merge neighbouring buckets so at most about `maxPoints` remain (for drawing: a plot needs about one bucket per
 * pixel column). Min/max are preserved; the result's `bucketMs` is the merged width.
 */
export function downsample(s: SignalSeries, maxPoints: number): SignalSeries {
  if (s.t.length <= maxPoints) return s;
  const span = s.t[s.t.length - 1]! + s.bucketMs;
  let factor = 1;
  while (span / (s.bucketMs * factor) > maxPoints) factor *= 2;
  return rebucket(s, s.bucketMs * factor);
}

/** Merge buckets into wider ones of width `w` (a multiple of the series' own): min of mins, max of maxes. */
export function rebucket(s: SignalSeries, w: number): SignalSeries {
  const out: SignalSeries = { bucketMs: w, t: [], min: [], max: [], ...(s.boolean ? { boolean: true as const } : {}) };
  for (let i = 0; i < s.t.length; i++) {
    const start = Math.floor(s.t[i]! / w) * w;
    const k = out.t.length - 1;
    if (k >= 0 && out.t[k] === start) {
      out.min[k] = Math.min(out.min[k]!, s.min[i]!);
      out.max[k] = Math.max(out.max[k]!, s.max[i]!);
    } else {
      out.t.push(start);
      out.min.push(s.min[i]!);
      out.max.push(s.max[i]!);
    }
  }
  return out;
}
