import { ConfigError } from '../../../../core/errors';
import type { SignalInput } from '../../../../protocols/can/dbc';

/**
 * Parse `--set` values: `sig=value[,sig=value...]`, possibly several arguments. A value is a number (`53.2`,
 * `-5`, `0x1F`), `true`/`false`, or else a value-table name (`Enabled`). Integers beyond 2^53 become bigints
 * (raw values of 64-bit signals). Throws `ConfigError` for a part without `=` and for a signal set twice.
 */
export function parseSignalArgs(args: readonly string[]): Record<string, SignalInput> {
  const values: Record<string, SignalInput> = {};
  for (const arg of args) {
    for (const part of arg.split(',').map((p) => p.trim())) {
      if (part === '') continue;
      const eq = part.indexOf('=');
      const name = eq > 0 ? part.slice(0, eq).trim() : '';
      if (!name) throw new ConfigError(`--set '${part}' is not signal=value (e.g. --set ChargeVoltageLimit=53.2,SOC=80)`);
      if (Object.prototype.hasOwnProperty.call(values, name)) throw new ConfigError(`--set: signal '${name}' is set twice`);
      values[name] = parseValue(part.slice(eq + 1).trim());
    }
  }
  return values;
}

function parseValue(text: string): SignalInput {
  if (/^true$/i.test(text)) return true;
  if (/^false$/i.test(text)) return false;
  if (/^[-+]?0x[0-9a-f]+$/i.test(text)) {
    const neg = text.startsWith('-');
    const big = BigInt(text.replace(/^[-+]/, ''));
    const v = neg ? -big : big;
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  if (/^[-+]?\d+$/.test(text)) {
    const v = BigInt(text);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  if (/^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i.test(text)) return Number(text);
  return text;
}
