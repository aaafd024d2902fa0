/**
 * mbpoll (libmodbus) and pymodbus read each brand map's identity registers over Modbus TCP the way the brand
 * documents them:
 * - Sungrow numbers registers from 1 ("reg 5000" = device type code), which is mbpoll's default reference; input
 *   table (-t 3); 32-bit values low word first, mbpoll's default word order (no -B).
 * - Victron numbers them as wire addresses (mbpoll -0): serial at 800 (string[6]) on unit 100, the phase count at 28
 *   on the VE.Bus unit 227.
 * - Huawei numbers them as wire addresses (mbpoll -0), holding table: model name at 30000 (15 registers), serial at
 *   30015, rated power at 30073 (uint32, high word first: -B).
 * - Deye/Sunsynk numbers them as wire addresses (kellerza/sunsynk): device type at 0, serial at 3-7 (10 characters),
 *   rated power at 16-17 (0.1 W, low word first).
 * - SMA numbers them as wire addresses (SMA's Modbus TI), unit id 3, 32-bit high word first: device type at 30053
 *   (9225 = SB 5000SE-10), serial at 30057.
 * pymodbus 3 takes wire addresses in every case.
 */
import { SimpleBatteryPort } from '../../emulators/inverter/battery-port';
import { createInverterDevice, type InverterDevice } from '../../emulators/inverter/factory';
import { ModbusTcpServer } from '../../protocols/modbus/tcp/tcp-server';
import { mbpoll as runMbpoll, mbpollValues as values, runPeer } from '../support/mbpoll';
import { PYTHON, describeWithPeers } from '../support/peers';



const text = (words: number[]): string =>
  Buffer.from(words.flatMap((w) => [(w >> 8) & 0xff, w & 0xff]))
    .toString('latin1')
    .replace(/\0+$/, '');

interface Served {
  server: ModbusTcpServer;
  port: number;
  devices: Record<string, InverterDevice>;
}

/** The three brands, each on its own server (Huawei answers unit 0 and 1, Victron 100 and 227, Sungrow 1). */
async function serve(): Promise<Record<string, Served>> {
  const out: Record<string, Served> = {};
  for (const map of ['sungrow-sh', 'victron-gx', 'huawei-sun2000', 'deye-sunsynk', 'sma-sbse']) {
    const dev = createInverterDevice({ name: map, map, battery: new SimpleBatteryPort({ soc: 55 }), params: { ratedW: 10000, phases: 'three', profile: { kind: 'constant', irradiance: 700 }, seed: 5 } });
    for (let i = 0; i < 300; i++) dev.step(0.1);
    const server = new ModbusTcpServer();
    for (const [id, unit] of dev.units ?? new Map([[1, dev.modbus]])) server.core.addUnit(id, unit);
    const port = (await server.listen()).port;
    out[map] = { server, port, devices: { [map]: dev } };
  }
  return out;
}

describeWithPeers(['mbpoll'], 'Vendor maps: mbpoll reads each brand identity as the brand numbers it', () => {
  let s: Record<string, Served> = {};
  beforeAll(async () => {
    s = await serve();
  });
  afterAll(async () => {
    for (const x of Object.values(s)) await x.server.close();
  });
  const mbpoll = (map: string, args: string[]) => runMbpoll(['-m', 'tcp', '-p', String(s[map]!.port), '-1', '-o', '2', ...args, '127.0.0.1']);

  it('Sungrow: reg 5000 (device type code) = 0x0E03, reg 4990-4999 the serial, reg 5017-5018 total DC power (low word first)', async () => {
    const dev = s['sungrow-sh']!.devices['sungrow-sh']!;
    const type = await mbpoll('sungrow-sh', ['-a', '1', '-t', '3', '-r', '5000']);
    expect(type.code).toBe(0);
    expect(values(type.out)).toEqual([0x0e03]);
    const serial = await mbpoll('sungrow-sh', ['-a', '1', '-t', '3', '-r', '4990', '-c', '10']);
    expect(text(values(serial.out))).toBe(dev.inverter.identity.serial);
    const dc = await mbpoll('sungrow-sh', ['-a', '1', '-t', '3:int', '-r', '5017']);
    expect(values(dc.out)).toEqual([Math.round(dev.inverter.state.dcW)]);
  });

  it('Victron: serial at 800 on unit 100, phase count at 28 on VE.Bus unit 227 (wire numbering, -0)', async () => {
    const dev = s['victron-gx']!.devices['victron-gx']!;
    const serial = await mbpoll('victron-gx', ['-0', '-a', '100', '-t', '3', '-r', '800', '-c', '6']);
    expect(serial.code).toBe(0);
    expect(text(values(serial.out))).toBe(dev.inverter.identity.serial);
    const phases = await mbpoll('victron-gx', ['-0', '-a', '227', '-t', '4', '-r', '28']);
    expect(values(phases.out)).toEqual([3]);
  });

  it('Huawei: model name at 30000, serial at 30015, rated power at 30073 (uint32, high word first)', async () => {
    const dev = s['huawei-sun2000']!.devices['huawei-sun2000']!;
    const model = await mbpoll('huawei-sun2000', ['-0', '-a', '1', '-t', '4', '-r', '30000', '-c', '15']);
    expect(model.code).toBe(0);
    expect(text(values(model.out))).toBe('SUN2000-10KTL-M1');
    const serial = await mbpoll('huawei-sun2000', ['-0', '-a', '0', '-t', '4', '-r', '30015', '-c', '10']);
    expect(text(values(serial.out))).toBe(dev.inverter.identity.serial);
    const rated = await mbpoll('huawei-sun2000', ['-0', '-B', '-a', '1', '-t', '4:int', '-r', '30073']);
    expect(values(rated.out)).toEqual([10000]);
  });

  it('Deye/Sunsynk: device type 3 at 0, serial at 3-7, rated power at 16-17 in 0.1 W low word first (wire numbering)', async () => {
    const dev = s['deye-sunsynk']!.devices['deye-sunsynk']!;
    const type = await mbpoll('deye-sunsynk', ['-0', '-a', '1', '-t', '4', '-r', '0']);
    expect(type.code).toBe(0);
    expect(values(type.out)).toEqual([3]);
    const serial = await mbpoll('deye-sunsynk', ['-0', '-a', '1', '-t', '4', '-r', '3', '-c', '5']);
    expect(text(values(serial.out))).toBe(dev.inverter.identity.serial.slice(0, 10));
    const rated = await mbpoll('deye-sunsynk', ['-0', '-a', '1', '-t', '4:int', '-r', '16']);
    expect(values(rated.out)).toEqual([100000]);
  });

  it('SMA: device type 9225 at 30053 and the serial at 30057 on unit 3 (U32, high word first)', async () => {
    const dev = s['sma-sbse']!.devices['sma-sbse']!;
    const type = await mbpoll('sma-sbse', ['-0', '-B', '-a', '3', '-t', '4:int', '-r', '30053']);
    expect(type.code).toBe(0);
    expect(values(type.out)).toEqual([9225]);
    const serial = await mbpoll('sma-sbse', ['-0', '-B', '-a', '3', '-t', '4:int', '-r', '30057']);
    expect(values(serial.out)).toEqual([Number(dev.inverter.identity.serial.replace(/\D/g, ''))]);
  });
});

