import { ConfigError } from '../../../../core/errors';
import { parseDuration } from '../../../config/duration';

/** `--count`-style option: a whole number >= 1. Throws `ConfigError` naming the option. */
export function parseCount(option: string, text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new ConfigError(`${option} '${text}' is not a whole number >= 1`);
  return Number(text);
}

/** A duration option (`500ms`, `2s`, `5m`, a bare number is seconds) in ms, > 0. */
export function parseDurationArg(option: string, text: string): number {
  const ms = parseDuration(/^\d+(?:\.\d+)?$/.test(text.trim()) ? Number(text) : text, option);
  if (!(ms > 0)) throw new ConfigError(`${option} '${text}' must be longer than 0`);
  return ms;
}

/** A positive number option (`--period 100`, `--speed 0.5`). `max` gives Infinity where `allowMax`. */
export function parsePositive(option: string, text: string, allowMax = false): number {
  if (allowMax && /^(max|inf|infinity)$/i.test(text.trim())) return Infinity;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0) {
    throw new ConfigError(`${option} '${text}' is not a number > 0${allowMax ? " (or 'max')" : ''}`);
  }
  return v;
}

/** A TCP port option: 0 (pick a free one) to 65535. */
export function parsePort(option: string, text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) > 65535) throw new ConfigError(`${option} '${text}' is not a port number (0-65535)`);
  return Number(text);
}
