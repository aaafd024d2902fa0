"""What the inverter-side battery CAN peers share (bms_lv_peer.py, bms_hv_peer.py): JSON-line output, their common
arguments (--port, --channel of our socketcand hub, --dbc), the battery messages of the DBC (canmatrix), the
python-can socketcand bus, and a frame's signals as canmatrix decodes them."""
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


def open_inverter(add_arguments):
    """Parse --port, --channel, --dbc and what `add_arguments(parser)` adds; return (args, the DBC's frames sent by
    the BMS, the bus on hub channel --channel). The caller shuts the bus down."""
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--channel", required=True)
    p.add_argument("--dbc", required=True)
    add_arguments(p)
    args = p.parse_args()
    db = canmatrix.formats.loadp_flat(args.dbc)
    battery_frames = [f for f in db.frames if "BMS" in f.transmitters]
    bus = can.Bus(interface="socketcand", host="127.0.0.1", port=args.port, channel=args.channel)
    return args, battery_frames, bus


def signals(frame, data):
    """Physical value of every signal of `frame` in `data`, by name (canmatrix's decoding)."""
    return {name: float(d.phys_value) for name, d in frame.decode(bytearray(data)).items()}
