import { packagePath } from '../../core/package-root';
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { loadDbc } from '../../protocols/can/dbc';
import { parseMediumUrl } from '../../protocols/can/medium-url';
import { knownMedia } from '../../protocols/can/registry';
import { nameProblem } from '../config/names';
import type { ProblemList } from '../config/problems';
import { didYouMean } from '../../core/suggest';
import type { YamlSource } from '../config/yaml-file';
import { DEVICE_KINDS } from './device-factories';
import { explainUnknown, knownPlaceholders, placeholderSpans } from './placeholders';
import type { BenchFile, DeviceSpec } from './types';

/**
 * Everything about a schema-valid bench file that can be checked without opening anything: names, references
 * between buses, endpoints and devices, media, ports, pack profiles, protocols, device parameters against their
 * schemas, DBC, vendor map and controller module files, `dut.command` placeholders. Adds every problem found to
 * `problems`, each at its `file:line:column`, with a "did you mean" where a name is close to a known one.
 */
export function checkBenchFile(f: BenchFile, src: YamlSource, problems: ProblemList): void {
  const at = (p: string, key = false): string => src.locate(p, key);
  const baseDir = dirname(src.file);
  const canNames = Object.keys(f.can ?? {});
  const mbNames = Object.keys(f.modbus ?? {});
  const name = (value: string, what: string, p: string, key = false): void => {
    const why = nameProblem(value, what);
    if (why) problems.add(at(p, key), why);
  };
  name(f.bench, 'bench name', '/bench');

  for (const [bus, spec] of Object.entries(f.can ?? {})) {
    const p = `/can/${bus}`;
    name(bus, 'CAN bus name', p, true);
    if (!!spec.medium === !!spec.hub) problems.add(at(p), `CAN bus '${bus}' needs exactly one of 'medium' or 'hub'`);
    if (spec.medium) {
      const url = problems.attempt(() => parseMediumUrl(spec.medium!), at(`${p}/medium`));
      if (url && !knownMedia().includes(url.medium)) {
        problems.add(at(`${p}/medium`), `CAN bus '${bus}': unknown medium '${url.medium}'${didYouMean(url.medium, knownMedia())} (known: ${knownMedia().join(', ')})`);
      }
    }
    if (spec.hub) checkPort(spec.hub.socketcand, at(`${p}/hub/socketcand`), problems);
    if (spec.dbc !== undefined) {
      const file = resolve(baseDir, spec.dbc);
      if (!isFile(file)) problems.add(at(`${p}/dbc`), `CAN bus '${bus}': DBC file '${spec.dbc}' not found (${file})`);
      else problems.attempt(() => loadDbc(file), at(`${p}/dbc`));
    }
  }
  for (const [ep, spec] of Object.entries(f.modbus ?? {})) {
    const p = `/modbus/${ep}`;
    name(ep, 'Modbus endpoint name', p, true);
    if (!!spec.tcp === !!spec.rtu) problems.add(at(p), `Modbus endpoint '${ep}' needs exactly one of 'tcp' or 'rtu'`);
    if (spec.tcp) checkPort(spec.tcp, at(`${p}/tcp`), problems);
    if (spec.rtu && spec.rtu.baud !== undefined && spec.rtu.baud > 4_000_000) {
      problems.add(at(`${p}/rtu/baud`), `baud ${spec.rtu.baud} is beyond any RS-485 adapter (at most 4000000)`);
    }
  }

  const devices = new Map<string, DeviceSpec>();
  f.devices.forEach((d, i) => {
    const p = `/devices/${i}`;
    name(d.name, 'device name', `${p}/name`);
    if (devices.has(d.name)) problems.add(at(`${p}/name`), `device name '${d.name}' is used twice`);
    devices.set(d.name, d);
    if (d.can !== undefined && !canNames.includes(d.can)) {
      problems.add(at(`${p}/can`), `device '${d.name}': no CAN bus '${d.can}' on this bench${didYouMean(d.can, canNames)} (have: ${canNames.join(', ') || 'none'})`);
    }
    if (d.modbus !== undefined && !mbNames.includes(d.modbus)) {
      problems.add(at(`${p}/modbus`), `device '${d.name}': no Modbus endpoint '${d.modbus}' on this bench${didYouMean(d.modbus, mbNames)} (have: ${mbNames.join(', ') || 'none'})`);
    }
    if (d.unitId !== undefined && d.modbus === undefined) problems.add(at(`${p}/unitId`, true), `device '${d.name}': 'unitId' applies only to a device on a Modbus endpoint`);
    DEVICE_KINDS[d.type].check(d, baseDir, {
      add: (q, message, key) => problems.add(at(`${p}${q}`, key), message),
      attempt: (fn, q) => problems.attempt(fn, at(`${p}${q}`)),
    });
    if (d.batteryCan !== undefined && !canNames.includes(d.batteryCan.bus)) {
      problems.add(at(`${p}/batteryCan/bus`), `device '${d.name}': no CAN bus '${d.batteryCan.bus}' on this bench${didYouMean(d.batteryCan.bus, canNames)} (have: ${canNames.join(', ') || 'none'})`);
    }
  });
  const bmsNames = f.devices.filter((d) => d.type === 'bms').map((d) => d.name);
  f.devices.forEach((d, i) => {
    if (d.battery === undefined) return;
    if (devices.get(d.battery)?.type !== 'bms') {
      problems.add(at(`/devices/${i}/battery`), `device '${d.name}': battery '${d.battery}' is not a bms device on this bench${didYouMean(d.battery, bmsNames)} (bms devices: ${bmsNames.join(', ') || 'none'})`);
    }
  });
  const unitKeys = new Map<string, string>();
  f.devices.forEach((d, i) => {
    if (d.modbus === undefined) return;
    const key = `${d.modbus}/${d.unitId ?? 1}`;
    const other = unitKeys.get(key);
    if (other) problems.add(at(`/devices/${i}`), `devices '${other}' and '${d.name}' share unit id ${d.unitId ?? 1} on '${d.modbus}'`);
    unitKeys.set(key, d.name);
  });
  if (f.dut) checkDut(f, at, problems);
}

