#!/usr/bin/env python3
"""The battery controller of controller.py (same policy), on plain sockets through lockstep.py, so it also runs in
lock step, in virtual time (`hil run --time-mode lockstep`, docs/lockstep.md). Standard library only.

    python3 lockstep_controller.py --can HOST:PORT/BUS --modbus HOST:PORT [--unit 1]
    # in a bench: command: [python3, examples/python/lockstep_controller.py, --can, "${can.pack1.socketcand}", --modbus, "${modbus.site.tcp}"]

Every 250 ms: the 0x305 heartbeat once a second; SunSpec model 124 StorCtl_Mod = 3, OutWRte = 0, InWRte = the BMS's
charge limit (0x351) x pack voltage (0x356) as % of WChaMax, 0 on a protection alarm (0x359) or after 3 s without
0x351. Byte layouts and SunSpec offsets: see controller.py. socketcand messages (`< open BUS >`, `< rawmode >`,
`< send ID LEN B.. >`, `< frame ID SEC.USEC HEX >`): the socketcand protocol document (linux-can/socketcand,
doc/protocol.md, commit 8015de6bccf7cb30b7701ae3b0ee0dffe98811a0). Prints "controller ready".
"""
import argparse
import re
import struct
import sys

from lockstep import Ended, Lockstep

PERIOD_MS = 250
HEARTBEAT_MS = 1000
COMMS_TIMEOUT_MS = 3000
MODBUS_TIMEOUT_MS = 10000
SUNSPEC_BASE = 40000
# `< frame ID SEC.USEC DATA >`: socketcand prints the data bytes run together (so does the hub); the protocol document
# (linux-can/socketcand doc/protocol.md at 8015de6bccf7cb30b7701ae3b0ee0dffe98811a0) shows them spaced: read both.
FRAME = re.compile(rb"<\s*frame\s+([0-9A-Fa-f]+)\s+[0-9.]+\s*([0-9A-Fa-f ]*?)\s*>")


class Link:
    """One TCP connection and what was read from it, all through the lock-step session."""

    def __init__(self, ls, host, port):
        self.ls = ls
        self.sock = ls.connect((host, int(port)))
        self.buf = b""

    def fill(self, timeout_ms):
        """Wait up to timeout_ms (harness time in lock step) for bytes; True if some came."""
        if not self.ls.select([self.sock], max(0, timeout_ms) / 1000.0):
            return False
        data = self.ls.recv(self.sock)
        if not data:
            raise IOError("connection closed")
        self.buf += data
        return True

    def take(self, n, timeout_ms):
        deadline = self.ls.now() + timeout_ms
        while len(self.buf) < n:
            if not self.fill(deadline - self.ls.now()) and self.ls.now() >= deadline:
                raise IOError("read timeout")
        out, self.buf = self.buf[:n], self.buf[n:]
        return out


class Modbus(Link):
    def __init__(self, ls, host, port, unit):
        super().__init__(ls, host, port)
        self.unit = unit
        self.tid = 0

    def call(self, pdu):
        self.tid = (self.tid + 1) & 0xFFFF
        self.ls.send(self.sock, struct.pack(">HHHB", self.tid, 0, len(pdu) + 1, self.unit) + pdu)
        tid, _proto, length, _unit = struct.unpack(">HHHB", self.take(7, MODBUS_TIMEOUT_MS))
        body = self.take(length - 1, MODBUS_TIMEOUT_MS)
        if body[0] & 0x80:
            raise IOError("Modbus exception %d" % body[1])
        return body

    def read(self, address, count):
        body = self.call(struct.pack(">BHH", 3, address, count))
        return list(struct.unpack(">%dH" % count, body[2:2 + 2 * count]))

    def write(self, address, values):
        regs = [v & 0xFFFF for v in values]
        self.call(struct.pack(">BHHB", 16, address, len(regs), 2 * len(regs)) + struct.pack(">%dH" % len(regs), *regs))


