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
import argparse
import json
import logging
import sys
import threading
import time

logging.disable(logging.CRITICAL)
import can  # noqa: E402


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def j1850(d, init):
    crc = init
    for b in d[1:]:
        crc ^= b
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1D) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


class Vehicle:
    def __init__(self, bus):
        self.bus = bus
        self.lock = threading.Lock()
        self.alive = True
        self.stop = False
        self.b = {}

    def send(self, arb, data):
        with self.lock:
            self.bus.send(can.Message(arbitration_id=arb, is_extended_id=False, data=bytes(data)))

    def keepalive(self):
        k, n = 0, 0
        nxt = time.monotonic()
        while not self.stop:
            if self.alive:
                d = [0, 0x10 | k, 0xFC]
                d[0] = j1850(d, 0x3F)
                self.send(0x10B, d)
                if n % 5 == 0:
                    f = [0, 0x20 | k, 0x86, 0xDD, 0xF1, 0x35, 0x30, 0x00]
                    f[0] = j1850(f, 0x60)
                    self.send(0x12F, f)
                k = 0 if k >= 14 else k + 1
                n += 1
            nxt += 0.02
            time.sleep(max(0.0, nxt - time.monotonic()))

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

    def recv(self, timeout):
        msg = self.bus.recv(timeout=timeout)
        if msg is None:
            return None
        d = bytes(msg.data)
        if msg.arbitration_id != 0x607:
            self.on_broadcast(msg.arbitration_id, d)
            return None
        return d

    def request(self, arb, tester, payload, deadline_s=1.0):
        """One UDS request (extended addressing); the answer from its SID on, or None."""
        self.send(arb, [0x07, len(payload)] + list(payload))
        end = time.monotonic() + deadline_s
        buf, want, seq = b"", None, 1
        while time.monotonic() < end:
            d = self.recv(0.05)
            if d is None or d[0] != tester:
                continue
            pci = d[1] >> 4
            if pci == 0:
                return d[2:2 + (d[1] & 0x0F)]
            if pci == 1:
                want = ((d[1] & 0x0F) << 8) | d[2]
                buf, seq = d[3:], 1
                self.send(arb, [0x07, 0x30, 0x00, 0x05])
            elif pci == 2 and want is not None:
                if d[1] & 0x0F != seq:
                    return None
                seq = (seq + 1) & 0x0F
                buf += d[2:]
                if len(buf) >= want:
                    return buf[:want]
        return None

    def ask(self, arb, tester, payload, tries):
        for t in range(1, tries + 1):
            a = self.request(arb, tester, payload)
            if a is not None:
                return a, t
        return None, tries


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--channel", required=True)
    p.add_argument("--tries", type=int, default=8)
    args = p.parse_args()
    bus = can.Bus(interface="socketcand", host="127.0.0.1", port=args.port, channel=args.channel)
    v = Vehicle(bus)
    t = threading.Thread(target=v.keepalive, daemon=True)
    try:
        emit({"event": "ready"})
        t.start()
        start = time.monotonic()
        while v.b.get("contactor") != 2 and time.monotonic() - start < 10:
            v.recv(0.05)
        emit({"event": "contactors", "on": v.b.get("contactor") == 2, "after_s": time.monotonic() - start})
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
        end = time.monotonic() + 1.1
        while time.monotonic() < end:
            v.recv(0.05)
        emit({"event": "broadcast", **v.b})
        line = sys.stdin.readline().strip()
        if line and json.loads(line).get("cmd") == "silent":
            v.alive = False
            off = time.monotonic()
            while v.b.get("contactor") == 2 and time.monotonic() - off < 10:
                v.recv(0.05)
            emit({"event": "contactors-off", "off": v.b.get("contactor") != 2, "after_s": time.monotonic() - off})
        emit({"event": "done"})
    finally:
        v.stop = True
        t.join(timeout=1)
        bus.shutdown()


if __name__ == "__main__":
    main()
