#!/usr/bin/python3
"""The vehicle side of a Renault Zoe Gen2 (ZE50) battery for test/interop/native-zoe2-python.test.ts, written
independently of the emulator from the controller-side source: python-can 4.1 (socketcand) on our hub sends the
HEVC wake-up 0x373 every 100 ms (byte 0 0xC1), polls UDS 22 DIDs on the 29-bit id 0x18DADBF1 (answers on
0x18DAF1DB: `62 DID value`), SOC (9001: raw - 300 = 0.01 %), pack voltage (9005, 0.1 V) and all 96 cells (9021 on,
skipping 9040 / 9060 / 9080; raw x 0.976563 mV, whole mV), and decodes 0x4DB (max / min cell, 12 bits + 1000 mV).
Source: dalathegreat/Battery-Emulator Software/src/battery/RENAULT-ZOE-GEN2-BATTERY.cpp/.h @ 62532e94.

Prints JSON lines: ready, diag {...}, cells {cells, tries}; then on {"cmd": "silent"} stops the wake-up and prints
asleep {asleep, after_s} (no 0x4DB any more), then done.
"""
import logging
import time

logging.disable(logging.CRITICAL)
import can  # noqa: E402
from vehicle_peer_common import PeerBus, emit, retry, run_peer  # noqa: E402

REQ, ANS = 0x18DADBF1, 0x18DAF1DB
CELL_DIDS = [d for d in range(0x9021, 0x9021 + 99) if d not in (0x9040, 0x9060, 0x9080)]


class Vehicle(PeerBus):
    def __init__(self, bus):
        super().__init__(bus)
        self.b = {}
        self.last_4db = None

    def tick(self, n):
        self.send(0x373, [0xC1, 0x40, 0x5D if (n // 5) % 2 else 0xB2, 0xB2 if (n // 5) % 2 else 0x5D, 0x00, 0x01, 0xFF, 0xE3])

    def send_ext(self, arb, data):
        with self.lock:
            self.bus.send(can.Message(arbitration_id=arb, is_extended_id=True, data=bytes(data)))

    def recv(self, timeout):
        msg = self.bus.recv(timeout=timeout)
        if msg is None:
            return None
        d = bytes(msg.data)
        if msg.arbitration_id == 0x4DB and len(d) == 8:
            self.b["cell_max"] = ((d[0] << 4 | (d[1] & 0xF0) >> 4) + 1000) / 1000
            self.b["cell_min"] = (((d[1] & 0x0F) << 8 | d[2]) + 1000) / 1000
            self.last_4db = time.monotonic()
        return d if msg.arbitration_id == ANS else None

    def read(self, did, deadline_s=0.5):
        self.send_ext(REQ, [0x03, 0x22, did >> 8, did & 0xFF, 0, 0, 0, 0])
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            d = self.recv(0.05)
            if d is not None and d[0] < 0x10 and d[1] == 0x62 and (d[2] << 8 | d[3]) == did:
                return d[4] << 8 | d[5]
        return None

    def ask(self, did, tries):
        return retry(lambda: self.read(did), tries)


def body(v, args):
    v.run_every(0.1, v.tick)
    diag = {}
    soc, _ = v.ask(0x9001, args.tries)
    if soc is not None:
        diag["soc"] = (soc - 300) / 100 if soc >= 300 else 0
    volts, _ = v.ask(0x9005, args.tries)
    if volts is not None:
        diag["voltage"] = volts / 10
    v.listen_for(0.5)
    emit({"event": "diag", **diag, **v.b})
    cells, tries = [], 0
    for did in CELL_DIDS:
        raw, t = v.ask(did, args.tries)
        tries += t
        cells.append(None if raw is None else int(raw * 0.976563) / 1000)
    emit({"event": "cells", "cells": cells, "tries": tries})


def asleep_after(v):
    """No 0x4DB for more than 1 s: print asleep {asleep, after_s (the last 0x4DB after the silence began)}."""
    off = time.monotonic()
    quiet = lambda: v.last_4db is not None and time.monotonic() - v.last_4db > 1.0  # noqa: E731
    v.listen_while(lambda: not quiet())
    emit({"event": "asleep", "asleep": quiet(), "after_s": (v.last_4db or off) - off})


if __name__ == "__main__":
    run_peer(Vehicle, body, asleep_after)
