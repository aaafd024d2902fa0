#!/usr/bin/python3
"""The vehicle side of a Nissan Leaf battery for test/interop/native-leaf-python.test.ts, written independently of the
emulator from the controller-side sources: python-can 4.1 (socketcand) on our hub sends the VCM keep-alive frames
0x1F2 (10 ms) and 0x50B (100 ms) with Battery-Emulator's bytes, decodes 0x1DB / 0x55B, polls the LBC's groups
(`21 gg` on 0x79B) and reassembles the ISO-TP answers on 0x7BB itself (first frame `1L LL`, one flow control
`30 00 05` = block size 0, STmin 5 ms, consecutive frames `2n`, ISO 15765-2). STmin 5 ms because python-can 4.1's
socketcand reader loses frames of a back-to-back burst (with STmin 0 no 28-frame answer got through in 8 tries).
Sources: dalathegreat/Battery-Emulator Software/src/battery/NISSAN-LEAF-BATTERY.cpp @ 62532e94 (0x1DB / 0x55B bits,
CRC-8 poly 0x85, keep-alive frames); openvehicles/Open-Vehicle-Monitoring-System-3 vehicle_nissanleaf.cpp @ 1aa1daff
(group 0x01 / 0x02 / 0x04 layouts).

Prints JSON lines: ready, relays {at}, group {group, data...} per group, broadcast {...}; then on the stdin command
{"cmd": "silent"} stops the keep-alive and prints relays-off {after_s} once 0x1DB drops MainRelayOn, then done.

A group whose transfer broke is asked again (at most --tries times, counted); see vehicle_peer_common.py.
"""
from vehicle_peer_common import VehiclePeer, crc8, emit, run_peer, until_off


def crc85(d):
    return crc8(d[:7], 0x85, 0)


class Vehicle(VehiclePeer):
    answer_id = 0x7BB

    def __init__(self, bus):
        super().__init__(bus)
        self.broadcast = {}
        self.crc_errors = 0
        self.stmin = 5

    def keepalive(self, k):
        csum = [0x8F, 0x80, 0x81, 0x82]
        self.send(0x1F2, [0x10, 0x64, 0x00, 0xB0, 0x00, 0x1E, k % 4, csum[k % 4]])
        if k % 10 == 0:
            self.send(0x50B, [0x00, 0x00, 0x06, 0xC0, 0x00, 0x00, 0x00])

    def on_broadcast(self, arb, d):
        if arb == 0x1DB and len(d) == 8:
            if crc85(d) != d[7]:
                self.crc_errors += 1
                return
            i = (d[0] << 3) | (d[1] >> 5)
            if i & 0x400:
                i -= 0x800
            self.broadcast.update(current=i * 0.5, voltage=((d[2] << 2) | (d[3] >> 6)) * 0.5,
                                  main_relay_on=bool(d[3] & 0x20), relay_cut=(d[1] >> 3) & 3)
        elif arb == 0x55B and len(d) == 8:
            if crc85(d) != d[7]:
                self.crc_errors += 1
                return
            self.broadcast["soc"] = ((d[0] << 2) | (d[1] >> 6)) / 10

    def poll(self, group):
        """One request; the answer bytes from 0x61, or None when the transfer broke."""
        return self.isotp_request(0x79B, [0x02, 0x21, group, 0, 0, 0, 0, 0], [0x30, 0x00, self.stmin, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])


def decode_group(p):
    g, d = p[1], p[2:]
    be16 = lambda i: (d[i] << 8) | d[i + 1]  # noqa: E731
    if g == 0x02 and len(d) == 196:
        return {"cells": [be16(2 * i) / 1000 for i in range(96)], "pack_voltage": be16(192) / 100}
    if g == 0x01 and len(d) in (39, 41, 51):
        ah = (d[35] << 16 | d[36] << 8 | d[37]) if len(d) == 51 else (d[33] << 16 | d[34] << 8 | d[35])
        return {"insulation_kohm": be16(22), "capacity_ah": ah / 10000, "length": len(d)}
    if g == 0x04 and len(d) in (14, 29):
        return {"thermistor_c": [-0.102 * (be16(3 * k) - 710) for k in range(4) if be16(3 * k) != 0xFFFF]}
    return {"unknown": p.hex()}


def body(v, args):
    v.run_every(0.01, v.keepalive)
    after = v.listen_while(lambda: not v.broadcast.get("main_relay_on"))
    emit({"event": "relays", "on": bool(v.broadcast.get("main_relay_on")), "after_s": after})
    for g in (0x02, 0x01, 0x04):
        tries, ans = 0, None
        while ans is None and tries < args.tries:
            tries += 1
            ans = v.poll(g)
        emit({"event": "group", "group": g, "tries": tries, **(decode_group(ans) if ans is not None else {"missing": True})})
    v.listen_for(0.3)
    emit({"event": "broadcast", "crc_errors": v.crc_errors, **v.broadcast})


if __name__ == "__main__":
    run_peer(Vehicle, body, until_off(lambda v: v.broadcast.get("main_relay_on"), "relays-off"))