const PY = `
import json, sys
from pymodbus.client import ModbusTcpClient
ports = json.loads(sys.argv[1])
def text(regs):
    return b"".join(r.to_bytes(2, "big") for r in regs).rstrip(b"\\0").decode("latin1")
out = {}
c = ModbusTcpClient("127.0.0.1", port=ports["sungrow-sh"], timeout=2, retries=0); c.connect()
out["sungrow_type"] = c.read_input_registers(4999, 1, slave=1).registers[0]
out["sungrow_serial"] = text(c.read_input_registers(4989, 10, slave=1).registers)
c.close()
c = ModbusTcpClient("127.0.0.1", port=ports["victron-gx"], timeout=2, retries=0); c.connect()
out["victron_serial"] = text(c.read_holding_registers(800, 6, slave=100).registers)
out["victron_soc"] = c.read_input_registers(843, 1, slave=100).registers[0]
c.close()
c = ModbusTcpClient("127.0.0.1", port=ports["huawei-sun2000"], timeout=2, retries=0); c.connect()
out["huawei_model"] = text(c.read_holding_registers(30000, 15, slave=0).registers)
out["huawei_serial"] = text(c.read_holding_registers(30015, 10, slave=1).registers)
r = c.read_holding_registers(30073, 2, slave=1).registers
out["huawei_rated"] = (r[0] << 16) | r[1]
e = c.read_holding_registers(37100, 65, slave=1)
out["huawei_over_limit"] = getattr(e, "exception_code", None)
c.close()
c = ModbusTcpClient("127.0.0.1", port=ports["deye-sunsynk"], timeout=2, retries=0); c.connect()
out["deye_type"] = c.read_holding_registers(0, 1, slave=1).registers[0]
out["deye_serial"] = text(c.read_holding_registers(3, 5, slave=1).registers)
c.close()
c = ModbusTcpClient("127.0.0.1", port=ports["sma-sbse"], timeout=2, retries=0); c.connect()
r = c.read_holding_registers(30053, 2, slave=3).registers
out["sma_type"] = (r[0] << 16) | r[1]
c.close()
print(json.dumps(out))
`;

describeWithPeers(['python3-pymodbus', 'python3-serial'], 'Vendor maps: pymodbus reads each brand identity', () => {
  let s: Record<string, Served> = {};
  beforeAll(async () => {
    s = await serve();
  });
  afterAll(async () => {
    for (const x of Object.values(s)) await x.server.close();
  });

  it('reads Sungrow, Victron, Huawei, Deye and SMA identity registers at their wire addresses; Huawei refuses a 65-register read', async () => {
    const ports = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.port]));
    const r = await runPeer(PYTHON, ['-c', PY, JSON.stringify(ports)]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(out.sungrow_type).toBe(0x0e03);
    expect(out.sungrow_serial).toBe(s['sungrow-sh']!.devices['sungrow-sh']!.inverter.identity.serial);
    expect(out.victron_serial).toBe(s['victron-gx']!.devices['victron-gx']!.inverter.identity.serial);
    expect(out.victron_soc).toBe(55);
    expect(out.huawei_model).toBe('SUN2000-10KTL-M1');
    expect(out.huawei_serial).toBe(s['huawei-sun2000']!.devices['huawei-sun2000']!.inverter.identity.serial);
    expect(out.huawei_rated).toBe(10000);
    expect(out.huawei_over_limit).toBe(3);
    expect(out.deye_type).toBe(3);
    expect(out.sma_type).toBe(9225);
    expect(out.deye_serial).toBe(s['deye-sunsynk']!.devices['deye-sunsynk']!.inverter.identity.serial.slice(0, 10));
  });
});
