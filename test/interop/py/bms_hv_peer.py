#!/usr/bin/python3
"""A Pylon HV inverter for test/interop/bms-hv-can-python.test.ts: python-can 4.1 (socketcand) on our hub polls
0x4200 (byte 0 = 0x00 ensemble, 0x02 system) and python3-canmatrix decodes the answers with pylon-hv.dbc.
Prints JSON lines: {"event": "ready"}, then per request type {"event": "answers", "type", "requests", "frames":
{id: {"data", "signals"}}, "missing": [ids]} and {"event": "done"}.

python-can 4.1 may lose a frame at a TCP read boundary (known peer bug) and marks every received frame extended:
a request is repeated (at most --tries times) until every answer id was seen, and frames are matched by id.
"""
import argparse
import json
import logging
import sys

logging.disable(logging.CRITICAL)
import can  # noqa: E402
import canmatrix.formats  # noqa: E402


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--channel", required=True)
    p.add_argument("--dbc", required=True)
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--tries", type=int, default=5)
    args = p.parse_args()
    db = canmatrix.formats.loadp_flat(args.dbc)
    frames = {f.arbitration_id.id + args.offset: f for f in db.frames if "BMS" in f.transmitters}
    groups = {0: [i for i in frames if (i - args.offset) >> 8 == 0x42], 2: [i for i in frames if (i - args.offset) >> 8 == 0x73]}
    bus = can.Bus(interface="socketcand", host="127.0.0.1", port=args.port, channel=args.channel)
    try:
        emit({"event": "ready"})
        for rtype, ids in groups.items():
            got = {}
            tries = 0
            while len(got) < len(ids) and tries < args.tries:
                tries += 1
                bus.send(can.Message(arbitration_id=0x4200, is_extended_id=True, data=bytes([rtype, 0, 0, 0, 0, 0, 0, 0])))
                quiet = 0
                while len(got) < len(ids) and quiet < 5:
                    msg = bus.recv(timeout=0.2)  # bounded wait for the answers of this request
                    if msg is None:
                        quiet += 1
                        continue
                    i = msg.arbitration_id
                    if i in ids and i not in got and len(msg.data) == frames[i].size:
                        d = frames[i].decode(bytearray(msg.data))
                        got[i] = {"data": bytes(msg.data).hex(), "signals": {n: float(v.phys_value) for n, v in d.items()}}
            emit({"event": "answers", "type": rtype, "requests": tries, "frames": {str(k): v for k, v in got.items()},
                  "missing": sorted(set(ids) - set(got))})
        emit({"event": "done"})
    finally:
        bus.shutdown()


if __name__ == "__main__":
    main()
