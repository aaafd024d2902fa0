"""Run a command on a pseudo-terminal and relay it: our stdin goes to the terminal as typed keys, the terminal's
output comes out on our stdout byte for byte. Exits with the command's exit code (128 + signal if killed).

    pty_run.py COLS ROWS -- command args...

Used by test/e2e/emulate-terminal.test.ts to drive `hil emulate` as a person at a terminal would (stdlib only).
"""
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios


def main() -> int:
    cols, rows = int(sys.argv[1]), int(sys.argv[2])
    argv = sys.argv[sys.argv.index('--') + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    stdin = sys.stdin.fileno()
    stdout = sys.stdout.fileno()
    open_in = True
    while True:
        watch = [fd] + ([stdin] if open_in else [])
        try:
            ready, _, _ = select.select(watch, [], [])
        except InterruptedError:
            continue
        if fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: the command closed the terminal
                data = b''
            if not data:
                break
            os.write(stdout, data)
        if open_in and stdin in ready:
            data = os.read(stdin, 65536)
            if data:
                os.write(fd, data)
            else:
                open_in = False
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == '__main__':
    sys.exit(main())
