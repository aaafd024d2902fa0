import { ConfigError } from '../../core/errors';
import { INPUT_LIMITS } from './limits';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parse a duration: a number of seconds, or a string of number+unit parts (`500ms`, `2s`, `1h30m`, `24h`).
 * Returns milliseconds, at most `INPUT_LIMITS.durationMs` (366 days). Throws `ConfigError` (with `where`) for
 * anything else.
 */
export function parseDuration(value: unknown, where?: string): number {
  const ms = parseAnyDuration(value, where);
  if (ms > INPUT_LIMITS.durationMs) {
    throw new ConfigError(`duration '${String(value)}' is longer than ${INPUT_LIMITS.durationMs / 86_400_000}d, the longest any scenario or timeout may be`, where);
  }
  return ms;
}

function parseAnyDuration(value: unknown, where?: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value * 1000;
  if (typeof value === 'number') throw new ConfigError(`a duration must be a finite number of seconds >= 0, got ${String(value)}`, where);
  if (typeof value !== 'string') throw new ConfigError(`expected a duration like "500ms", "2s", "5m" or "24h"`, where);
  const s = value.trim();
  const re = /(\d+(?:\.\d+)?)\s*(ms|min|s|m|h|d)/gy;
  let total = 0;
  let pos = 0;
  let parts = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) break;
    total += Number(m[1]) * UNITS[m[2]!]!;
    pos = re.lastIndex;
    while (s[pos] === ' ') pos++;
    parts++;
  }
  if (parts === 0 || pos !== s.length) {
    throw new ConfigError(`'${value}' is not a duration (expected e.g. "500ms", "2s", "5m", "1h30m")`, where);
  }
  return total;
}

/** Format milliseconds for people: `750ms`, `12.5s`, `3m20s`, `2h05m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(3)}s`;
  if (ms < 3_600_000) {
    const m = Math.floor(ms / 60_000);
    return `${m}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
  }
  const h = Math.floor(ms / 3_600_000);
  return `${h}h${String(Math.round((ms % 3_600_000) / 60_000)).padStart(2, '0')}m`;
}