class Socketcand(Link):
    def expect(self, word):
        deadline = self.ls.now() + 5000
        while self.ls.now() < deadline:
            m = re.search(rb"<\s*([a-z]+)[^>]*>", self.buf)
            if m:
                self.buf = self.buf[m.end():]
                if m.group(1) == word:
                    return
                if m.group(1) == b"error":
                    raise IOError("socketcand: %r" % m.group(0))
                continue
            self.fill(deadline - self.ls.now())
        raise IOError("socketcand: no %r" % word)

    def frames(self):
        """(id, data) of every complete frame message buffered; other messages are dropped."""
        out = []
        while True:
            end = self.buf.find(b">")
            if end < 0:
                return out
            m = FRAME.match(self.buf[: end + 1].lstrip())
            if m:
                out.append((int(m.group(1), 16), bytes.fromhex(m.group(2).decode().replace(" ", ""))))
            self.buf = self.buf[end + 1:]

    def send_frame(self, can_id, data):
        self.ls.send(self.sock, ("< send %x %d %s >" % (can_id, len(data), " ".join("%x" % b for b in data))).encode())


def signed(v):
    return v - 0x10000 if v >= 0x8000 else v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--can", required=True, help="socketcand HOST:PORT/BUS")
    ap.add_argument("--modbus", required=True, help="Modbus TCP HOST:PORT")
    ap.add_argument("--unit", type=int, default=1)
    args = ap.parse_args()
    hostport, bus_name = args.can.split("/", 1)
    can_host, can_port = hostport.rsplit(":", 1)
    mb_host, mb_port = args.modbus.rsplit(":", 1)
    ls = Lockstep.from_env()
    try:
        run(ls, can_host, can_port, bus_name, mb_host, mb_port, args)
    except Ended:
        return 0


def run(ls, can_host, can_port, bus_name, mb_host, mb_port, args):
    mb = Modbus(ls, mb_host, mb_port, args.unit)
    if mb.read(SUNSPEC_BASE, 2) != [0x5375, 0x6E53]:
        raise IOError("no SunSpec marker 'SunS' at %d" % SUNSPEC_BASE)
    addr = SUNSPEC_BASE + 2
    while True:
        mid, length = mb.read(addr, 2)
        if mid == 0xFFFF:
            raise IOError("SunSpec model 124 not found")
        if mid == 124:
            break
        addr += 2 + length
    m124 = addr
    regs = mb.read(m124 + 2, 26)
    w_cha_max = regs[0] * 10 ** signed(regs[16])
    rte_sf = signed(regs[23])

    can = Socketcand(ls, can_host, can_port)
    can.expect(b"hi")
    ls.send(can.sock, ("< open %s >" % bus_name).encode())
    can.expect(b"ok")
    ls.send(can.sock, b"< rawmode >")
    can.expect(b"ok")
    print("controller ready: model 124 at %d, WChaMax %.0f W, BMS on %s (%s)" % (m124, w_cha_max, args.can, "lock step" if ls.active else "real time"), flush=True)
    ls.ready()

    ccl_a = volts = 0.0
    protection = False
    last_bms = ls.now()
    next_beat = next_cycle = ls.now()
    last_cmd = None
    while True:
        can.fill(next_cycle - ls.now())
        for can_id, d in can.frames():
            if can_id == 0x351 and len(d) >= 4:
                ccl_a = struct.unpack_from("<h", d, 2)[0] / 10.0
                last_bms = ls.now()
            elif can_id == 0x356 and len(d) >= 2:
                volts = struct.unpack_from("<h", d, 0)[0] / 100.0
            elif can_id == 0x359 and len(d) >= 2:
                protection = (d[0] | d[1]) != 0
        now = ls.now()
        if now < next_cycle:
            continue
        next_cycle = max(next_cycle + PERIOD_MS, now)
        if now >= next_beat:
            can.send_frame(0x305, bytes(8))
            next_beat = now + HEARTBEAT_MS
        lost = now - last_bms > COMMS_TIMEOUT_MS
        pct = 0.0 if protection or lost or w_cha_max <= 0 else max(0.0, min(100.0, ccl_a * volts / w_cha_max * 100.0))
        raw = int(round(pct / 10 ** rte_sf))
        cmd = (raw, protection, lost)
        if cmd != last_cmd:
            mb.write(m124 + 5, [3])  # StorCtl_Mod: charge and discharge limits in force
            mb.write(m124 + 12, [0, raw])  # OutWRte 0, InWRte
            print("InWRte %.1f %% (CCL %.1f A, %.2f V)%s%s" % (pct, ccl_a, volts, " PROTECTION" if protection else "", " COMMS LOST" if lost else ""), flush=True)
            last_cmd = cmd


if __name__ == "__main__":
    sys.exit(main())
