/**
 * Young-generation garbage collection in idle time, for real-time loops (issue 19): V8 scavenges when the young
 * generation fills up, that is in the middle of whatever allocates, so the pause (0.1-2 ms) lands inside a batch of
 * CAN sends or a Modbus reply. A loop that knows it has nothing to do for a while runs the scavenge there instead,
 * when the young generation is already past its threshold, and the allocation-triggered one no longer comes.
 */

/** How full the young generation is, bytes. */
export interface YoungGenUsage {
  /** Bytes allocated in it since the last scavenge. */
  used: number;
  /** Bytes left before V8 must scavenge. */
  available: number;
}

/** What {@link IdleGc} needs from the engine (injected in tests). */
export interface IdleGcEngine {
  /** Current young-generation usage. */
  usage(): YoungGenUsage;
  /** Run a minor GC (scavenge) now. */
  collectMinor(): void;
  /** Monotonic time, ms (to learn what a scavenge costs). */
  now(): number;
}

/** Options for {@link IdleGc}. */
export interface IdleGcOptions {
  /**
   * Scavenge once less than this fraction of the young generation is left (default 0.3). V8 itself starts a
   * scavenge task at about 80 % full and must scavenge at 100 %, so below 0.2 the idle one comes too late; higher
   * means more scavenges than V8 would run (each costs at least ~50 us).
   */
  freeFraction?: number;
  /**
   * Also scavenge when what is left is less than this many times the most allocated between two idle checks
   * recently (default 2): a busy stretch that allocates more than half the young generation still fits.
   */
  burstFactor?: number;
  /**
   * Only scavenge when at least this long is free before the next due work, ms, on top of what an idle scavenge is
   * expected to take (default 4). Measured (issue 19, 192 CAN tasks): in 3 ms gaps (staggered starts) idle
   * scavenges sometimes ran into the next batch (1-3 ms, on a loaded machine) where V8's own, fewer, did not; in the
   * 98 ms gaps of aligned starts they took every scavenge out of the batches.
   */
  minFreeMs?: number;
  /**
   * Look at the young generation at most this often, ms (default 20): reading it (`v8.getHeapSpaceStatistics`)
   * allocates about 1.3 kB, which at every idle point of a busy loop (320 a second for 192 staggered CAN tasks)
   * would itself fill the young generation faster than the loop does.
   */
  probeEveryMs?: number;
}

/** Figures for benchmarks. */
export interface IdleGcStats {
  /** Idle points seen. */
  idlePoints: number;
  /** Idle points where the young generation was looked at (see {@link IdleGcOptions.probeEveryMs}). */
  checks: number;
  /** Scavenges run in idle time. */
  collections: number;
  /** Idle points too short for a scavenge (not looked at). */
  tooShort: number;
  /** Longest idle scavenge, ms. */
  maxMs: number;
}

const SAMPLES = 32;
/** First guess of a scavenge's cost, ms, before one was measured. */
const FIRST_COST_MS = 0.5;
/** How much of the gap between a measured scavenge and the estimate each measurement moves it (1/8, as TCP's RTT). */
const GAIN = 1 / 8;
/** How much each check that found too little time shrinks the deviation: an outlier (a preempted scavenge) fades. */
const SHORT_DECAY = 0.9;

/**
 * Decides, at each idle point of a real-time loop, whether to scavenge now. Call {@link IdleGc.idle} when the loop
 * has finished its work and knows how long it has until the next (`freeMs`). Contract:
 * - scavenges only when the young generation is past its threshold (see {@link IdleGcOptions}) and `freeMs` is at
 *   least `minFreeMs` plus the expected cost of a scavenge ({@link IdleGc.costMs}: the mean of the measured ones plus
 *   four times their mean deviation, as TCP estimates a round trip), so a scavenge does not make the next work late;
 * - the young generation is looked at no more often than `probeEveryMs`, and only at idle points long enough;
 * - an idle point too short shrinks the deviation, and the mean towards the first guess (0.5 ms), so one long
 *   (preempted) scavenge cannot stop idle scavenges for good;
 * - at most one scavenge per call; nothing when the engine has no `gc` (see {@link v8Engine}).
 */
export class IdleGc {
  private readonly freeFraction: number;
  private readonly burstFactor: number;
  private readonly minFreeMs: number;
  /** Usage seen at the previous check (to learn the allocation between checks). */
  private lastUsed = -1;
  private readonly bursts = new Float64Array(SAMPLES);
  private burstCount = 0;
  private costMean = FIRST_COST_MS;
  private costDev = 0;
  private readonly probeEveryMs: number;
  private lastProbe = -Infinity;
  private readonly figures: IdleGcStats = { idlePoints: 0, checks: 0, collections: 0, tooShort: 0, maxMs: 0 };

  constructor(
    private readonly engine: IdleGcEngine,
    options: IdleGcOptions = {},
  ) {
    this.freeFraction = Math.min(0.9, Math.max(0, options.freeFraction ?? 0.3));
    this.burstFactor = Math.max(0, options.burstFactor ?? 2);
    this.minFreeMs = Math.max(0, options.minFreeMs ?? 4);
    this.probeEveryMs = Math.max(0, options.probeEveryMs ?? 20);
  }

  stats(): IdleGcStats {
    return { ...this.figures };
  }

  /** What an idle scavenge is expected to take, ms: mean of the measured ones plus 4 mean deviations. */
  get costMs(): number {
    return this.costMean + 4 * this.costDev;
  }

