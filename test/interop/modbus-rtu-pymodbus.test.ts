/**
 * pymodbus 3.0 (Debian python3-pymodbus, its synchronous ModbusSerialClient with the RTU framer) as the master, our
 * RTU server on the other end of a socat pty pair, 115200 baud 8N1. Units 3 and 4 share the line; unit 5 is nobody's.
 */
import { RegisterMap } from '../../protocols/modbus/register-map';
import { describeWithPeers } from '../support/peers';
import { runPython } from '../support/py-run';
import { useRtuServerOverPty } from '../support/rtu-over-pty';

/** Runs a list of operations with one client, prints one JSON result per operation. */
const SCRIPT = `
import json, sys
from pymodbus.client import ModbusSerialClient
from pymodbus.framer.rtu_framer import ModbusRtuFramer
port, ops = sys.argv[1], json.loads(sys.argv[2])
c = ModbusSerialClient(port=port, framer=ModbusRtuFramer, baudrate=115200, bytesize=8, parity="N", stopbits=1,
                       timeout=1, retries=0)  # 3.0.0rc1 keeps int(timeout) seconds: 0.3 would mean 0
if not c.connect():
    raise SystemExit("cannot open " + port)
out = []
for op in ops:
    k, s = op["op"], op["slave"]
    try:
        if k == "rh": r = c.read_holding_registers(op["address"], op["count"], slave=s)
        elif k == "ri": r = c.read_input_registers(op["address"], op["count"], slave=s)
        elif k == "rc": r = c.read_coils(op["address"], op["count"], slave=s)
        elif k == "wr": r = c.write_registers(op["address"], op["values"], slave=s)
        elif k == "w1": r = c.write_register(op["address"], op["values"][0], slave=s)
        elif k == "wc": r = c.write_coils(op["address"], op["values"], slave=s)
        if r.isError():
            out.append({"error": type(r).__name__, "code": getattr(r, "exception_code", None)})
        elif k in ("rh", "ri"):
            out.append({"registers": r.registers})
        elif k == "rc":
            out.append({"bits": [bool(b) for b in r.bits[: op["count"]]]})
        else:
            out.append({"ok": True})
    except Exception as e:  # pymodbus raises for some I/O failures instead of returning an error object
        out.append({"error": type(e).__name__, "code": None})
c.close()
print(json.dumps(out))
`;

interface Op {
  op: 'rh' | 'ri' | 'rc' | 'wr' | 'w1' | 'wc';
  slave: number;
  address: number;
  count?: number;
  values?: Array<number | boolean>;
}
type Result = { registers?: number[]; bits?: boolean[]; ok?: boolean; error?: string; code?: number | null };

async function pymodbus(port: string, ops: Op[]): Promise<Result[]> {
  const out = await runPython(['-c', SCRIPT, port, JSON.stringify(ops)]);
  return JSON.parse(out.trim().split('\n').pop()!) as Result[];
}

function unit(id: number): RegisterMap {
  const map = new RegisterMap();
  map.addRegisters({ table: 'holding', start: 0, values: Array.from({ length: 20 }, (_, i) => id * 100 + i) });
  map.addRegisters({ table: 'input', start: 30, values: Array.from({ length: 5 }, (_, i) => 9000 + id * 10 + i) });
  map.addBits({ table: 'coils', start: 0, length: 16 });
  return map;
}

describeWithPeers(['socat', 'python3-pymodbus', 'python3-serial'], 'Modbus RTU interop: pymodbus over a socat pty pair', () => {
  const maps = new Map<number, RegisterMap>([3, 4].map((id) => [id, unit(id)]));
  const line = useRtuServerOverPty(() => maps);

  it('reads holding and input registers of two units', async () => {
    const r = await pymodbus(line.masterPath, [
      { op: 'rh', slave: 3, address: 1, count: 4 },
      { op: 'rh', slave: 4, address: 0, count: 2 },
      { op: 'ri', slave: 4, address: 30, count: 5 },
    ]);
    expect(r).toEqual([{ registers: [301, 302, 303, 304] }, { registers: [400, 401] }, { registers: [9040, 9041, 9042, 9043, 9044] }]);
  });

  it('writes registers (FC16 and FC6) and coils, read back on the wire and in the map', async () => {
    const r = await pymodbus(line.masterPath, [
      { op: 'wr', slave: 3, address: 12, values: [1, 2, 65535] },
      { op: 'w1', slave: 4, address: 19, values: [4242] },
      { op: 'wc', slave: 3, address: 4, values: [true, false, true] },
      { op: 'rh', slave: 3, address: 11, count: 5 },
      { op: 'rc', slave: 3, address: 3, count: 5 },
    ]);
    expect(r).toEqual([{ ok: true }, { ok: true }, { ok: true }, { registers: [311, 1, 2, 65535, 315] }, { bits: [false, true, false, true, false] }]);
    expect(maps.get(4)!.get('holding', 19)).toEqual([4242]);
  });

  it('gets exception 2 for addresses the unit does not have', async () => {
    const r = await pymodbus(line.masterPath, [
      { op: 'rh', slave: 3, address: 19, count: 2 },
      { op: 'ri', slave: 4, address: 0, count: 1 },
      { op: 'wc', slave: 4, address: 15, values: [true, true] },
    ]);
    expect(r).toEqual([
      { error: 'ExceptionResponse', code: 2 },
      { error: 'ExceptionResponse', code: 2 },
      { error: 'ExceptionResponse', code: 2 },
    ]);
  });

  it('gets no reply for a unit id nobody on the line serves, then is answered again', async () => {
    const before = line.server.stats.otherUnits;
    const r = await pymodbus(line.masterPath, [
      { op: 'rh', slave: 5, address: 0, count: 1 },
      { op: 'rh', slave: 3, address: 0, count: 1 },
    ]);
    expect(r[0]!.error).toBeDefined();
    expect(r[0]!.error).not.toBe('ExceptionResponse');
    expect(r[1]).toEqual({ registers: [300] });
    expect(line.server.stats.otherUnits).toBe(before + 1);
  });
});
