import { RealClock } from '../../core/clock';
import { ConfigError } from '../../core/errors';
import { BenchInstance } from './bench-instance';
import { parseBench } from './load-bench';
import { checkCommandPlaceholders, knownPlaceholders, placeholdersIn, substitutePlaceholders } from './placeholders';

const bench = (command: string[]): string =>
  [
    'bench: t',
    'can:',
    '  pack1: { hub: { socketcand: "127.0.0.1:0", bus: p1 } }',
    '  lab: { medium: "slcan:///dev/ttyACM0" }',
    'modbus:',
    '  site: { tcp: "127.0.0.1:0" }',
    '  line: { rtu: { path: /dev/ttyUSB0 } }',
    'devices:',
    '  - { name: pack1, type: bms, pack: lfp-lishen-16s-202ah, protocol: pylon-lv, can: pack1 }',
    'dut:',
    `  command: ${JSON.stringify(command)}`,
    '',
  ].join('\n');

describe('controller command placeholders', () => {
  it('lists what each bus and endpoint provides', () => {
    const b = parseBench(bench(['ctl']));
    expect(knownPlaceholders(b.file)).toEqual([
      'can.pack1.url',
      'can.pack1.host',
      'can.pack1.port',
      'can.pack1.bus',
      'can.pack1.socketcand',
      'can.lab.url',
      'modbus.site.url',
      'modbus.site.host',
      'modbus.site.port',
      'modbus.site.tcp',
      'modbus.line.url',
      'modbus.line.path',
    ]);
    expect(placeholdersIn('--x=${can.pack1.host}:${can.pack1.port}')).toEqual(['can.pack1.host', 'can.pack1.port']);
  });

  it('a bench with an unknown placeholder is refused at file:line:column, saying what there is', () => {
    expect(() => parseBench(bench(['ctl', '--can', '${can.pack1.hostname}']), 'b.yaml')).toThrow(
      expect.objectContaining({ message: expect.stringMatching(/^b\.yaml:11:\d+: dut\.command\[2\]: unknown placeholder \$\{can\.pack1\.hostname\}: can 'pack1' has no part 'hostname' \(have: url, host, port, bus, socketcand\)/) }),
    );
    expect(() => parseBench(bench(['ctl', '${modbus.plant.tcp}']))).toThrow(/no Modbus endpoint 'plant' on this bench \(have: site, line\)/);
    expect(() => parseBench(bench(['ctl', '${can.lab.socketcand}']))).toThrow(/can 'lab' has no part 'socketcand' \(have: url\)/);
    expect(() => parseBench(bench(['ctl', '${home}']))).toThrow(/unknown placeholder \$\{home\} \(placeholders are/);
    expect(checkCommandPlaceholders(['a', '${can.pack1.socketcand}', '${modbus.site.tcp}'], parseBench(bench(['ctl'])).file)).toEqual([]);
  });

  it('substitutes from a running bench; a known placeholder without a value in this run is a clear error', () => {
    const b = parseBench(bench(['ctl']));
    const values = { 'can.pack1.socketcand': '127.0.0.1:29536/p1', 'modbus.site.tcp': '127.0.0.1:1502' };
    expect(substitutePlaceholders(['--can=${can.pack1.socketcand}', '${modbus.site.tcp}', 'plain'], values, b.file)).toEqual(['--can=127.0.0.1:29536/p1', '127.0.0.1:1502', 'plain']);
    expect(() => substitutePlaceholders(['${can.pack1.port}'], values, b.file)).toThrow(ConfigError);
    expect(() => substitutePlaceholders(['${can.pack1.port}'], values, b.file)).toThrow(/has no value in this run/);
  });

  it('a running bench served on loopback fills in every placeholder it lists', async () => {
    const text = bench(['ctl']).replace('  lab: { medium: "slcan:///dev/ttyACM0" }\n', '').replace('  line: { rtu: { path: /dev/ttyUSB0 } }\n', '');
    const b = parseBench(text);
    const inst = await BenchInstance.start(b, { clock: new RealClock({ spinMs: 0 }), mode: 'real', seed: 1, serveNetwork: true });
    try {
      const subs = inst.substitutions();
      for (const k of knownPlaceholders(b.file)) expect({ k, v: typeof subs[k] }).toEqual({ k, v: 'string' });
      expect(subs['can.pack1.socketcand']).toMatch(/^127\.0\.0\.1:\d+\/p1$/);
      expect(subs['can.pack1.url']).toBe(`socketcand://${subs['can.pack1.socketcand']}`);
      expect(subs['modbus.site.tcp']).toBe(`${subs['modbus.site.host']}:${subs['modbus.site.port']}`);
    } finally {
      await inst.close();
    }
  });
});
