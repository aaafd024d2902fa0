import type { BenchFile } from './types';

/**
 * The placeholders a real-time run substitutes in `dut.command` (and `--dut-arg`), known from the bench file alone:
 * `can.<bus>.url` for every bus, `can.<bus>.port` for a hub bus, `can.<bus>.pty` with `slcanPty`,
 * `modbus.<ep>.url` for every endpoint, `modbus.<ep>.host|port` for a TCP one. Must match what
 * `BenchInstance.substitutions()` gives a served bench (a test holds them together).
 */
export function benchPlaceholders(file: BenchFile): string[] {
  const out: string[] = [];
  for (const [name, bus] of Object.entries(file.can ?? {})) {
    out.push(`can.${name}.url`);
    if (bus.hub) out.push(`can.${name}.port`);
    if (bus.slcanPty) out.push(`can.${name}.pty`);
  }
  for (const [name, ep] of Object.entries(file.modbus ?? {})) {
    out.push(`modbus.${name}.url`);
    if (ep.tcp) out.push(`modbus.${name}.host`, `modbus.${name}.port`);
  }
  return out;
}

/** Each `${...}` placeholder in an argument, with its offset in the argument. */
export function placeholdersIn(arg: string): Array<{ key: string; offset: number }> {
  return [...arg.matchAll(/\$\{([^}]*)\}/g)].map((m) => ({ key: m[1]!, offset: m.index }));
}
