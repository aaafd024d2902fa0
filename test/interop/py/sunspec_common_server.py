"""A site controller's SunSpec face, served by pymodbus (a third-party Modbus TCP server): the harness reads its
model 1 the way any SunSpec client does.

Facts (no code taken from these):
- SunSpec discovery: the 'SunS' marker (0x5375 0x6E53) at a base address, then models as ID, L, L registers, ended by
  ID 0xFFFF (sunspec/pysunspec2 sunspec2/modbus/client.py @ 4eea767e: bases [0, 40000, 50000], marker 'SunS').
- Model 1 (Common), L = 66: Mn string 16, Md string 16, Opt string 8, Vr string 8, SN string 16, DA uint16, Pad 1;
  strings are two ASCII bytes per register, high byte first, NUL-padded (sunspec/models json/model_1.json, the copy
  in ../shared/sunspec-models/model_1.json).

Usage: sunspec_common_server.py [--base N] [--no-marker] [--unit N] [Mn Md Opt Vr SN DA]
Prints {"event": "listening", "port": P} once it listens on 127.0.0.1 (port 0: the kernel picks one).
"""
import asyncio
import json
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server.async_io import ModbusTcpServer


def text(value, registers):
    data = value.encode('ascii')[: registers * 2].ljust(registers * 2, b'\0')
    return [(data[i] << 8) | data[i + 1] for i in range(0, len(data), 2)]


def image(base, marker, mn, md, opt, vr, sn, da):
    regs = [0] * 65536
    common = [1, 66] + text(mn, 16) + text(md, 16) + text(opt, 8) + text(vr, 8) + text(sn, 16) + [int(da), 0]
    chain = ([0x5375, 0x6E53] if marker else [0, 0]) + common + [0xFFFF, 0]
    regs[base : base + len(chain)] = chain
    return regs


async def main():
    args = sys.argv[1:]
    base, marker, unit = 40000, True, 1
    while args and args[0].startswith('--'):
        flag = args.pop(0)
        if flag == '--base':
            base = int(args.pop(0))
        elif flag == '--unit':
            unit = int(args.pop(0))
        elif flag == '--no-marker':
            marker = False
    points = args if len(args) == 6 else ['Acme Energy', 'SiteCtl 7', 'grid-tie', '2.4.1', 'SC-0042', '3']
    store = ModbusSlaveContext(hr=ModbusSequentialDataBlock(0, image(base, marker, *points)), zero_mode=True)
    context = ModbusServerContext(slaves={unit: store}, single=False)
    server = ModbusTcpServer(context, address=('127.0.0.1', 0))
    task = asyncio.ensure_future(server.serve_forever())
    await server.serving
    port = server.server.sockets[0].getsockname()[1]
    print(json.dumps({'event': 'listening', 'port': port}), flush=True)
    await task


asyncio.run(main())
