/** The median of `xs` (the mean of the two middle values for an even count); NaN for none. `xs` is not changed. */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * The median of the round-by-round ratios `a[i] / b[i]` (variants measured in alternation: pairing keeps the ratio
 * meaningful when the machine's speed drifts between rounds).
 */
export function pairedRatio(a: readonly number[], b: readonly number[]): number {
  return median(a.map((x, i) => x / b[i]!));
}
