#!/usr/bin/python3
"""The vehicle side of a BMW i3 battery (SME) for test/interop/native-i3-python.test.ts, written independently of the
emulator from the controller-side sources: python-can 4.1 (socketcand) on our hub sends the contactor command 0x10B
(20 ms) and the VCU wake-up 0x12F (100 ms) with their CRC-8 (poly 0x1D, init 0x3F / 0x60, over bytes 1..) and alive
counters, decodes 0x112 / 0x1FA, reads DIDs over UDS and all 96 cells through the routine 31 01/03 AD 6E, with
ISO-TP extended addressing written here (request 0x6F1 / 0x6F4 with 07 first; answers on 0x607 with F1 / F4 first;
flow control `07 30 00 05`).
Sources: dalathegreat/Battery-Emulator Software/src/battery/BMW-I3-BATTERY.cpp/.h @ 62532e94 (frames, CRC, routine);
openvehicles/Open-Vehicle-Monitoring-System-3 vehicle_bmwi3.cpp @ 1aa1daff (DIDs DDBC, DDBF, DD68).

Prints JSON lines: ready, contactors {on, after_s}, diag {...}, cells {cells, tries}, broadcast {...}; then on
{"cmd": "silent"} stops sending and prints contactors-off {after_s}, then done. python-can 4.1 may lose a frame at a
TCP read boundary and marks every frame extended: frames are matched by id, and a broken answer is asked again.
"""
from vehicle_peer_common import VehiclePeer, crc8, emit, retry, run_peer, until_off


def j1850(d, init):
    return crc8(d[1:], 0x1D, init)


class Vehicle(VehiclePeer):
    answer_id = 0x607

    def __init__(self, bus):
        super().__init__(bus)
        self.b = {}

    def keepalive(self, n):
        k = n % 15
        d = [0, 0x10 | k, 0xFC]
        d[0] = j1850(d, 0x3F)
        self.send(0x10B, d)
        if n % 5 == 0:
            f = [0, 0x20 | k, 0x86, 0xDD, 0xF1, 0x35, 0x30, 0x00]
            f[0] = j1850(f, 0x60)
            self.send(0x12F, f)

    def on_broadcast(self, arb, d):
        if arb == 0x112 and len(d) == 8:
            self.b["current"] = ((d[1] << 8 | d[0]) - 8192) / 10
            self.b["voltage"] = (d[3] << 8 | d[2]) / 10
        elif arb == 0x1FA and len(d) == 8:
            self.b["contactor"] = (d[1] >> 4) & 3
            self.b["temp_min"] = d[6] - 50
            self.b["temp_max"] = d[7] - 50
        elif arb == 0x432 and len(d) == 8:
            self.b["display_soc"] = d[4] / 2

    def request(self, arb, tester, payload):
        """One UDS request (extended addressing); the answer from its SID on, or None."""
        return self.isotp_request(arb, [0x07, len(payload)] + list(payload), [0x07, 0x30, 0x00, 0x05], tester=tester)

    def ask(self, arb, tester, payload, tries):
        return retry(lambda: self.request(arb, tester, payload), tries)


def body(v, args):
    v.run_every(0.02, v.keepalive)
    after = v.listen_while(lambda: v.b.get("contactor") != 2)
    emit({"event": "contactors", "on": v.b.get("contactor") == 2, "after_s": after})
    diag = {}
    a, _ = v.ask(0x6F1, 0xF1, [0x22, 0xDD, 0xBC], args.tries)
    if a is not None and a[:3] == b"\x62\xdd\xbc":
        diag["soc"] = (a[3] << 8 | a[4]) / 10
    a, _ = v.ask(0x6F1, 0xF1, [0x22, 0xDD, 0xBF], args.tries)
    if a is not None and a[:3] == b"\x62\xdd\xbf":
        diag["cell_min"], diag["cell_max"] = (a[3] << 8 | a[4]) / 1000, (a[5] << 8 | a[6]) / 1000
    a, _ = v.ask(0x6F1, 0xF1, [0x22, 0xDD, 0x68], args.tries)
    if a is not None and a[:3] == b"\x62\xdd\x68":
        diag["voltage"] = (a[3] << 8 | a[4]) / 100
    emit({"event": "diag", **diag})
    cells, tries = [], 0
    for n in range(1, 97):
        mv = None
        for _ in range(args.tries):
            tries += 1
            a = v.request(0x6F4, 0xF4, [0x31, 0x01, 0xAD, 0x6E, n])
            if a is None or a[:2] != b"\x71\x01":
                continue
            a = v.request(0x6F4, 0xF4, [0x31, 0x03, 0xAD, 0x6E])
            if a is not None and a[:2] == b"\x71\x03" and len(a) >= 6:
                mv = a[4] << 8 | a[5]
                break
        cells.append(None if mv is None else mv / 1000)
    emit({"event": "cells", "cells": cells, "tries": tries})
    v.listen_for(1.1)
    emit({"event": "broadcast", **v.b})


if __name__ == "__main__":
    run_peer(Vehicle, body, until_off(lambda v: v.b.get("contactor") == 2, "contactors-off"))
