"""What the native-pack vehicle peers share (leaf_vehicle_peer.py, i3_vehicle_peer.py): JSON-line output, a
python-can bus that two threads may send on, and a drift-free periodic loop for the keep-alive frames."""
import json
import sys
import threading
import time

import can


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def crc8(data, poly, init):
    crc = init
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = ((crc << 1) ^ poly) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


class PeerBus:
    """Sends from any thread; `alive` False silences the keep-alive loop; `run_every` runs it on a thread."""

    def __init__(self, bus):
        self.bus = bus
        self.lock = threading.Lock()
        self.alive = True
        self.stop = False
        self.thread = None

    def send(self, arb, data):
        with self.lock:
            self.bus.send(can.Message(arbitration_id=arb, is_extended_id=False, data=bytes(data)))

    def run_every(self, period_s, tick):
        def loop():
            n = 0
            nxt = time.monotonic()
            while not self.stop:
                if self.alive:
                    tick(n)
                    n += 1
                nxt += period_s
                time.sleep(max(0.0, nxt - time.monotonic()))
        self.thread = threading.Thread(target=loop, daemon=True)
        self.thread.start()

    def shutdown(self):
        self.stop = True
        if self.thread:
            self.thread.join(timeout=1)
        self.bus.shutdown()
