#!/usr/bin/env python3
"""A minimal battery controller (EMS) in Python, for `hil` benches: python-can on socketcand for the BMS, raw Modbus
TCP over a socket (standard library only) for a SunSpec hybrid inverter. See docs/your-controller.md.

    python3 controller.py --can HOST:PORT/BUS --modbus HOST:PORT [--unit 1]
    # in a bench: command: [python3, examples/python/controller.py, --can, "${can.pack1.socketcand}", --modbus, "${modbus.site.tcp}"]

What it does, every 250 ms:
- reads the BMS's broadcasts (Pylontech LV protocol): 0x351 charge current limit (bytes 2-3, signed 0.1 A,
  little-endian), 0x356 pack voltage (bytes 0-1, signed 0.01 V), 0x359 protection flags (bytes 0-1: any bit set is a
  protection alarm, the system-error bit included). Byte layouts: docs/protocols/battery-can.md (with its sources);
- sends the inverter heartbeat 0x305 (8 bytes) once a second: the BMS zeroes its limits when it stops;
- commands SunSpec model 124 (storage): StorCtl_Mod = 3 (charge and discharge limits in force), OutWRte = 0 and
  InWRte = the BMS's charge limit as % of WChaMax (capped at 100 %); both 0 on a protection alarm or when the BMS
  has been silent for 3 s (comms loss). Model 124 point offsets and scale factors: the official SunSpec model JSON
  (model_124.json: WChaMax +2, StorCtl_Mod +5, OutWRte +12, InWRte +13, WChaMax_SF +18, InOutWRte_SF +25).

It prints "controller ready" once it has found model 124 and joined the CAN bus. Only time.sleep, select and socket
timeouts wait here (no threading.Event / queue timeouts), so it runs under `hil run --speed k` (docs/speed.md).
"""
import argparse
import socket
import struct
import sys
import time

import can

PERIOD_S = 0.25
HEARTBEAT_S = 1.0
COMMS_TIMEOUT_S = 3.0
SUNSPEC_BASE = 40000


class ModbusTcp:
    """Modbus TCP client on one socket: FC 3 (read holding registers) and FC 16 (write multiple registers)."""

    # Generous: under --speed k every real latency (a loaded CI machine included) is k times longer on this clock.
    def __init__(self, host, port, unit, timeout_s=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout_s)
        self.unit = unit
        self.tid = 0

    def _call(self, pdu):
        self.tid = (self.tid + 1) & 0xFFFF
        self.sock.sendall(struct.pack(">HHHB", self.tid, 0, len(pdu) + 1, self.unit) + pdu)
        head = self._read(7)
        tid, _proto, length, _unit = struct.unpack(">HHHB", head)
        body = self._read(length - 1)
        if tid != self.tid:
            raise IOError("Modbus: transaction id %d, expected %d" % (tid, self.tid))
        if body[0] & 0x80:
            raise IOError("Modbus exception %d on function %d" % (body[1], body[0] & 0x7F))
        return body

    def _read(self, n):
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise IOError("Modbus: connection closed")
            data += chunk
        return data

    def read(self, address, count):
        body = self._call(struct.pack(">BHH", 3, address, count))
        return list(struct.unpack(">%dH" % count, body[2:2 + 2 * count]))

    def write(self, address, values):
        regs = [v & 0xFFFF for v in values]
        self._call(struct.pack(">BHHB", 16, address, len(regs), 2 * len(regs)) + struct.pack(">%dH" % len(regs), *regs))


def signed(v):
    return v - 0x10000 if v >= 0x8000 else v


def find_model(mb, model_id):
    """Walk the SunSpec model chain from 40002 ('SunS' at 40000) to the model's ID register."""
    if mb.read(SUNSPEC_BASE, 2) != [0x5375, 0x6E53]:
        raise IOError("no SunSpec marker 'SunS' at %d" % SUNSPEC_BASE)
    addr = SUNSPEC_BASE + 2
    while True:
        mid, length = mb.read(addr, 2)
        if mid == 0xFFFF:
            raise IOError("SunSpec model %d not found" % model_id)
        if mid == model_id:
            return addr
        addr += 2 + length


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--can", required=True, help="socketcand HOST:PORT/BUS")
    ap.add_argument("--modbus", required=True, help="Modbus TCP HOST:PORT")
    ap.add_argument("--unit", type=int, default=1)
    args = ap.parse_args()
    hostport, bus_name = args.can.split("/", 1)
    can_host, can_port = hostport.rsplit(":", 1)
    mb_host, mb_port = args.modbus.rsplit(":", 1)

    mb = ModbusTcp(mb_host, int(mb_port), args.unit)
    m124 = find_model(mb, 124)
    regs = mb.read(m124, 2 + 26)[2:]
    w_cha_max = regs[0] * 10 ** signed(regs[16])
    rte_sf = signed(regs[23])
    bus = can.Bus(interface="socketcand", host=can_host, port=int(can_port), channel=bus_name)
    print("controller ready: model 124 at %d, WChaMax %.0f W, BMS on %s" % (m124, w_cha_max, args.can))

    ccl_a = 0.0
    volts = 0.0
    protection = False
    last_bms = time.monotonic()
    next_beat = 0.0
    last_cmd = None
    try:
        while True:
            now = time.monotonic()
            msg = bus.recv(timeout=0)
            while msg is not None:
                d = msg.data
                if msg.arbitration_id == 0x351 and len(d) >= 4:
                    ccl_a = struct.unpack_from("<h", d, 2)[0] / 10.0
                    last_bms = now
                elif msg.arbitration_id == 0x356 and len(d) >= 2:
                    volts = struct.unpack_from("<h", d, 0)[0] / 100.0
                elif msg.arbitration_id == 0x359 and len(d) >= 2:
                    protection = (d[0] | d[1]) != 0
                msg = bus.recv(timeout=0)
            if now >= next_beat:
                bus.send(can.Message(arbitration_id=0x305, data=bytes(8), is_extended_id=False))
                next_beat = now + HEARTBEAT_S
            lost = now - last_bms > COMMS_TIMEOUT_S
            if protection or lost or w_cha_max <= 0:
                pct = 0.0
            else:
                pct = max(0.0, min(100.0, ccl_a * volts / w_cha_max * 100.0))
            raw = int(round(pct / 10 ** rte_sf))
            cmd = (raw, protection, lost)
            if cmd != last_cmd:
                mb.write(m124 + 5, [3])  # StorCtl_Mod: charge and discharge limits in force
                mb.write(m124 + 12, [0, raw])  # OutWRte 0, InWRte
                print("InWRte %.1f %% (CCL %.1f A, %.2f V)%s%s" % (pct, ccl_a, volts, " PROTECTION" if protection else "", " COMMS LOST" if lost else ""))
                last_cmd = cmd
            time.sleep(PERIOD_S)
    except KeyboardInterrupt:
        pass
    finally:
        bus.shutdown()


if __name__ == "__main__":
    sys.exit(main())
