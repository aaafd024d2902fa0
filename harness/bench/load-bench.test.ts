import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../../core/errors';
import { InputProblems } from '../config/problems';
import { loadBench, parseBench } from './load-bench';

const fixtures = resolve(__dirname, '..', '..', 'fixtures', 'benches');

function problems(text: string): string[] {
  try {
    parseBench(text, resolve(fixtures, 'x.yaml'));
  } catch (err) {
    if (err instanceof InputProblems) return err.problems.map((p) => `${p.where?.replace(`${fixtures}/`, '')} ${p.message}`);
    if (err instanceof ConfigError) return [err.message];
    throw err;
  }
  return [];
}

describe('bench files: checked as deeply as a run needs, every problem reported', () => {
  it('the bundled benches are good', () => {
    const all = readdirSync(fixtures).filter((f) => f.endsWith('.yaml'));
    expect(all).toEqual(expect.arrayContaining(['ci.yaml', 'lab.yaml', 'scale-16x4.yaml', 'leaf.yaml', 'tesla.yaml', 'translator.yaml']));
    for (const b of all) expect(() => loadBench(resolve(fixtures, b))).not.toThrow();
  });

  it('dut.clock: lockstep needs a controller process, and media whose bytes lock step can count', () => {
    const p = problems(`bench: ls
can:
  pack1: { hub: { socketcand: "127.0.0.1:0" }, slcanPty: /tmp/hil-ls-pty }
  real: { medium: "socketcan://can0" }
modbus:
  line: { rtu: { path: /dev/ttyUSB0 } }
devices:
  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1 }
dut: { clock: lockstep, readyWhen: first-frame }
`);
    const clock = p.filter((l) => l.includes('dut.clock'));
    expect(clock).toEqual([
      expect.stringMatching(/^x\.yaml:\d+:\d+ dut\.clock: lockstep needs 'dut\.command'/),
      expect.stringMatching(/dut\.clock: lockstep counts bytes on socketcand hubs and Modbus TCP only: CAN bus 'pack1' has an SLCAN pty \(docs\/lockstep\.md\)$/),
      expect.stringMatching(/CAN bus 'real' is not a socketcand hub/),
      expect.stringMatching(/Modbus endpoint 'line' is not Modbus TCP/),
    ]);
    expect(problems(`bench: ls2
can:
  pack1: { hub: { socketcand: "127.0.0.1:0" } }
devices:
  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1 }
dut: { command: [ctl], clock: lockstep }
`)).toEqual([]);
    expect(problems('bench: ls3\ndut: { command: [ctl], clock: fast }\n').join('\n')).toMatch(/clock/);
  });

  it('an RTU line takes lowLatency: true or false (Linux low-latency mode), nothing else', () => {
    const bench = (v: string): string =>
      `bench: ll\nmodbus:\n  line: { rtu: { path: /dev/ttyUSB0, lowLatency: ${v} } }\ndevices:\n  - { name: inv1, type: inverter, modbus: line }\n`;
    expect(problems(bench('false'))).toEqual([]);
    expect(parseBench(bench('false'), resolve(fixtures, 'x.yaml')).file.modbus?.line?.rtu?.lowLatency).toBe(false);
    expect(problems(bench('"no"'))).toEqual([expect.stringMatching(/^x\.yaml:3:\d+ .*lowLatency.*boolean/)]);
  });

  it('checks a battery-CAN inverter: its bus, that it has no Modbus too, its protocol and options', () => {
    const p = problems(`bench: bc
can:
  ev: { hub: { socketcand: "127.0.0.1:0" } }
modbus:
  site: { tcp: "127.0.0.1:0" }
devices:
  - { name: pack1, type: bms, pack: nissan-leaf-24kwh, protocol: nissan-leaf, can: ev }
  - { name: inv1, type: inverter, battery: pack1, batteryCan: { bus: invv, protocol: pylon-lv } }
  - { name: inv2, type: inverter, modbus: site, batteryCan: { bus: ev, protocol: pylon-lv } }
  - { name: inv3, type: inverter, batteryCan: { bus: ev, protocol: pylon-xx } }
  - { name: inv4, type: inverter, batteryCan: { bus: ev, protocol: pylon-lv }, params: { timeoutS: -1 } }
  - { name: inv5, type: inverter }
`);
    expect(p).toEqual([
      "x.yaml:8:70 device 'inv1': no CAN bus 'invv' on this bench (have: ev)",
      "x.yaml:9:49 device 'inv2': 'batteryCan' is for an inverter without 'modbus' (the battery side of a storage inverter)",
      expect.stringMatching(/^x\.yaml:10:\d+ inverter 'inv3': batteryCan protocol 'pylon-xx' is not one it speaks/),
      expect.stringMatching(/^x\.yaml:11:\d+ inverter 'inv4': timeoutS needs a non-negative number, got -1/),
      expect.stringMatching(/^x\.yaml:12:\d+ inverter 'inv5' needs 'modbus' or 'batteryCan'/),
    ]);
  });

  it('a vendor map with SunSpec storage (fronius-gen24) needs a battery on the inverter', () => {
    const p = problems(`bench: fr
modbus:
  site: { tcp: "127.0.0.1:0" }
devices:
  - { name: inv1, type: inverter, modbus: site, unitId: 1, map: fronius-gen24 }
`);
    expect(p).toEqual([expect.stringMatching(/^x\.yaml:5:\d+ inverter 'inv1': map 'fronius-gen24' serves SunSpec storage \(model 124\): give the inverter a 'battery'/)]);
  });

  it('reports every problem of one file with its place and a did-you-mean', () => {
    const p = problems(`bench: many
can:
  pack1: { hub: { socketcand: "127.0.0.1:99999" }, dbc: ../dbc/none.dbc }
  pack2: { medium: "slcna:///dev/ttyACM0" }
modbus:
  site: { tcp: "127.0.0.1:0" }
devices:
  - { name: pack1, type: bms, pack: lfp-lishen-16s-220ah, protocol: pylon-lvv, can: pack1, params: { sco: 5 } }
  - { name: pack2, type: bms, pack: tesla-model-s-module, protocol: sma-lv, can: pakc2 }
  - { name: inv1, type: inverter, modbus: site, battery: pakc1, params: { ratedW: -1 } }
dut:
  command: [node, x.js, "\${can.pack1.prot}"]
  module: dist/no/such/module.js
`);
    expect(p).toEqual([
      "x.yaml:3:31 port 99999 in '127.0.0.1:99999' is out of range (0..65535; 0: any free port)",
      expect.stringMatching(/^x\.yaml:3:57 CAN bus 'pack1': DBC file '\.\.\/dbc\/none\.dbc' not found/),
      expect.stringMatching(/^x\.yaml:4:20 CAN bus 'pack2': unknown medium 'slcna' \(did you mean 'slcan'\?\)/),
      expect.stringMatching(/^x\.yaml:8:37 BMS 'pack1': unknown pack profile 'lfp-lishen-16s-220ah' \(did you mean 'lfp-lishen-16s-202ah'\?\)/),
      expect.stringMatching(/^x\.yaml:8:69 BMS 'pack1': unknown protocol 'pylon-lvv' \(did you mean 'pylon-lv'\?\)/),
      "x.yaml:8:102 BMS 'pack1': params.sco: unknown parameter 'sco' (did you mean 'soc'?)",
      "x.yaml:9:82 device 'pack2': no CAN bus 'pakc2' on this bench (did you mean 'pack2'?) (have: pack1, pack2)",
      "x.yaml:10:83 inverter 'inv1': params.ratedW: must be > 0",
      "x.yaml:10:58 device 'inv1': battery 'pakc1' is not a bms device on this bench (did you mean 'pack1'?) (bms devices: pack1, pack2)",
      expect.stringMatching(/^x\.yaml:12:25 dut\.command\[2\]: unknown placeholder \$\{can\.pack1\.prot\}: can 'pack1' has no part 'prot' \(have: url, host, port, bus, socketcand\) \(did you mean 'can\.pack1\.port'\?\)/),
      expect.stringMatching(/^x\.yaml:13:11 dut\.module 'dist\/no\/such\/module\.js' not found/),
    ]);
  });

  it('stops at the schema when the shape is wrong, reporting every schema problem', () => {
    const p = problems('bench: x\ndevices:\n  - { name: a, type: battery }\n  - { nmae: b, type: bms }\n');
    expect(p).toEqual([
      'x.yaml:3:22 bench: /devices/0/type must be one of: bms, inverter',
      "x.yaml:4:5 bench: /devices/1 is missing 'name'",
      "x.yaml:4:7 bench: unknown key 'nmae' in /devices/1 (did you mean 'name'?) (expected one of: name, type, pack, protocol, can, modbus, unitId, map, battery, batteryCan, params)",
    ]);
  });
});
