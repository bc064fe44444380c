#!/usr/bin/env python3
"""Send an NMI through a QEMU HMP monitor socket every INTERVAL seconds until STOP (a regular
expression) appears in the guest's serial log, or QEMU goes away; print how many were sent.

Usage: nmi-storm.py MONITOR_SOCKET SERIAL_LOG STOP_REGEX [INTERVAL]
The monitor's answers are read and dropped as they come, so QEMU never stalls on a full socket."""
import os
import re
import socket
import sys
import time


def main():
    sock_path, log_path, stop = sys.argv[1], sys.argv[2], re.compile(sys.argv[3].encode())
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 0.001
    s = socket.socket(socket.AF_UNIX)
    for _ in range(100):
        try:
            s.connect(sock_path)
            break
        except OSError:
            time.sleep(0.1)
    else:
        print(0)
        return 1
    s.setblocking(False)
    sent, seen, tail = 0, 0, b""
    next_at = time.monotonic()
    try:
        while True:
            if sent % 50 == 0:
                # Only what was appended since the last look (plus a line's worth of overlap).
                with open(log_path, "rb") as f:
                    f.seek(seen)
                    new = f.read()
                seen += len(new)
                tail = (tail + new)[-(len(new) + 512):]
                if stop.search(tail):
                    break
            try:
                s.send(b"nmi\n")
                sent += 1
            except BlockingIOError:
                pass  # QEMU's monitor is behind: this one is skipped, not queued
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
    except FileNotFoundError:
        pass
    s.close()
    print(sent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
