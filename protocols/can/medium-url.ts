import { ConfigError } from '../../core/errors';

/** A parsed medium string such as `virtual:vcan0`, `socketcand://127.0.0.1:29536/vcan0`, `slcan:///dev/ttyACM0?bitrate=500000`. */
export interface MediumUrl {
  /** Medium name: the scheme. */
  medium: string;
  /** Host for network media. */
  host?: string;
  /** Port for network media. */
  port?: number;
  /** Channel: bus name, interface name or device path. */
  channel: string;
  /** Query parameters. */
  params: Record<string, string>;
  /** The original string. */
  raw: string;
}

/**
 * Parse a medium string. Forms:
 * - `scheme:channel` (`virtual:bench0`, `socketcan:can0`)
 * - `scheme://channel` (`socketcan://can0`)
 * - `scheme://host:port/channel` (`socketcand://127.0.0.1:29536/vcan0`)
 * - `scheme:///abs/path?k=v` (`slcan:///dev/ttyACM0?bitrate=500000`)
 * Throws `ConfigError` naming what is wrong.
 */
export function parseMediumUrl(raw: string): MediumUrl {
  const m = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(raw.trim());
  if (!m) throw new ConfigError(`'${raw}' is not a medium string (expected e.g. virtual:bus0 or socketcand://host:port/bus)`);
  const medium = m[1]!.toLowerCase();
  let rest = m[2]!;
  const params: Record<string, string> = {};
  const q = rest.indexOf('?');
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(rest.slice(q + 1))) params[k] = v;
    rest = rest.slice(0, q);
  }
  const out: MediumUrl = { medium, channel: '', params, raw };
  if (rest.startsWith('//')) {
    rest = rest.slice(2);
    if (rest.startsWith('/')) {
      out.channel = rest; // scheme:///abs/path
    } else {
      const slash = rest.indexOf('/');
      const authority = slash >= 0 ? rest.slice(0, slash) : rest;
      const path = slash >= 0 ? rest.slice(slash + 1) : '';
      const hp = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(authority);
      if (path === '' && !authority.includes(':')) {
        out.channel = authority; // scheme://can0
      } else {
        if (!hp) throw new ConfigError(`'${raw}': cannot read host:port '${authority}'`);
        out.host = hp[1]!.replace(/^\[|\]$/g, '');
        if (hp[2] !== undefined) {
          const port = Number(hp[2]);
          if (port < 1 || port > 65535) throw new ConfigError(`'${raw}': port ${hp[2]} is out of range`);
          out.port = port;
        }
        out.channel = decodeURIComponent(path);
      }
    }
  } else {
    out.channel = decodeURIComponent(rest);
  }
  return out;
}
