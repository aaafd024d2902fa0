#!/usr/bin/env python3
"""Clock alignment for `hil run --speed k` (shipped as source; standard library only).

Runs under libfaketime, started by the `faketime` wrapper (whose shared memory gives every process of the
controller the same fake-time origin). Reads the faked CLOCK_REALTIME and CLOCK_MONOTONIC (through libc, so
libfaketime answers) and the real CLOCK_MONOTONIC (through the raw system call, which libfaketime does not
intercept) at one instant, writes them as one JSON line to the file descriptor named by HIL_ALIGN_FD, closes it,
and then replaces itself with the controller (argv[1:]). The harness maps its own clock onto the controller's
with that line. The best of several samples (the shortest real-time bracket) is reported.

Exit status 127 with one line on stderr if the controller cannot be executed.

`align-exec.py --probe <period_s> <count>` (for scripts/bench-speed.ts) instead prints a report on stdout every
<period_s> seconds of (faked) time, <count> times, then exits.
"""
import ctypes
import json
import os
import platform
import sys
import time

# clock_gettime system call numbers (Linux uapi unistd.h, per architecture).
SYS_CLOCK_GETTIME = {"x86_64": 228, "aarch64": 113, "riscv64": 113, "i686": 265, "i386": 265, "armv7l": 263, "armv6l": 263}
CLOCK_MONOTONIC = 1
SAMPLES = 16


class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def real_monotonic_reader():
    number = SYS_CLOCK_GETTIME.get(platform.machine())
    if number is None:
        return None
    libc = ctypes.CDLL(None, use_errno=True)
    ts = Timespec()

    def read():
        if libc.syscall(number, CLOCK_MONOTONIC, ctypes.byref(ts)) != 0:
            raise OSError(ctypes.get_errno(), "clock_gettime system call failed")
        return ts.tv_sec * 1_000_000_000 + ts.tv_nsec

    return read


def measure():
    read_real = real_monotonic_reader()
    if read_real is None:
        return {"error": "unsupported architecture " + platform.machine()}
    best = None
    for _ in range(SAMPLES):
        r1 = read_real()
        fake_rt = time.time_ns()
        fake_mono = time.monotonic_ns()
        r2 = read_real()
        if best is None or r2 - r1 < best["uncertainty_ns"]:
            best = {
                "faked_realtime_ns": fake_rt,
                "faked_monotonic_ns": fake_mono,
                "real_monotonic_ns": (r1 + r2) // 2,
                "uncertainty_ns": r2 - r1,
            }
    return best


def probe(period_s, count):
    for _ in range(count):
        time.sleep(period_s)
        sys.stdout.write(json.dumps(measure()) + "\n")
        sys.stdout.flush()
    return 0


def main():
    argv = sys.argv[1:]
    if argv[:1] == ["--probe"] and len(argv) == 3:
        return probe(float(argv[1]), int(argv[2]))
    if not argv:
        sys.stderr.write("align-exec: no controller command given\n")
        return 2
    fd = os.environ.pop("HIL_ALIGN_FD", None)
    if fd is not None:
        report = measure()
        report["pid"] = os.getpid()
        os.write(int(fd), (json.dumps(report) + "\n").encode())
        os.close(int(fd))
    try:
        os.execvp(argv[0], argv)
    except OSError as err:
        sys.stderr.write("cannot start the controller '%s': %s\n" % (argv[0], err.strerror))
        return 127


if __name__ == "__main__":
    sys.exit(main())