  /** Whether an idle point of `freeMs` is long enough to be worth a look (no side effect). */
  longEnough(freeMs: number): boolean {
    return freeMs >= this.minFreeMs + this.costMs;
  }

  /** The loop is idle for `freeMs`: scavenge if due and there is room. Returns whether it scavenged. */
  idle(freeMs: number): boolean {
    this.figures.idlePoints++;
    // Not worth a look when there is no time to scavenge anyway; and not more often than probeEveryMs.
    if (!this.longEnough(freeMs)) {
      this.figures.tooShort++;
      // Without scavenges there are no new measurements: let the estimate fade back towards the first guess, or
      // one long (preempted) scavenge would keep every later idle point too short for good.
      this.costDev *= SHORT_DECAY;
      if (this.costMean > FIRST_COST_MS) this.costMean = FIRST_COST_MS + (this.costMean - FIRST_COST_MS) * SHORT_DECAY;
      return false;
    }
    const start = this.engine.now();
    if (start - this.lastProbe < this.probeEveryMs) return false;
    this.lastProbe = start;
    this.figures.checks++;
    const { used, available } = this.engine.usage();
    // Growth since the last check is what the busy stretch in between allocated; a drop means V8 scavenged in it.
    if (this.lastUsed >= 0 && used >= this.lastUsed) this.bursts[this.burstCount++ % SAMPLES] = used - this.lastUsed;
    this.lastUsed = used;
    const capacity = used + available;
    let burst = 0;
    const n = Math.min(this.burstCount, SAMPLES);
    for (let i = 0; i < n; i++) if (this.bursts[i]! > burst) burst = this.bursts[i]!;
    const wanted = Math.max(capacity * this.freeFraction, burst * this.burstFactor);
    if (available >= wanted || used === 0) return false;
    const t0 = this.engine.now();
    this.engine.collectMinor();
    const took = this.engine.now() - t0;
    if (this.figures.collections === 0) {
      this.costMean = took;
      this.costDev = took / 2;
    } else {
      this.costDev += (Math.abs(took - this.costMean) - this.costDev) * GAIN;
      this.costMean += (took - this.costMean) * GAIN;
    }
    if (took > this.figures.maxMs) this.figures.maxMs = took;
    this.figures.collections++;
    this.lastUsed = this.engine.usage().used;
    return true;
  }
}

/**
 * An {@link IdleGc} made on first use (`get()`), so that a program that never reaches an idle point (or starts up)
 * does not pay for enabling `gc` (0.75 ms: a new context). `get()` gives `null` when off or when the engine has no
 * `gc`; `stats()` gives zeros while on and not made yet, `undefined` when off.
 */
export class LazyIdleGc {
  private made: IdleGc | null | undefined;
  constructor(private readonly options: IdleGcOptions | undefined) {
    if (options === undefined) this.made = null;
  }

  get(): IdleGc | null {
    if (this.made === undefined) {
      const e = v8Engine();
      this.made = e ? new IdleGc(e, this.options) : null;
    }
    return this.made;
  }

  stats(): IdleGcStats | undefined {
    if (this.options === undefined) return undefined;
    return this.made ? this.made.stats() : { idlePoints: 0, checks: 0, collections: 0, tooShort: 0, maxMs: 0 };
  }
}

let engine: IdleGcEngine | null | undefined;

let gcFn: EngineGc | null | undefined;

/** V8's `gc`: no options, a full collection; `{ type: 'minor' }`, a scavenge. */
export type EngineGc = (options?: { type: 'minor' | 'major' }) => void;

/**
 * V8's `gc`, or undefined when it cannot be had: `globalThis.gc` when the process was started with `--expose-gc`;
 * otherwise the flag is set at run time (`v8.setFlagsFromString`), `gc` taken from a fresh context and the flag
 * cleared again, once per process: contexts created later in this process (`vm`, test runners) do not see a global
 * `gc`. For {@link v8Engine} and the benchmark scripts.
 */
export function engineGc(): EngineGc | undefined {
  if (gcFn !== undefined) return gcFn ?? undefined;
  gcFn = null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { setFlagsFromString } = require('node:v8') as typeof import('node:v8');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { runInNewContext } = require('node:vm') as typeof import('node:vm');
    let gc = (globalThis as { gc?: unknown }).gc;
    if (typeof gc !== 'function') {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc');
      setFlagsFromString('--no-expose-gc');
    }
    if (typeof gc === 'function') gcFn = gc as EngineGc;
  } catch {
    /* no gc to be had */
  }
  return gcFn ?? undefined;
}

/** The running V8 as an {@link IdleGcEngine} (its `gc` from {@link engineGc}), or `null` when it cannot be had. */
export function v8Engine(): IdleGcEngine | null {
  if (engine !== undefined) return engine;
  engine = null;
  try {
    // Loaded here, not at the top: node:v8 costs about 1.3 ms to load, and nothing else at start-up needs it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { getHeapSpaceStatistics } = require('node:v8') as typeof import('node:v8');
    const collect = engineGc();
    if (!collect) return engine;
    engine = {
      usage: () => {
        for (const s of getHeapSpaceStatistics()) {
          if (s.space_name === 'new_space') return { used: s.space_used_size, available: s.space_available_size };
        }
        return { used: 0, available: Infinity };
      },
      collectMinor: () => collect({ type: 'minor' }),
      now: () => performance.now(),
    };
  } catch {
    engine = null;
  }
  return engine;
}
