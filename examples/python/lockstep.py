"""lockstep.py - the lock-step clock protocol of `hil run --time-mode lockstep` for controllers in Python
(docs/lockstep.md). Standard library only; copy it next to your controller.

Outside lock step (no HIL_LOCKSTEP_FD in the environment) every call falls through to the real thing, so one
controller runs in real time, under `--speed k` and in lock step. Use it in place of four things:

    ls = Lockstep.from_env()              # once, first: says hello and waits for the harness's first grant
    ls.now()                              # instead of time.monotonic() * 1000 (milliseconds)
    ls.select(socks, timeout_s)           # instead of select.select(socks, [], [], timeout_s): where time passes
    ls.connect((host, port))              # instead of socket.create_connection: counts the connection
    ls.recv(sock, n) / ls.send(sock, b)   # instead of sock.recv / sock.sendall: count the bytes
    ls.ready()                            # once started (the scenario's t=0 follows)

In lock step `select` returns at once what is readable; when nothing is and the timeout has not passed on the
harness's clock, it reports to the harness (its next wake-up, the bytes counted, the connections made) and waits for
the next grant: while it waits no simulated time passes for anyone. Wait nowhere else: no time.sleep, no socket
timeouts, no threads (their waits would be in real time). When the harness ends the session `select` raises Ended.
"""
import json
import os
import select as _select
import socket
import time

PROTOCOL = 1


class Ended(Exception):
    """The harness ended the lock-step session (the scenario is over): shut down."""


class Lockstep:
    def __init__(self, channel=None):
        """`channel`: the connected socket from the harness, or None for a session outside lock step (real time)."""
        self._ch = channel
        self._buf = b""
        self._now = None
        self._ready = False
        self.rx = 0
        self.tx = 0
        self.conns = 0
        if channel is not None:
            self._line({"type": "hello", "protocol": PROTOCOL})
            self._next_grant()

    @classmethod
    def from_env(cls, env=None):
        env = os.environ if env is None else env
        fd = env.get("HIL_LOCKSTEP_FD")
        return cls(socket.socket(fileno=int(fd)) if fd else None)

    @property
    def active(self):
        return self._ch is not None

    def now(self):
        """Milliseconds: the harness's clock in lock step, else the monotonic clock."""
        return self._now if self.active else time.monotonic() * 1000.0

    def connect(self, address):
        sock = socket.create_connection(address)
        self.conns += 1
        return sock

    def recv(self, sock, n=65536):
        data = sock.recv(n)
        self.rx += len(data)
        return data

    def send(self, sock, data):
        sock.sendall(data)
        self.tx += len(data)

    def ready(self):
        self._ready = True

    def select(self, socks, timeout_s=None):
        """The sockets of `socks` with bytes to read (or closed); [] when `timeout_s` passed (None: no timeout)."""
        if not self.active:
            return _select.select(socks, [], [], timeout_s)[0]
        wake = None if timeout_s is None else self._now + timeout_s * 1000.0
        while True:
            readable = _select.select(socks, [], [], 0)[0]
            if readable:
                return readable
            if wake is not None and self._now >= wake:
                return []
            self._line({"type": "done", "wake": wake, "rx": self.rx, "tx": self.tx, "conns": self.conns, "ready": self._ready})
            self._next_grant()

    def _line(self, obj):
        try:
            self._ch.sendall((json.dumps(obj, separators=(",", ":")) + "\n").encode())
        except OSError:
            raise Ended()

    def _next_grant(self):
        while True:
            nl = self._buf.find(b"\n")
            if nl >= 0:
                line, self._buf = self._buf[:nl], self._buf[nl + 1:]
                if not line.strip():
                    continue
                msg = json.loads(line)
                if msg.get("type") == "grant":
                    self._now = float(msg["now"])
                    return
                if msg.get("type") == "end":
                    raise Ended()
                continue  # a message this version does not know
            try:
                chunk = self._ch.recv(4096)
            except OSError:
                chunk = b""
            if not chunk:
                raise Ended()
            self._buf += chunk
