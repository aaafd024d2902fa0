"""What the native-pack vehicle peers share (leaf_vehicle_peer.py, i3_vehicle_peer.py, ...): JSON-line output, CRC-8,
a python-can socketcand bus that two threads may send on, a drift-free periodic loop for the keep-alive frames,
ISO-TP reassembly of the pack's diagnostic answers (normal or extended addressing, ISO 15765-2), a request retried,
and the run of a peer: arguments, ready, the silent command, done.

python-can 4.1 may lose a frame at a TCP read boundary (known peer bug) and marks every received frame extended:
frames are matched by id only, and a peer asks again when a transfer broke."""
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

    def listen_while(self, cond, timeout_s=10):
        """Receive (the subclass's `recv`) while `cond()` holds, at most `timeout_s`; the seconds it took."""
        start = time.monotonic()
        while cond() and time.monotonic() - start < timeout_s:
            self.recv(0.05)
        return time.monotonic() - start

    def listen_for(self, seconds):
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.recv(0.05)

    def shutdown(self):
        self.stop = True
        if self.thread:
            self.thread.join(timeout=1)
        self.bus.shutdown()


class VehiclePeer(PeerBus):
    """A vehicle on one pack bus. `answer_id`: the id the pack answers diagnostics on; every other frame goes to
    `on_broadcast(arb, data)`."""

    answer_id = None

    def on_broadcast(self, arb, d):
        pass

    def recv(self, timeout):
        """One frame: a diagnostic answer's bytes, or None (nothing, or a broadcast, which is decoded)."""
        msg = self.bus.recv(timeout=timeout)
        if msg is None:
            return None
        d = bytes(msg.data)
        if msg.arbitration_id != self.answer_id:
            self.on_broadcast(msg.arbitration_id, d)
            return None
        return d

    def isotp_request(self, arb, request, flow_control, tester=None, deadline_s=1.0):
        """Send `request` on `arb`, reassemble the answer (after `flow_control` for a first frame): its payload, or
        None when the transfer broke. `tester`: the address byte leading every answer frame (extended addressing)."""
        self.send(arb, request)
        o = 0 if tester is None else 1
        end = time.monotonic() + deadline_s
        buf, want, seq = b"", None, 1
        while time.monotonic() < end:
            d = self.recv(0.05)
            if d is None or (tester is not None and d[0] != tester):
                continue
            pci = d[o] >> 4
            if pci == 0:
                return d[o + 1:o + 1 + (d[o] & 0x0F)]
            if pci == 1:
                want = ((d[o] & 0x0F) << 8) | d[o + 1]
                buf, seq = d[o + 2:8], 1
                self.send(arb, flow_control)
            elif pci == 2 and want is not None:
                if d[o] & 0x0F != seq:
                    return None
                seq = (seq + 1) & 0x0F
                buf += d[o + 1:8]
                if len(buf) >= want:
                    return buf[:want]
        return None


def retry(ask_once, tries):
    """Call `ask_once()` until it answers (not None), at most `tries` times: (the answer or None, the calls made)."""
    for t in range(1, tries + 1):
        a = ask_once()
        if a is not None:
            return a, t
    return None, tries


def until_off(on, off_event):
    """After the vehicle went silent: receive while `on(vehicle)` holds, then print `off_event` {off, after_s}."""
    def after_silent(v):
        after = v.listen_while(lambda: on(v))
        emit({"event": off_event, "off": not on(v), "after_s": after})
    return after_silent


def run_peer(make_vehicle, body, after_silent):
    """Parse --port/--channel/--tries, open the socketcand bus, print ready, run `body(vehicle, args)`; then on the
    stdin command {"cmd": "silent"} stop sending and run `after_silent(vehicle)` (e.g. `until_off(...)`); print
    done."""
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--channel", required=True)
    p.add_argument("--tries", type=int, default=8)
    args = p.parse_args()
    bus = can.Bus(interface="socketcand", host="127.0.0.1", port=args.port, channel=args.channel)
    v = make_vehicle(bus)
    try:
        emit({"event": "ready"})
        body(v, args)
        line = sys.stdin.readline().strip()
        if line and json.loads(line).get("cmd") == "silent":
            v.alive = False
            after_silent(v)
        emit({"event": "done"})
    finally:
        v.shutdown()
