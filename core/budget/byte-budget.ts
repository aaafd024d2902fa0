/**
 * A size budget shared by every evidence stream of a run (CAN traces, Modbus logs).
 *
 * Contract: streams call `spend(n)` with the bytes they put on disk (after compression) and check `exhausted`
 * before writing more. Once the total reaches `limit`, `exhausted` is true for good, `onExhausted` is called once,
 * and writers stop: the overshoot is at most what a stream had in flight (one compression block). A limit of
 * `Infinity` never runs out.
 */
export class ByteBudget {
  private usedBytes = 0;
  private done = false;

  constructor(
    readonly limit: number,
    private readonly onExhausted?: (used: number, limit: number) => void,
  ) {}

  get used(): number {
    return this.usedBytes;
  }

  get exhausted(): boolean {
    return this.done;
  }

  spend(bytes: number): void {
    this.usedBytes += bytes;
    if (!this.done && this.usedBytes >= this.limit) {
      this.done = true;
      this.onExhausted?.(this.usedBytes, this.limit);
    }
  }
}

const UNITS: Record<string, number> = { '': 1, B: 1, K: 1e3, KB: 1e3, M: 1e6, MB: 1e6, G: 1e9, GB: 1e9, KIB: 1024, MIB: 1024 ** 2, GIB: 1024 ** 3 };

/** Parse `500MB`, `2G`, `10MiB`, `1000000`; `unlimited`/`off` gives Infinity. Undefined for anything else. */
export function parseByteSize(text: string): number | undefined {
  const t = text.trim();
  if (/^(unlimited|off|none)$/i.test(t)) return Infinity;
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(t);
  if (!m) return undefined;
  const unit = UNITS[m[2]!.toUpperCase()];
  if (unit === undefined) return undefined;
  const n = Number(m[1]) * unit;
  return n > 0 ? Math.floor(n) : undefined;
}

/** `523.4 MB` style, for messages. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return 'unlimited';
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}
