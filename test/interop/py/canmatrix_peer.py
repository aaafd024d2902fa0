#!/usr/bin/python3
"""canmatrix peer for test/interop/dbc-canmatrix.test.ts.

Reads one JSON request on stdin:
  {"dbc": path, "encode": [{"message": name, "values": {signal: number | "choice" | {"int": "digits"}}}],
   "decode": [{"message": name, "data": "hex"}]}
and prints one JSON answer on stdout:
  {"messages": [...what canmatrix parsed...], "encoded": ["hex" | {"error": text}],
   "decoded": [{signal: {"raw": text, "phys": text}} | {"error": text}]}

canmatrix 0.9.5 (Debian 12): Frame.encode takes raw values, so physical values go through Signal.phys2raw first
(as Decimal, canmatrix's own number type); float signals are packed with struct, which needs a Python float.
"""
import decimal
import json
import logging
import sys

logging.disable(logging.CRITICAL)
import canmatrix  # noqa: E402
import canmatrix.formats  # noqa: E402


def num(x):
    return None if x is None else str(x)


def describe(db):
    out = []
    for f in db.frames:
        signals = []
        for s in f.signals:
            signals.append({
                "name": s.name,
                "start_bit": s.get_startbit(bit_numbering=1),
                "length": s.size,
                "little_endian": bool(s.is_little_endian),
                "signed": bool(s.is_signed),
                "float": bool(s.is_float),
                "factor": num(s.factor),
                "offset": num(s.offset),
                "min": num(s.min),
                "max": num(s.max),
                "unit": s.unit,
                "receivers": list(s.receivers),
                "multiplex": s.multiplex if s.multiplex in (None, "Multiplexor") else int(s.multiplex),
                "is_multiplexer": bool(s.is_multiplexer),
                "muxer_for_signal": s.muxer_for_signal,
                "mux_val_grp": [list(map(int, g)) for g in s.mux_val_grp],
                "choices": {str(int(k)): v for k, v in s.values.items()},
                "comment": s.comment or None,
            })
        out.append({
            "name": f.name,
            "id": f.arbitration_id.id,
            "extended": bool(f.arbitration_id.extended),
            "length": f.size,
            "cycle_time": f.cycle_time,
            "transmitters": list(f.transmitters),
            "comment": f.comment or None,  # canmatrix uses "" for none
            "complex": bool(f.is_complex_multiplexed),
            "signals": signals,
        })
    return out


def to_phys(value):
    if isinstance(value, dict):
        return int(value["int"])
    if isinstance(value, str):
        return value
    return decimal.Decimal(repr(value)) if isinstance(value, float) else decimal.Decimal(value)


def encode(db, req):
    frame = db.frame_by_name(req["message"])
    raw = {}
    for name, value in req["values"].items():
        sig = frame.signal_by_name(name)
        r = sig.phys2raw(to_phys(value))
        raw[name] = float(r) if sig.is_float else int(r)
    return frame.encode(raw).hex()


def decode(db, req):
    frame = db.frame_by_name(req["message"])
    decoded = frame.decode(bytearray.fromhex(req["data"]))
    return {name: {"raw": repr(d.raw_value), "phys": str(d.phys_value)} for name, d in decoded.items()}


def guarded(fn, db, req):
    try:
        return fn(db, req)
    except Exception as err:  # reported to the test, which decides
        return {"error": "%s: %s" % (type(err).__name__, err)}


def main():
    request = json.load(sys.stdin)
    db = canmatrix.formats.loadp_flat(request["dbc"])
    json.dump({
        "messages": describe(db),
        "encoded": [guarded(encode, db, r) for r in request.get("encode", [])],
        "decoded": [guarded(decode, db, r) for r in request.get("decode", [])],
    }, sys.stdout)


if __name__ == "__main__":
    main()
