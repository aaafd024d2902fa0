/**
 * Fault hooks for Modbus servers (shared by TCP and RTU). Scenarios add rules; the server core asks
 * {@link FaultInjector.match} once per request and turns the matching faults into a `ResponsePlan`
 * (server-core.ts); the transports apply the ADU-level ones.
 */
import type { ExceptionCode } from './device';
import { SeededRandom } from '../../core/random';

export type ModbusFault =
  /** Answer `ms` later than normal. Several delays add up. */
  | { kind: 'delay'; ms: number }
  /** Send nothing; the request is not executed either (the device "did not hear it"). */
  | { kind: 'no-response' }
  /** Answer with this exception instead of executing the request. */
  | { kind: 'exception'; code: ExceptionCode }
  /** RTU: send the reply with a corrupted CRC. TCP: ignored. */
  | { kind: 'bad-crc' }
  /** Send only the first `bytes` bytes of the ADU. */
  | { kind: 'truncate'; bytes: number }
  /** Send the ADU in `chunks` pieces with `gapMs` between them. */
  | { kind: 'split'; chunks: number; gapMs: number }
  /** TCP only: answer with a transaction id other than the request's. */
  | { kind: 'wrong-transaction-id' }
  /** Answer with a unit id other than the request's. */
  | { kind: 'wrong-unit-id' };

/** When a fault applies. Every given filter must match; omitted filters match anything. */
export interface FaultRule {
  fault: ModbusFault;
  unitId?: number;
  functionCode?: number;
  /** Matches when the request's address range [start, start + quantity - 1] overlaps [from, to] (inclusive). */
  address?: { from: number; to: number };
  /** Only on this transport. */
  transport?: 'tcp' | 'rtu';
  /** Apply this many times, then the rule expires. Undefined: until removed. */
  remaining?: number;
  /** Chance 0..1 of applying to a matching request, drawn from the injector's seeded PRNG (deterministic). */
  probability?: number;
}

/** What {@link FaultInjector.match} looks at. `address`/`quantity` are absent for requests that did not decode. */
export interface FaultQuery {
  transport: 'tcp' | 'rtu';
  unitId: number;
  functionCode: number;
  address?: number;
  quantity?: number;
}

interface LiveRule {
  rule: FaultRule;
  remaining: number;
}

/**
 * A list of fault rules, matched in the order they were added. Deterministic for a seed: the PRNG is drawn once
 * per matching rule that has a `probability`, so the same request sequence gives the same faults.
 */
export class FaultInjector {
  private rules: LiveRule[] = [];
  private random: SeededRandom;
  /** Number of faults applied so far (all kinds). */
  applied = 0;

  constructor(options: { seed?: number } = {}) {
    this.random = new SeededRandom(options.seed ?? 1);
  }

  /** Restart the PRNG with a seed (scenarios call this at start for reproducible runs). */
  reseed(seed: number): void {
    this.random = new SeededRandom(seed);
  }

  /** Add a rule; returns a function that removes it (idempotent). Rejects malformed rules with `RangeError`. */
  add(rule: FaultRule): () => void {
    validate(rule);
    const live: LiveRule = { rule, remaining: rule.remaining ?? Infinity };
    this.rules.push(live);
    return () => {
      this.rules = this.rules.filter((r) => r !== live);
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** Number of live rules. */
  get size(): number {
    return this.rules.length;
  }

  /** The faults that apply to this request, in rule order. Counts down `remaining` and drops expired rules. */
  match(q: FaultQuery): ModbusFault[] {
    if (this.rules.length === 0) return [];
    const out: ModbusFault[] = [];
    let expired = false;
    for (const live of this.rules) {
      const r = live.rule;
      if (live.remaining <= 0) continue;
      if (r.unitId !== undefined && r.unitId !== q.unitId) continue;
      if (r.functionCode !== undefined && r.functionCode !== q.functionCode) continue;
      if (r.transport !== undefined && r.transport !== q.transport) continue;
      if (r.address !== undefined) {
        if (q.address === undefined) continue;
        const end = q.address + Math.max(1, q.quantity ?? 1) - 1;
        if (end < r.address.from || q.address > r.address.to) continue;
      }
      if (r.probability !== undefined && this.random.next() >= r.probability) continue;
      out.push(r.fault);
      live.remaining--;
      if (live.remaining <= 0) expired = true;
    }
    if (expired) this.rules = this.rules.filter((r) => r.remaining > 0);
    this.applied += out.length;
    return out;
  }
}

function validate(rule: FaultRule): void {
  const f = rule.fault;
  if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) {
    throw new RangeError(`fault probability ${rule.probability} is outside 0..1`);
  }
  if (rule.remaining !== undefined && !(Number.isInteger(rule.remaining) && rule.remaining >= 1)) {
    throw new RangeError(`fault remaining ${rule.remaining} must be a positive integer`);
  }
  if (rule.address && !(rule.address.from <= rule.address.to)) {
    throw new RangeError(`fault address range ${rule.address.from}..${rule.address.to} is empty`);
  }
  if (f.kind === 'delay' && !(f.ms >= 0)) throw new RangeError(`fault delay ${f.ms} ms must be >= 0`);
  if (f.kind === 'truncate' && !(Number.isInteger(f.bytes) && f.bytes >= 0)) {
    throw new RangeError(`fault truncate ${f.bytes} bytes must be an integer >= 0`);
  }
  if (f.kind === 'split' && !(Number.isInteger(f.chunks) && f.chunks >= 1 && f.gapMs >= 0)) {
    throw new RangeError(`fault split needs chunks >= 1 and gapMs >= 0`);
  }
}
