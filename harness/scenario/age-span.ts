import { ConfigError } from '../../core/errors';

const DAYS: Record<string, number> = { d: 1, w: 7, mo: 365.25 / 12, y: 365.25 };

/**
 * Parse the span of an `age` step into days: a number of days, or number+unit parts with units d, w, mo, y
 * (`3y`, `1y6mo`, `6w`, `90d`; a year is 365.25 days). Throws `ConfigError` (with `where`) for anything else or
 * for more than 30 years.
 */
export function parseAgeSpan(value: unknown, where?: string): number {
  let days: number | undefined;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) days = value;
  else if (typeof value === 'string') {
    const re = /\s*(\d+(?:\.\d+)?)\s*(mo|d|w|y)/y;
    let pos = 0;
    let total = 0;
    let parts = 0;
    const s = value.trim();
    while (pos < s.length) {
      re.lastIndex = pos;
      const m = re.exec(s);
      if (!m) break;
      total += Number(m[1]) * DAYS[m[2]!]!;
      pos = re.lastIndex;
      parts++;
    }
    if (parts > 0 && pos === s.length && total > 0) days = total;
  }
  if (days === undefined) throw new ConfigError(`'${String(value)}' is not an aging span (expected e.g. "3y", "1y6mo", "6w", "90d", or days as a number > 0)`, where);
  if (days > 30 * 365.25) throw new ConfigError(`aging span ${String(value)} is more than 30 years`, where);
  return days;
}