function checkDut(f: BenchFile, at: (p: string, key?: boolean) => string, problems: ProblemList): void {
  const dut = f.dut!;
  const known = knownPlaceholders(f);
  (dut.command ?? []).forEach((arg, i) => {
    for (const { key } of placeholderSpans(arg)) {
      if (!known.includes(key)) {
        problems.add(at(`/dut/command/${i}`), `dut.command[${i}]: ${explainUnknown(key, f)}${didYouMean(key, known)}`);
      }
    }
  });
  if (dut.cwd !== undefined && !isDirectory(dut.cwd)) problems.add(at('/dut/cwd'), `dut.cwd '${dut.cwd}' is not a directory`);
  if (dut.module !== undefined && resolveModule(dut.module) === undefined) {
    problems.add(at('/dut/module'), `dut.module '${dut.module}' not found (${resolve(dut.module)}; paths are relative to the directory hil runs in${dut.module.startsWith('dist/') ? '; run npm run build' : ''})`);
  }
  if (dut.moduleOptions !== undefined && dut.module === undefined) problems.add(at('/dut/moduleOptions', true), "dut.moduleOptions needs 'dut.module' (options of an in-process controller)");
  if (dut.readyLine !== undefined && dut.command === undefined) problems.add(at('/dut/readyLine', true), "dut.readyLine needs 'dut.command' (a controller process prints it)");
  const sunspec = dut.identity?.sunspec;
  if (sunspec) {
    const port = Number(sunspec.tcp.slice(sunspec.tcp.lastIndexOf(':') + 1));
    if (!(port >= 1 && port <= 65535)) {
      problems.add(at('/dut/identity/sunspec/tcp'), `dut.identity.sunspec.tcp: port ${port} in '${sunspec.tcp}' is out of range (1..65535: the port the controller serves SunSpec on)`);
    }
  }
  if (dut.clock === 'lockstep') {
    if (dut.command === undefined) problems.add(at('/dut/clock', true), "dut.clock: lockstep needs 'dut.command' (a controller process speaks the lock-step protocol)");
    for (const why of lockstepUnsupported(f)) problems.add(at('/dut/clock', true), `dut.clock: lockstep counts bytes on socketcand hubs and Modbus TCP only: ${why} (docs/lockstep.md)`);
  }
}

/** The media a lock-step run cannot count bytes on: real CAN interfaces, SLCAN ptys, Modbus RTU lines. */
export function lockstepUnsupported(f: BenchFile): string[] {
  const out: string[] = [];
  for (const [name, spec] of Object.entries(f.can ?? {})) {
    if (!spec.hub) out.push(`CAN bus '${name}' is not a socketcand hub`);
    else if (spec.slcanPty) out.push(`CAN bus '${name}' has an SLCAN pty`);
  }
  for (const [name, spec] of Object.entries(f.modbus ?? {})) if (!spec.tcp) out.push(`Modbus endpoint '${name}' is not Modbus TCP`);
  return out;
}

/** The file a `dut.module` path loads (relative to the working directory, `.js` optional), or undefined. */
/**
 * The file a `dut.module` names: an absolute path as it is; a relative one against the current directory, and where
 * nothing is there, against the package root (so the benches shipped in `fixtures/`, whose modules are
 * `dist/fixtures/...`, work from another project that installed this package). Undefined when neither exists.
 */
export function resolveModule(modulePath: string): string | undefined {
  const candidates = isAbsolute(modulePath) ? [modulePath] : [resolve(modulePath), packagePath(modulePath)];
  for (const c of candidates) {
    try {
      return require.resolve(c);
    } catch {
      // try the next place
    }
  }
  return undefined;
}

function checkPort(hostPort: string, where: string, problems: ProblemList): void {
  const port = Number(hostPort.slice(hostPort.lastIndexOf(':') + 1));
  if (!(port >= 0 && port <= 65535)) problems.add(where, `port ${port} in '${hostPort}' is out of range (0..65535; 0: any free port)`);
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

function isDirectory(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}
