#!/usr/bin/env python3
"""Send an NMI through a QEMU HMP monitor socket every INTERVAL seconds until STOP (a regular
expression) appears in the guest's serial log, or QEMU goes away; print how many were sent.

Usage: nmi-storm.py [--start REGEX] MONITOR_SOCKET SERIAL_LOG STOP_REGEX [INTERVAL]
  --start REGEX  wait (up to 120 s) for REGEX in the log before the first NMI, so the script can
                 be started with QEMU and lose no time to its own start-up once the guest is up
The monitor's answers are read and dropped as they come, so QEMU never stalls on a full socket; an
NMI the monitor cannot take at once is skipped, not queued."""
import re
import socket
import sys
import time


class Log:
    """The serial log, read as it grows; search() looks only at what is new (plus some overlap)."""

    def __init__(self, path):
        self.path, self.seen, self.tail = path, 0, b""

    def search(self, pattern):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.seen)
                new = f.read()
        except FileNotFoundError:
            return False
        self.seen += len(new)
        self.tail = (self.tail + new)[-(len(new) + 512):]
        return pattern.search(self.tail) is not None


def main():
    args = sys.argv[1:]
    start = None
    if args[:1] == ["--start"]:
        start, args = re.compile(args[1].encode()), args[2:]
    sock_path, log, stop = args[0], Log(args[1]), re.compile(args[2].encode())
    interval = float(args[3]) if len(args) > 3 else 0.001
    deadline = time.monotonic() + 120
    s = socket.socket(socket.AF_UNIX)
    while True:
        try:
            s.connect(sock_path)
            break
        except OSError:
            if time.monotonic() > deadline:
                print(0)
                return 1
            time.sleep(0.01)
    if start:
        while not log.search(start):
            if time.monotonic() > deadline:
                print(0)
                return 1
            time.sleep(0.01)
    s.setblocking(False)
    sent, tries = 0, 0
    next_at = time.monotonic()
    try:
        while True:
            if tries % 50 == 0 and log.search(stop):
                break
            tries += 1
            try:
                s.send(b"nmi\n")
                sent += 1
            except BlockingIOError:
                pass
            try:
                while s.recv(65536):
                    pass
            except BlockingIOError:
                pass
            next_at += interval
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                next_at = time.monotonic()
    except (BrokenPipeError, ConnectionResetError):
        pass  # QEMU exited (salvage rebooted)
    s.close()
    print(sent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
