"""battery_policy.py - what the two example battery controllers share (controller.py in real time and under --speed,
lockstep_controller.py in lock step): the command line, SunSpec over Modbus (FC 3 and FC 16 requests, the model chain
walk, model 124's scale factors), the BMS broadcasts and the charge rate they ask for. No I/O and no waiting of its
own: each controller brings its transport and its clock. Standard library only; copy it next to your controller.

Byte layouts: docs/protocols/battery-can.md (with its sources). Model 124 point offsets and scale factors: the
official SunSpec model JSON (model_124.json: WChaMax +2, StorCtl_Mod +5, OutWRte +12, InWRte +13, WChaMax_SF +18,
InOutWRte_SF +25).
"""
import argparse
import struct

SUNSPEC_BASE = 40000
MODEL_STORAGE = 124


def parse_args(description):
    """--can HOST:PORT/BUS --modbus HOST:PORT [--unit 1]: (args, (can host, can port, bus), (modbus host, port))."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--can", required=True, help="socketcand HOST:PORT/BUS")
    ap.add_argument("--modbus", required=True, help="Modbus TCP HOST:PORT")
    ap.add_argument("--unit", type=int, default=1)
    args = ap.parse_args()
    hostport, bus_name = args.can.split("/", 1)
    can_host, can_port = hostport.rsplit(":", 1)
    mb_host, mb_port = args.modbus.rsplit(":", 1)
    return args, (can_host, can_port, bus_name), (mb_host, mb_port)


def signed(v):
    return v - 0x10000 if v >= 0x8000 else v


class SunSpecClient:
    """FC 3 (read holding registers) and FC 16 (write multiple registers) over `self.call(pdu)`, the subclass's
    transport (it returns the response PDU and raises on an exception response), and the SunSpec model chain."""

    def read(self, address, count):
        body = self.call(struct.pack(">BHH", 3, address, count))
        return list(struct.unpack(">%dH" % count, body[2:2 + 2 * count]))

    def write(self, address, values):
        regs = [v & 0xFFFF for v in values]
        self.call(struct.pack(">BHHB", 16, address, len(regs), 2 * len(regs)) + struct.pack(">%dH" % len(regs), *regs))

    def find_model(self, model_id):
        """Walk the SunSpec model chain from 40002 ('SunS' at 40000) to the model's ID register."""
        if self.read(SUNSPEC_BASE, 2) != [0x5375, 0x6E53]:
            raise IOError("no SunSpec marker 'SunS' at %d" % SUNSPEC_BASE)
        addr = SUNSPEC_BASE + 2
        while True:
            mid, length = self.read(addr, 2)
            if mid == 0xFFFF:
                raise IOError("SunSpec model %d not found" % model_id)
            if mid == model_id:
                return addr
            addr += 2 + length


def storage_scales(regs):
    """(WChaMax in W, InOutWRte_SF) from model 124's registers read from WChaMax (offset +2) on, 26 of them."""
    return regs[0] * 10 ** signed(regs[16]), signed(regs[23])


class BmsReadings:
    """What the BMS broadcasts (Pylontech LV protocol) and when its charge limit was last heard: 0x351 charge current
    limit (bytes 2-3, signed 0.1 A, little-endian), 0x356 pack voltage (bytes 0-1, signed 0.01 V), 0x359 protection
    flags (bytes 0-1: any bit set is a protection alarm, the system-error bit included)."""

    def __init__(self, now):
        self.ccl_a = 0.0
        self.volts = 0.0
        self.protection = False
        self.last_heard = now

    def take(self, can_id, data, now):
        """One received frame at time `now` (the controller's clock and unit)."""
        if can_id == 0x351 and len(data) >= 4:
            self.ccl_a = struct.unpack_from("<h", data, 2)[0] / 10.0
            self.last_heard = now
        elif can_id == 0x356 and len(data) >= 2:
            self.volts = struct.unpack_from("<h", data, 0)[0] / 100.0
        elif can_id == 0x359 and len(data) >= 2:
            self.protection = (data[0] | data[1]) != 0

    def charge_rate(self, now, comms_timeout, w_cha_max, rte_sf):
        """(InWRte in %, its raw register value, comms lost): the charge limit x pack voltage as % of WChaMax, capped
        at 100 %; 0 on a protection alarm or when 0x351 has not come for `comms_timeout` (same unit as `now`)."""
        lost = now - self.last_heard > comms_timeout
        if self.protection or lost or w_cha_max <= 0:
            pct = 0.0
        else:
            pct = max(0.0, min(100.0, self.ccl_a * self.volts / w_cha_max * 100.0))
        return pct, int(round(pct / 10 ** rte_sf)), lost

    def report(self, pct, lost):
        """The line a controller prints when its command changes."""
        return "InWRte %.1f %% (CCL %.1f A, %.2f V)%s%s" % (pct, self.ccl_a, self.volts, " PROTECTION" if self.protection else "", " COMMS LOST" if lost else "")


def command_storage(mb, m124, raw):
    """Model 124: StorCtl_Mod = 3 (charge and discharge limits in force), OutWRte = 0, InWRte = raw."""
    mb.write(m124 + 5, [3])
    mb.write(m124 + 12, [0, raw])
