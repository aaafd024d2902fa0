import { ConfigError } from '../../core/errors';
import type { BenchFile } from './types';

/**
 * The placeholders a controller command (`dut.command`) may use, in one place: `hil validate`, the bench loader and
 * the controller start all read this module. Each names one part of how the controller reaches a bus or endpoint of
 * the running bench (ports of `:0` listeners are known only once the bench runs).
 */
export const CAN_PLACEHOLDER_PARTS = {
  url: 'the medium as a URL (socketcand://HOST:PORT/BUS for a hub)',
  host: 'socketcand host',
  port: 'socketcand TCP port',
  bus: 'socketcand bus name',
  socketcand: 'HOST:PORT/BUS, e.g. for python-can\'s socketcand interface',
  pty: 'the SLCAN pseudo-terminal (buses with slcanPty)',
} as const;

export const MODBUS_PLACEHOLDER_PARTS = {
  url: 'tcp://HOST:PORT or rtu://PATH?baud=N',
  host: 'Modbus TCP host',
  port: 'Modbus TCP port',
  tcp: 'HOST:PORT of the Modbus TCP listener',
  path: 'the RTU serial device',
} as const;

export type CanPlaceholderPart = keyof typeof CAN_PLACEHOLDER_PARTS;
export type ModbusPlaceholderPart = keyof typeof MODBUS_PLACEHOLDER_PARTS;

/** `${name}` occurrences in one argument. */
const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** The placeholder names used in an argument, in order (`'--can=${can.a.host}'` -> `['can.a.host']`). */
export function placeholdersIn(arg: string): string[] {
  return [...arg.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Each `${...}` placeholder in an argument, with its offset in the argument (for messages that point into it). */
export function placeholderSpans(arg: string): Array<{ key: string; offset: number }> {
  return [...arg.matchAll(PLACEHOLDER)].map((m) => ({ key: m[1]!, offset: m.index }));
}

/** Every placeholder this bench provides to its controller command (what `substitutions()` fills in at run time). */
export function knownPlaceholders(file: BenchFile): string[] {
  const out: string[] = [];
  for (const [name, bus] of Object.entries(file.can ?? {})) {
    const socketcand = !!bus.hub || (bus.medium?.startsWith('socketcand://') ?? false);
    const parts: CanPlaceholderPart[] = socketcand ? ['url', 'host', 'port', 'bus', 'socketcand'] : ['url'];
    if (bus.slcanPty) parts.push('pty');
    for (const p of parts) out.push(`can.${name}.${p}`);
  }
  for (const [name, ep] of Object.entries(file.modbus ?? {})) {
    const parts: ModbusPlaceholderPart[] = ep.tcp ? ['url', 'host', 'port', 'tcp'] : ['url', 'path'];
    for (const p of parts) out.push(`modbus.${name}.${p}`);
  }
  return out;
}

/** Why a placeholder is not known on this bench, with the closest help: the parts there are, or the names. */
export function explainUnknown(name: string, file: BenchFile): string {
  const [kind, bus, part] = name.split('.');
  const known = knownPlaceholders(file);
  if (kind === 'can' || kind === 'modbus') {
    const names = Object.keys((kind === 'can' ? file.can : file.modbus) ?? {});
    if (bus === undefined || !names.includes(bus)) {
      return `unknown placeholder \${${name}}: no ${kind === 'can' ? 'CAN bus' : 'Modbus endpoint'} '${bus ?? ''}' on this bench (have: ${names.join(', ') || 'none'})`;
    }
    const parts = known.filter((k) => k.startsWith(`${kind}.${bus}.`)).map((k) => k.split('.')[2]);
    return `unknown placeholder \${${name}}: ${kind} '${bus}' has no part '${part ?? ''}' (have: ${parts.join(', ')})`;
  }
  return `unknown placeholder \${${name}} (placeholders are \${can.<bus>.<part>} and \${modbus.<endpoint>.<part>}; this bench has: ${known.join(', ') || 'none'})`;
}

/** Unknown placeholders in a command: `[argument index, message]` for each (empty when all are known). */
export function checkCommandPlaceholders(command: readonly string[], file: BenchFile): Array<{ index: number; message: string }> {
  const known = new Set(knownPlaceholders(file));
  const out: Array<{ index: number; message: string }> = [];
  command.forEach((arg, index) => {
    for (const name of placeholdersIn(arg)) if (!known.has(name)) out.push({ index, message: `dut.command[${index}]: ${explainUnknown(name, file)}` });
  });
  return out;
}

/**
 * Fill in a command's placeholders from a running bench's values. Throws `ConfigError` (at `where`) for one the
 * values lack: unknown on this bench, or not available in this run (a port of a listener that is not served).
 */
export function substitutePlaceholders(argv: readonly string[], values: Record<string, string>, file: BenchFile, where?: string): string[] {
  return argv.map((a) =>
    a.replace(PLACEHOLDER, (_m, name: string) => {
      const v = values[name];
      if (v !== undefined) return v;
      if (knownPlaceholders(file).includes(name)) throw new ConfigError(`DUT command: placeholder \${${name}} has no value in this run (the bench is not served on the network)`, where);
      throw new ConfigError(`DUT command: ${explainUnknown(name, file)}`, where);
    }),
  );
}
