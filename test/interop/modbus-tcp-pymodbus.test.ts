/**
 * pymodbus 3.0 (Debian python3-pymodbus, its synchronous ModbusTcpClient) as the master against our Modbus/TCP
 * server: every table, FC23, device identification, and the exception codes it gets back.
 */
import { PYTHON, describeWithPeers } from '../support/peers';
import { run, startFixture, type Fixture } from './modbus-tcp-fixture';

/** Runs a list of operations on one connection and prints one JSON result per operation. */
const SCRIPT = `
import json, sys, types
try:
    import serial_asyncio  # noqa: F401  (pymodbus.client imports it even for TCP)
except ImportError:
    m = types.ModuleType('serial_asyncio'); m.create_serial_connection = None; sys.modules['serial_asyncio'] = m
from pymodbus.client import ModbusTcpClient
from pymodbus.mei_message import ReadDeviceInformationRequest
from pymodbus.register_read_message import ReadWriteMultipleRegistersRequest
port, ops = int(sys.argv[1]), json.loads(sys.argv[2])
c = ModbusTcpClient('127.0.0.1', port=port, timeout=2, retries=0)
if not c.connect():
    raise SystemExit('cannot connect')
out = []
for op in ops:
    k, s = op['op'], op['slave']
    a, n, v = op.get('address', 0), op.get('count', 1), op.get('values', [])
    try:
        if k == 'rh': r = c.read_holding_registers(a, n, slave=s)
        elif k == 'ri': r = c.read_input_registers(a, n, slave=s)
        elif k == 'rc': r = c.read_coils(a, n, slave=s)
        elif k == 'rd': r = c.read_discrete_inputs(a, n, slave=s)
        elif k == 'wr': r = c.write_registers(a, v, slave=s)
        elif k == 'w1': r = c.write_register(a, v[0], slave=s)
        elif k == 'wc': r = c.write_coils(a, [bool(x) for x in v], slave=s)
        elif k == 'w1c': r = c.write_coil(a, bool(v[0]), slave=s)
        elif k == 'rw': r = c.execute(ReadWriteMultipleRegistersRequest(read_address=a, read_count=n, write_address=op['write'], write_registers=v, unit=s))
        elif k == 'id': r = c.execute(ReadDeviceInformationRequest(read_code=op['code'], object_id=a, unit=s))
        if r.isError():
            out.append({'error': type(r).__name__, 'code': getattr(r, 'exception_code', None)})
        elif k in ('rh', 'ri', 'rw'):
            out.append({'registers': r.registers})
        elif k in ('rc', 'rd'):
            out.append({'bits': [bool(b) for b in r.bits[:n]]})
        elif k == 'id':
            out.append({'conformity': r.conformity, 'objects': {str(i): x.decode() for i, x in r.information.items()}})
        else:
            out.append({'ok': True})
    except Exception as e:
        out.append({'error': type(e).__name__, 'message': str(e)})
c.close()
print(json.dumps(out))
`;

interface Op {
  op: 'rh' | 'ri' | 'rc' | 'rd' | 'wr' | 'w1' | 'wc' | 'w1c' | 'rw' | 'id';
  slave: number;
  address?: number;
  count?: number;
  values?: Array<number | boolean>;
  write?: number;
  code?: number;
}

describeWithPeers(['python3-pymodbus'], 'Modbus/TCP interop: pymodbus 3.0 client, our server', () => {
  let fx: Fixture;
  async function pymodbus(ops: Op[]): Promise<unknown[]> {
    const r = await run(PYTHON, ['-c', SCRIPT, String(fx.port), JSON.stringify(ops)]);
    if (r.code !== 0) throw new Error(`pymodbus script failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout) as unknown[];
  }

  beforeEach(async () => {
    fx = await startFixture();
  });
  afterEach(async () => {
    await fx.server.close();
  });

  it('reads and writes every table and FC23 on two units', async () => {
    const res = await pymodbus([
      { op: 'rh', slave: 1, address: 0, count: 4 },
      { op: 'ri', slave: 1, address: 1, count: 3 },
      { op: 'rd', slave: 1, address: 0, count: 8 },
      { op: 'wr', slave: 1, address: 24, values: [1, 2, 3] },
      { op: 'w1', slave: 1, address: 27, values: [999] },
      { op: 'wc', slave: 1, address: 8, values: [true, false, true] },
      { op: 'w1c', slave: 1, address: 0, values: [true] },
      { op: 'rc', slave: 1, address: 0, count: 11 },
      { op: 'rw', slave: 1, address: 24, count: 4, write: 20, values: [42, 43] },
      { op: 'rh', slave: 2, address: 0, count: 2 },
    ]);
    expect(res).toEqual([
      { registers: [100, 101, 102, 103] },
      { registers: [501, 502, 503] },
      { bits: [true, false, true, true, false, false, false, true] },
      { ok: true },
      { ok: true },
      { ok: true },
      { ok: true },
      { bits: [true, false, false, false, false, false, false, false, true, false, true] },
      { registers: [1, 2, 3, 999] },
      { registers: [0xbeef, 2] },
    ]);
    expect(fx.unit1.get('holding', 20, 8)).toEqual([42, 43, 0, 0, 1, 2, 3, 999]);
    expect(fx.unit1.getBits('coils', 8, 3)).toEqual([true, false, true]);
  });

  it('reads device identification (basic stream and one object)', async () => {
    const res = await pymodbus([
      { op: 'id', slave: 1, code: 1, address: 0 },
      { op: 'id', slave: 1, code: 4, address: 1 },
      { op: 'id', slave: 2, code: 1, address: 0 },
    ]);
    expect(res).toEqual([
      { conformity: 0x82, objects: { 0: 'SecondLife', 1: 'HIL-TCP', 2: '0.1' } },
      { conformity: 0x82, objects: { 1: 'HIL-TCP' } },
      { error: 'ExceptionResponse', code: 1 },
    ]);
  });

  it('gets exception codes: bad address, bad value, unknown unit, no such table', async () => {
    const res = await pymodbus([
      { op: 'rh', slave: 1, address: 28, count: 5 },
      { op: 'ri', slave: 1, address: 10, count: 1 },
      { op: 'wr', slave: 1, address: 20, values: [1, 5000] },
      { op: 'rc', slave: 2, address: 0, count: 1 },
      { op: 'rh', slave: 7, address: 0, count: 1 },
      { op: 'rh', slave: 1, address: 0, count: 1 },
    ]);
    expect(res).toEqual([
      { error: 'ExceptionResponse', code: 2 },
      { error: 'ExceptionResponse', code: 2 },
      { error: 'ExceptionResponse', code: 3 },
      { error: 'ExceptionResponse', code: 2 },
      { error: 'ExceptionResponse', code: 0x0b },
      { registers: [100] },
    ]);
    expect(fx.unit1.get('holding', 20, 2)).toEqual([0, 0]);
  });
});
