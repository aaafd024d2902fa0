#!/usr/bin/python3
"""python-can socketcand peer for interop tests and the hub benchmark. Prints one JSON object per line.

Modes:
  peer   Interactive. Reads commands from stdin, one JSON object per line:
           {"cmd": "send", "frames": [{"id": 291, "ext": false, "data": "0102"}], "gap_ms": 2}
           {"cmd": "quit"}
         A background thread receives concurrently and prints {"event": "frame", "id", "ext", "data", "ts"}.
         After a send command it prints {"event": "sent", "count": n}; on quit {"event": "bye", "received": n}.
  blast  Sends --count frames as fast as python-can can, then prints {"event": "sent", "count", "seconds"}.
  count  Receives until --count frames arrived or nothing came for --idle seconds, then prints
         {"event": "counted", "count", "seconds"} (seconds from the first frame to the last).
Every mode prints {"event": "ready"} once the bus is open (hi, open, rawmode done).
"""
import argparse
import json
import sys
import threading
import time

import can

_out_lock = threading.Lock()


def emit(obj):
    with _out_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def open_bus(args):
    return can.Bus(interface="socketcand", host=args.host, port=args.port, channel=args.channel)


def to_message(f):
    return can.Message(arbitration_id=f["id"], is_extended_id=f.get("ext", False), data=bytes.fromhex(f.get("data", "")))


def run_peer(bus):
    stop = threading.Event()
    received = [0]

    def reader():
        while not stop.is_set():
            msg = bus.recv(timeout=0.05)
            if msg is None:
                continue
            received[0] += 1
            emit({"event": "frame", "id": msg.arbitration_id, "ext": msg.is_extended_id,
                  "data": bytes(msg.data).hex(), "ts": msg.timestamp})

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    emit({"event": "ready"})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        cmd = json.loads(line)
        if cmd["cmd"] == "send":
            gap = cmd.get("gap_ms", 0) / 1000.0
            n = 0
            for f in cmd["frames"]:
                bus.send(to_message(f))
                n += 1
                if gap:
                    time.sleep(gap)  # pacing the peer's own sends, not waiting for a result
            emit({"event": "sent", "count": n})
        elif cmd["cmd"] == "quit":
            break
    stop.set()
    t.join()
    emit({"event": "bye", "received": received[0]})


def run_blast(bus, count):
    emit({"event": "ready"})
    sys.stdin.readline()  # go
    msg = can.Message(arbitration_id=0x123, is_extended_id=False, data=bytes(range(8)))
    t0 = time.perf_counter()
    for i in range(count):
        msg.data[0] = i & 0xFF
        bus.send(msg)
    emit({"event": "sent", "count": count, "seconds": time.perf_counter() - t0})
    sys.stdin.readline()  # quit


def run_count(bus, count, idle):
    emit({"event": "ready"})
    n = 0
    first = last = None
    while n < count:
        msg = bus.recv(timeout=idle)
        if msg is None:
            if first is not None:
                break
            continue
        now = time.perf_counter()
        first = first if first is not None else now
        last = now
        n += 1
    emit({"event": "counted", "count": n, "seconds": (last - first) if first is not None else 0.0})


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["peer", "blast", "count"])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--channel", required=True)
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--idle", type=float, default=2.0)
    args = p.parse_args()
    bus = open_bus(args)
    try:
        if args.mode == "peer":
            run_peer(bus)
        elif args.mode == "blast":
            run_blast(bus, args.count)
        else:
            run_count(bus, args.count, args.idle)
    finally:
        bus.shutdown()


if __name__ == "__main__":
    main()
