#!/usr/bin/python3
"""The vehicle side of a Tesla Model 3/Y battery for test/interop/native-tesla3-python.test.ts, written independently
of the emulator from the controller-side source: python-can 4.1 (socketcand) on our hub sends VCFRONT_LVPowerState
0x221 every 50 ms (muxes 0 and 1 alternating, power state DRIVE in byte 0 bits 5-6, one 4-bit counter in byte 6 bits
4-7, checksum in byte 7 = id low byte + id bits 8-11 + bytes 0-6, modulo 256), and decodes 0x132 (voltage, current),
0x212 (contactor, state, isolation), 0x292 (SOC) and the 0x401 brick muxes (status 0x2A: three bricks, 0.1 mV).
Source: dalathegreat/Battery-Emulator Software/src/battery/TESLA-BATTERY.cpp/.h @ 62532e94 (its DRIVE frames,
generateMuxFrameCounterChecksum, handle_incoming_can_frame).

Prints JSON lines: ready, contactors {on, after_s}, broadcast {...}, bricks {cells}; then on {"cmd": "silent"} stops
sending and prints contactors-off {off, after_s}, then done. python-can 4.1 marks every socketcand frame extended:
frames are matched by id.
"""
from vehicle_peer_common import PeerBus, emit, run_peer, until_off

DRIVE = ([0x60, 0x55, 0x55, 0x15, 0x54, 0x51, 0x01, 0x00], [0x61, 0x05, 0x55, 0x05, 0x00, 0x00, 0x00, 0x00])


def checksum(arb, d):
    return ((arb & 0xFF) + ((arb >> 8) & 0x0F) + sum(d[:7])) & 0xFF


class Vehicle(PeerBus):
    def __init__(self, bus):
        super().__init__(bus)
        self.b = {}
        self.cells = [None] * 96

    def tick(self, n):
        d = list(DRIVE[n % 2])
        d[6] = (d[6] & 0x0F) | ((n & 0x0F) << 4)
        d[7] = checksum(0x221, d)
        self.send(0x221, d)

    def recv(self, timeout):
        msg = self.bus.recv(timeout=timeout)
        if msg is None:
            return
        arb, d = msg.arbitration_id, bytes(msg.data)
        if len(d) != 8:
            return
        if arb == 0x132:
            self.b["voltage"] = (d[1] << 8 | d[0]) / 100
            a = d[3] << 8 | d[2]
            self.b["current"] = (a - 0x10000 if a > 0x7FFF else a) / 10
        elif arb == 0x212:
            self.b["contactor"] = d[1] & 0x07
            self.b["state"] = d[4] & 0x0F
            self.b["isolation_kohm"] = (((d[3] & 0x1F) << 5) | ((d[2] >> 3) & 0x1F)) * 10
        elif arb == 0x292:
            self.b["soc"] = (((d[2] & 0x0F) << 6) | ((d[1] & 0xFC) >> 2)) / 10
        elif arb == 0x401 and d[1] == 0x2A and d[0] < 32:
            for k in range(3):
                self.cells[d[0] * 3 + k] = (d[3 + 2 * k] << 8 | d[2 + 2 * k]) // 10 / 1000


def body(v, _args):
    v.run_every(0.05, v.tick)
    after = v.listen_while(lambda: v.b.get("contactor") != 4, 15)
    emit({"event": "contactors", "on": v.b.get("contactor") == 4, "after_s": after})
    v.listen_while(lambda: None in v.cells, 8)
    v.listen_for(0.5)
    emit({"event": "broadcast", **v.b})
    emit({"event": "bricks", "cells": v.cells})


if __name__ == "__main__":
    run_peer(Vehicle, body, until_off(lambda v: v.b.get("contactor") == 4, "contactors-off"))
