/**
 * The start of a pymodbus TCP client script driven by PyRequester: connects to argv host/port (exits with
 * "cannot connect" otherwise) and defines `c` (the client), `rh(address, count)` (holding registers of unit 1, or
 * None on an exception) and `s16(raw)` (a register read as int16).
 */
export const PYMODBUS_TCP_PREAMBLE = `
import json, sys
from pymodbus.client import ModbusTcpClient
host, port = sys.argv[1], int(sys.argv[2])
c = ModbusTcpClient(host, port=port, timeout=2, retries=0)
if not c.connect():
    raise SystemExit("cannot connect")
def rh(a, n):
    r = c.read_holding_registers(a, n, slave=1)
    return None if r.isError() else list(r.registers)
def s16(v):
    return v - 65536 if v >= 32768 else v
`;
