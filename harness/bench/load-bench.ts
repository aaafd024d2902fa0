import { ConfigError } from '../../core/errors';
import { parseMediumUrl } from '../../protocols/can/medium-url';
import { knownMedia } from '../../protocols/can/registry';
import { readYamlSource, parseYamlSource, validateSource, type YamlSource } from '../config/yaml-file';
import { parseDuration } from '../scenario/duration';
import { benchSchema } from './schema';
import type { BenchFile } from './types';

/** A validated bench: the file's content plus where each device was written (for later errors). */
export interface Bench {
  file: BenchFile;
  source: string;
  where: { device: Record<string, string>; dut: string };
  readyTimeoutMs: number;
  stopTimeoutMs: number;
}

/** Load and check a bench file. Throws `ConfigError` with `file:line:column`. */
export function loadBench(path: string): Bench {
  return checkBench(readYamlSource(path));
}

/** Check bench text (tests, tools). */
export function parseBench(text: string, file = '(text)'): Bench {
  return checkBench(parseYamlSource(text, file));
}

function checkBench(src: YamlSource): Bench {
  const f = validateSource<BenchFile>(src, benchSchema, 'bench');
  const at = (p: string, key = false): string => src.locate(p, key);
  const canNames = new Set(Object.keys(f.can ?? {}));
  const mbNames = new Set(Object.keys(f.modbus ?? {}));
  for (const [name, bus] of Object.entries(f.can ?? {})) {
    const p = `/can/${name}`;
    if (!!bus.medium === !!bus.hub) throw new ConfigError(`CAN bus '${name}' needs exactly one of 'medium' or 'hub'`, at(p));
    if (bus.medium) {
      const url = parseMediumUrl(bus.medium);
      if (!knownMedia().includes(url.medium)) {
        throw new ConfigError(`CAN bus '${name}': unknown medium '${url.medium}' (known: ${knownMedia().join(', ')})`, at(`${p}/medium`));
      }
    }
  }
  for (const [name, ep] of Object.entries(f.modbus ?? {})) {
    if (!!ep.tcp === !!ep.rtu) throw new ConfigError(`Modbus endpoint '${name}' needs exactly one of 'tcp' or 'rtu'`, at(`/modbus/${name}`));
  }
  const names = new Map<string, number>();
  const whereDevice: Record<string, string> = {};
  f.devices.forEach((d, i) => {
    const p = `/devices/${i}`;
    if (names.has(d.name)) throw new ConfigError(`device name '${d.name}' is used twice`, at(`${p}/name`));
    names.set(d.name, i);
    whereDevice[d.name] = at(p);
    if (d.can !== undefined && !canNames.has(d.can)) {
      throw new ConfigError(`device '${d.name}': no CAN bus '${d.can}' on this bench (have: ${[...canNames].join(', ') || 'none'})`, at(`${p}/can`));
    }
    if (d.modbus !== undefined && !mbNames.has(d.modbus)) {
      throw new ConfigError(`device '${d.name}': no Modbus endpoint '${d.modbus}' on this bench (have: ${[...mbNames].join(', ') || 'none'})`, at(`${p}/modbus`));
    }
    if (d.type === 'bms' && d.can === undefined && d.modbus === undefined) {
      throw new ConfigError(`BMS '${d.name}' must be on a CAN bus ('can') or a Modbus endpoint ('modbus')`, at(p));
    }
    if (d.type === 'inverter' && d.modbus === undefined && d.batteryCan === undefined) throw new ConfigError(`inverter '${d.name}' needs 'modbus' or 'batteryCan'`, at(p));
    if (d.batteryCan !== undefined && (d.type !== 'inverter' || d.modbus !== undefined)) {
      throw new ConfigError(`device '${d.name}': 'batteryCan' is for an inverter without 'modbus' (the battery side of a storage inverter)`, at(`${p}/batteryCan`));
    }
    if (d.batteryCan !== undefined && !canNames.has(d.batteryCan.bus)) {
      throw new ConfigError(`device '${d.name}': no CAN bus '${d.batteryCan.bus}' on this bench (have: ${[...canNames].join(', ') || 'none'})`, at(`${p}/batteryCan/bus`));
    }
  });
  f.devices.forEach((d, i) => {
    if (d.battery === undefined) return;
    const j = names.get(d.battery);
    if (j === undefined || f.devices[j]!.type !== 'bms') {
      throw new ConfigError(`device '${d.name}': battery '${d.battery}' is not a bms device on this bench`, at(`/devices/${i}/battery`));
    }
  });
  const unitKeys = new Map<string, string>();
  for (const d of f.devices) {
    if (d.modbus === undefined) continue;
    const key = `${d.modbus}/${d.unitId ?? 1}`;
    const other = unitKeys.get(key);
    if (other) throw new ConfigError(`devices '${other}' and '${d.name}' share unit id ${d.unitId ?? 1} on '${d.modbus}'`, whereDevice[d.name]);
    unitKeys.set(key, d.name);
  }
  return {
    file: f,
    source: src.file,
    where: { device: whereDevice, dut: at('/dut') },
    readyTimeoutMs: f.dut?.readyTimeout !== undefined ? parseDuration(f.dut.readyTimeout, at('/dut/readyTimeout')) : 15_000,
    stopTimeoutMs: f.dut?.stopTimeout !== undefined ? parseDuration(f.dut.stopTimeout, at('/dut/stopTimeout')) : 5_000,
  };
}
