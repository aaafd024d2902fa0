#!/usr/bin/env python3
"""The battery controller of controller.py (same policy), on plain sockets through lockstep.py, so it also runs in
lock step, in virtual time (`hil run --time-mode lockstep`, docs/lockstep.md). Standard library only.

    python3 lockstep_controller.py --can HOST:PORT/BUS --modbus HOST:PORT [--unit 1]
    # in a bench: command: [python3, examples/python/lockstep_controller.py, --can, "${can.pack1.socketcand}", --modbus, "${modbus.site.tcp}"]

Every 250 ms: the 0x305 heartbeat once a second; SunSpec model 124 StorCtl_Mod = 3, OutWRte = 0, InWRte = the BMS's
charge limit (0x351) x pack voltage (0x356) as % of WChaMax, 0 on a protection alarm (0x359) or after 3 s without
0x351. The policy, the byte layouts and the SunSpec requests: battery_policy.py (beside this file, shared with
controller.py); this file is the lock-step part: the sockets through lockstep.py, socketcand by hand, the loop.
socketcand messages (`< open BUS >`, `< rawmode >`,
`< send ID LEN B.. >`, `< frame ID SEC.USEC HEX >`): the socketcand protocol document (linux-can/socketcand,
doc/protocol.md, commit 8015de6bccf7cb30b7701ae3b0ee0dffe98811a0). Prints "controller ready".
"""
import re
import struct
import sys

from battery_policy import MODEL_STORAGE, BmsReadings, SunSpecClient, command_storage, parse_args, storage_scales
from lockstep import Ended, Lockstep

PERIOD_MS = 250
HEARTBEAT_MS = 1000
COMMS_TIMEOUT_MS = 3000
MODBUS_TIMEOUT_MS = 10000
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


class Modbus(Link, SunSpecClient):
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


def main():
    args, (can_host, can_port, bus_name), (mb_host, mb_port) = parse_args(__doc__.split("\n")[0])
    ls = Lockstep.from_env()
    try:
        run(ls, can_host, can_port, bus_name, mb_host, mb_port, args)
    except Ended:
        return 0


def run(ls, can_host, can_port, bus_name, mb_host, mb_port, args):
    mb = Modbus(ls, mb_host, mb_port, args.unit)
    m124 = mb.find_model(MODEL_STORAGE)
    w_cha_max, rte_sf = storage_scales(mb.read(m124 + 2, 26))

    can = Socketcand(ls, can_host, can_port)
    can.expect(b"hi")
    ls.send(can.sock, ("< open %s >" % bus_name).encode())
    can.expect(b"ok")
    ls.send(can.sock, b"< rawmode >")
    can.expect(b"ok")
    print("controller ready: model 124 at %d, WChaMax %.0f W, BMS on %s (%s)" % (m124, w_cha_max, args.can, "lock step" if ls.active else "real time"), flush=True)
    ls.ready()

    bms = BmsReadings(ls.now())
    next_beat = next_cycle = ls.now()
    last_cmd = None
    while True:
        can.fill(next_cycle - ls.now())
        for can_id, d in can.frames():
            bms.take(can_id, d, ls.now())
        now = ls.now()
        if now < next_cycle:
            continue
        next_cycle = max(next_cycle + PERIOD_MS, now)
        if now >= next_beat:
            can.send_frame(0x305, bytes(8))
            next_beat = now + HEARTBEAT_MS
        pct, raw, lost = bms.charge_rate(now, COMMS_TIMEOUT_MS, w_cha_max, rte_sf)
        cmd = (raw, bms.protection, lost)
        if cmd != last_cmd:
            command_storage(mb, m124, raw)
            print(bms.report(pct, lost), flush=True)
            last_cmd = cmd


if __name__ == "__main__":
    sys.exit(main())
