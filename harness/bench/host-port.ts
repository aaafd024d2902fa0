/** `host:port` split at the last colon (so `[::1]:502` keeps its brackets): `[host, port]` as text. */
export function splitHostPort(s: string): [string, string] {
  const i = s.lastIndexOf(':');
  return [s.slice(0, i), s.slice(i + 1)];
}
