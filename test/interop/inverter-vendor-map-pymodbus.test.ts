/**
 * The fictional vendor map (data/inverters/example-vendor.yaml) on our Modbus TCP server, read and written by
 * pymodbus 3.0: input registers (FC4) for 32-bit big-endian measurements, holding registers (FC16) for the power
 * limit, and an exception for an unmapped address.
 */
import { join } from 'node:path';
import { SimpleBatteryPort } from '../../emulators/inverter/battery-port';
import { constant } from '../../emulators/inverter/irradiance';
import { Inverter } from '../../emulators/inverter/inverter';
import { loadVendorMap } from '../../emulators/inverter/vendor-map';
import { VendorMapDevice } from '../../emulators/inverter/vendor-map-device';
import { ModbusTcpServer } from '../../protocols/modbus/tcp/tcp-server';
import { describeWithPeers } from '../support/peers';
import { runPython } from '../support/py-run';

const SCRIPT = `
import json, sys
from pymodbus.client import ModbusTcpClient
c = ModbusTcpClient("127.0.0.1", port=int(sys.argv[1]), timeout=2, retries=0)
if not c.connect():
    raise SystemExit("cannot connect")
out = {}
r = c.read_input_registers(30010, 8, slave=1)
w = (r.registers[0] << 16) | r.registers[1]
out["ac_power"] = w - (1 << 32) if w >= (1 << 31) else w
out["grid_voltage"] = r.registers[4] * 0.1
out["grid_frequency"] = r.registers[5] * 0.01
out["write"] = not c.write_registers(40101, [300, 1], slave=1).isError()   # 30.0 %, enabled
r = c.read_holding_registers(40101, 2, slave=1)
out["readback"] = list(r.registers)
e = c.read_input_registers(30003, 1, slave=1)
out["gap_exception"] = getattr(e, "exception_code", None)
c.close()
print(json.dumps(out))
`;

async function run(port: number): Promise<Record<string, unknown>> {
  return JSON.parse((await runPython(['-c', SCRIPT, String(port)])).trim()) as Record<string, unknown>;
}

describeWithPeers(['python3-pymodbus', 'python3-serial'], 'Vendor map interop: pymodbus reads and writes the example vendor map', () => {
  let server: ModbusTcpServer | undefined;
  const inv = new Inverter({ profile: constant(800), battery: new SimpleBatteryPort(), seed: 8 });

  beforeAll(async () => {
    for (let i = 0; i < 600; i++) inv.step(0.1);
    server = new ModbusTcpServer();
    server.core.addUnit(1, new VendorMapDevice(inv, loadVendorMap(join(__dirname, '..', '..', 'data', 'inverters', 'example-vendor.yaml'))));
    await server.listen();
  });

  afterAll(async () => {
    await server?.close();
  });

  it('reads scaled 32-bit measurements, writes the limit, gets exception 2 for a gap', async () => {
    const r = await run(server!.address.port);
    expect(r.ac_power).toBe(Math.round(inv.state.acW));
    expect(r.grid_voltage).toBeCloseTo(230, 6);
    expect(r.grid_frequency).toBeCloseTo(50, 6);
    expect(r.write).toBe(true);
    expect(r.readback).toEqual([300, 1]);
    expect(r.gap_exception).toBe(2);
    expect(inv.controls).toMatchObject({ limitEnabled: true, limitPct: 30 });
    for (let i = 0; i < 10; i++) inv.step(0.1);
    expect(inv.state.acW).toBeLessThanOrEqual(1500 + 1e-6);
  });
});
