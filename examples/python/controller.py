#!/usr/bin/env python3
"""A minimal battery controller (EMS) in Python, for `hil` benches: python-can on socketcand for the BMS, raw Modbus
TCP over a socket (standard library only) for a SunSpec hybrid inverter. See docs/your-controller.md.

    python3 controller.py --can HOST:PORT/BUS --modbus HOST:PORT [--unit 1]
    # in a bench: command: [python3, examples/python/controller.py, --can, "${can.pack1.socketcand}", --modbus, "${modbus.site.tcp}"]

What it does, every 250 ms:
- reads the BMS's broadcasts (Pylontech LV protocol): 0x351 charge current limit, 0x356 pack voltage, 0x359
  protection flags;
- sends the inverter heartbeat 0x305 (8 bytes) once a second: the BMS zeroes its limits when it stops;
- commands SunSpec model 124 (storage): StorCtl_Mod = 3 (charge and discharge limits in force), OutWRte = 0 and
  InWRte = the BMS's charge limit as % of WChaMax (capped at 100 %); both 0 on a protection alarm or when the BMS
  has been silent for 3 s (comms loss).
The policy, the byte layouts and the SunSpec requests are in battery_policy.py (beside this file, shared with
lockstep_controller.py); this file is the real-time part: python-can, a Modbus TCP socket, the loop.

It prints "controller ready" once it has found model 124 and joined the CAN bus. Only time.sleep, select and socket
timeouts wait here (no threading.Event / queue timeouts), so it runs under `hil run --speed k` (docs/speed.md).
"""
import socket
import struct
import sys
import time

import can

from battery_policy import MODEL_STORAGE, BmsReadings, SunSpecClient, command_storage, parse_args, storage_scales

PERIOD_S = 0.25
HEARTBEAT_S = 1.0
COMMS_TIMEOUT_S = 3.0


class ModbusTcp(SunSpecClient):
    """Modbus TCP client on one socket: the MBAP header, the transaction id and the exception check around a PDU."""

    # Generous: under --speed k every real latency (a loaded CI machine included) is k times longer on this clock.
    def __init__(self, host, port, unit, timeout_s=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout_s)
        self.unit = unit
        self.tid = 0

    def call(self, pdu):
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


def main():
    args, (can_host, can_port, bus_name), (mb_host, mb_port) = parse_args(__doc__.split("\n")[0])

    mb = ModbusTcp(mb_host, int(mb_port), args.unit)
    m124 = mb.find_model(MODEL_STORAGE)
    w_cha_max, rte_sf = storage_scales(mb.read(m124, 2 + 26)[2:])
    bus = can.Bus(interface="socketcand", host=can_host, port=int(can_port), channel=bus_name)
    print("controller ready: model 124 at %d, WChaMax %.0f W, BMS on %s" % (m124, w_cha_max, args.can))

    bms = BmsReadings(time.monotonic())
    next_beat = 0.0
    last_cmd = None
    try:
        while True:
            now = time.monotonic()
            msg = bus.recv(timeout=0)
            while msg is not None:
                bms.take(msg.arbitration_id, msg.data, now)
                msg = bus.recv(timeout=0)
            if now >= next_beat:
                bus.send(can.Message(arbitration_id=0x305, data=bytes(8), is_extended_id=False))
                next_beat = now + HEARTBEAT_S
            pct, raw, lost = bms.charge_rate(now, COMMS_TIMEOUT_S, w_cha_max, rte_sf)
            cmd = (raw, bms.protection, lost)
            if cmd != last_cmd:
                command_storage(mb, m124, raw)
                print(bms.report(pct, lost))
                last_cmd = cmd
            time.sleep(PERIOD_S)
    except KeyboardInterrupt:
        pass
    finally:
        bus.shutdown()


if __name__ == "__main__":
    sys.exit(main())
