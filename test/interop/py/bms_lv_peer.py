#!/usr/bin/python3
"""An inverter on the LV battery CAN bus, for test/interop/bms-lv-can-python.test.ts: python-can 4.1 (socketcand
interface) on our hub, and python3-canmatrix decoding the battery's frames with the DBC. Prints JSON lines:

  {"event": "ready"}                                    bus open
  {"event": "sent", "heartbeats": n, "malformed": m}     after sending n 0x305 heartbeats (8 zero bytes) and m
                                                        malformed 0x305 frames (4 bytes)
  {"event": "frame", "id", "data", "signals": {...}}     first frame of each battery message, decoded by canmatrix
  {"event": "done", "seen": [ids], "missing": [ids]}     every battery message of the DBC seen, or --wait elapsed

python-can 4.1 may lose a frame at a TCP read boundary (known peer bug); the battery repeats every cycle, so the
peer waits for the first complete copy of each message.
"""
import time

from inverter_peer_common import can, emit, open_inverter, signals  # python-can, imported with its logging silenced


def main():
    def add_arguments(p):
        p.add_argument("--heartbeats", type=int, default=3)
        p.add_argument("--malformed", type=int, default=1)
        p.add_argument("--wait", type=float, default=10.0)
    args, battery_frames, bus = open_inverter(add_arguments)
    frames = {f.arbitration_id.id: f for f in battery_frames}
    try:
        emit({"event": "ready"})
        for _ in range(args.heartbeats):
            bus.send(can.Message(arbitration_id=0x305, is_extended_id=False, data=bytes(8)))
        for _ in range(args.malformed):
            bus.send(can.Message(arbitration_id=0x305, is_extended_id=False, data=bytes(4)))
        emit({"event": "sent", "heartbeats": args.heartbeats, "malformed": args.malformed})
        seen = {}
        deadline = time.monotonic() + args.wait  # failure bound only
        while len(seen) < len(frames) and time.monotonic() < deadline:
            msg = bus.recv(timeout=0.2)
            # python-can 4.1's socketcand reader marks every received frame extended: match by id only.
            if msg is None or msg.arbitration_id in seen:
                continue
            frame = frames.get(msg.arbitration_id)
            if frame is None or len(msg.data) != frame.size:
                continue
            seen[msg.arbitration_id] = True
            emit({"event": "frame", "id": msg.arbitration_id, "data": bytes(msg.data).hex(), "signals": signals(frame, msg.data)})
        emit({"event": "done", "seen": sorted(seen), "missing": sorted(set(frames) - set(seen))})
    finally:
        bus.shutdown()


if __name__ == "__main__":
    main()
