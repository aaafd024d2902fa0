#!/usr/bin/python3
"""python-can's `slcan` interface (Debian python3-can 4.1) as a peer for our SLCAN adapter.

Usage:
  slcan_peer.py bus <pty path> <bitrate>
      Opens can.Bus(interface='slcan', channel=path, bitrate=...), prints {"event":"ready","version":[hw,sw]}, then
      prints {"event":"frame",...} for every frame received (reader thread) and executes JSON commands from stdin:
      {"op":"send","id":..,"ext":..,"rtr":..,"dlc":..,"data":[..]} -> {"event":"sent","id":..}
      {"op":"quit"} -> bus.shutdown(), {"event":"bye"}
  slcan_peer.py raw <pty path> <hex bytes>
      Opens the pty with pyserial, writes the bytes, then "V\\r", and prints {"event":"reply","hex":...} with
      everything read up to and including the V reply.
  slcan_peer.py blast <pty path> <bitrate> <n>  /  slcan_peer.py sink <pty path> <bitrate> <n> <step>
      Benchmark modes (scripts/bench-slcan.ts): send n frames flat out after "go" on stdin; or receive n frames.
All output is JSON lines on stdout, flushed at once.
"""
import json
import sys
import threading

out_lock = threading.Lock()


def emit(obj):
    with out_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def run_bus(path, bitrate):
    import can

    bus = can.Bus(interface="slcan", channel=path, bitrate=bitrate, sleep_after_open=0)
    hw, sw = bus.get_version(5)
    emit({"event": "ready", "version": [hw, sw]})
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            msg = bus.recv(0.05)
            if msg is None:
                continue
            emit({
                "event": "frame",
                "id": msg.arbitration_id,
                "ext": msg.is_extended_id,
                "rtr": msg.is_remote_frame,
                "dlc": msg.dlc,
                "data": list(msg.data),
            })

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    for line in sys.stdin:
        cmd = json.loads(line)
        if cmd["op"] == "send":
            msg = can.Message(
                arbitration_id=cmd["id"],
                is_extended_id=cmd.get("ext", False),
                is_remote_frame=cmd.get("rtr", False),
                dlc=cmd.get("dlc", len(cmd.get("data", []))),
                data=bytes(cmd.get("data", [])),
            )
            bus.send(msg)
            emit({"event": "sent", "id": cmd["id"]})
        elif cmd["op"] == "quit":
            break
    stop.set()
    thread.join()
    bus.shutdown()
    emit({"event": "bye"})


def run_raw(path, hexbytes):
    import serial

    port = serial.Serial(path, 115200, timeout=5)
    port.write(bytes.fromhex(hexbytes) + b"V\r")
    got = b""
    while not got.endswith(b"\r") or b"V" not in got:
        b = port.read(1)
        if not b:
            break
        got += b
    port.close()
    emit({"event": "reply", "hex": got.hex()})


def run_blast(path, bitrate, n):
    """Benchmark: send n frames as fast as python-can's slcan send goes, once told "go" on stdin."""
    import can
    import time

    bus = can.Bus(interface="slcan", channel=path, bitrate=bitrate, sleep_after_open=0)
    emit({"event": "ready"})
    sys.stdin.readline()
    t0 = time.perf_counter()
    for i in range(n):
        bus.send(can.Message(arbitration_id=i & 0x7FF, is_extended_id=False, data=[i & 0xFF, (i >> 8) & 0xFF, 0, 0, 0, 0, 0, 0]))
    emit({"event": "blasted", "seconds": time.perf_counter() - t0})
    sys.stdin.readline()
    bus.shutdown()


def run_sink(path, bitrate, n, step):
    """Benchmark: receive n frames, printing {"event":"progress","n":k} every `step` frames, then the time taken."""
    import can
    import time

    bus = can.Bus(interface="slcan", channel=path, bitrate=bitrate, sleep_after_open=0)
    emit({"event": "ready"})
    got = 0
    t0 = None
    while got < n:
        msg = bus.recv(5)
        if msg is None:
            break
        if t0 is None:
            t0 = time.perf_counter()
        got += 1
        if got % step == 0:
            emit({"event": "progress", "n": got})
    emit({"event": "sunk", "n": got, "seconds": time.perf_counter() - (t0 or time.perf_counter())})
    bus.shutdown()


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "bus":
        run_bus(sys.argv[2], int(sys.argv[3]))
    elif mode == "blast":
        run_blast(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif mode == "sink":
        run_sink(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        run_raw(sys.argv[2], sys.argv[3])
