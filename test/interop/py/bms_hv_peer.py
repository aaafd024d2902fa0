#!/usr/bin/python3
"""A Pylon HV inverter for test/interop/bms-hv-can-python.test.ts: python-can 4.1 (socketcand) on our hub polls
0x4200 (byte 0 = 0x00 ensemble, 0x02 system) and python3-canmatrix decodes the answers with pylon-hv.dbc.
Prints JSON lines: {"event": "ready"}, then per request type {"event": "answers", "type", "requests", "frames":
{id: {"data", "signals"}}, "missing": [ids]} and {"event": "done"}.

python-can 4.1 may lose a frame at a TCP read boundary (known peer bug) and marks every received frame extended:
a request is repeated (at most --tries times) until every answer id was seen, and frames are matched by id.
"""
from inverter_peer_common import can, emit, open_inverter, signals  # python-can, imported with its logging silenced


def main():
    def add_arguments(p):
        p.add_argument("--offset", type=int, default=0)
        p.add_argument("--tries", type=int, default=5)
    args, battery_frames, bus = open_inverter(add_arguments)
    frames = {f.arbitration_id.id + args.offset: f for f in battery_frames}
    groups = {0: [i for i in frames if (i - args.offset) >> 8 == 0x42], 2: [i for i in frames if (i - args.offset) >> 8 == 0x73]}
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
                        got[i] = {"data": bytes(msg.data).hex(), "signals": signals(frames[i], msg.data)}
            emit({"event": "answers", "type": rtype, "requests": tries, "frames": {str(k): v for k, v in got.items()},
                  "missing": sorted(set(ids) - set(got))})
        emit({"event": "done"})
    finally:
        bus.shutdown()


if __name__ == "__main__":
    main()
