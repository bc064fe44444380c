#!/usr/bin/env python3
"""Host-side timing of one crash dump (bench/run): polls a guest's serial log and the file the TFTP
server is writing, every 10 ms, and prints one line of JSON with host times relative to the panic.

usage: watch.py --serial LOG --dump FILE --pid PID [--panic RE] [--alive RE] [--done RE]
                [--fail RE] [--timeout S]
  panic: the first kernel's panic line (default 'Kernel panic - not syncing')
  alive: the capture kernel's first line (its start-up), done: it says the dump is sent,
  fail: it says it failed (e.g. a second panic). Ends when done/fail is seen or PID exits.
Fields: panic (host epoch s), alive, first_byte (dump file non-empty), last_byte (the dump file's
mtime once complete), done, size, failed; the *_s fields are seconds after the panic line.
"""
import argparse
import json
import os
import re
import time


def own_panic(r_panic, buf, start):
    """The first panic line at or after start that is not salvage quoting the crashed kernel's log
    (`salvage: dmesg: [...] Kernel panic - not syncing: ...`), or None."""
    for m in r_panic.finditer(buf, start):
        line = buf[buf.rfind(b"\n", 0, m.start()) + 1:m.start()]
        if not line.lstrip(b"\r").startswith(b"salvage: dmesg:"):
            return m
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--serial", required=True)
    ap.add_argument("--dump", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--panic", default=r"Kernel panic - not syncing")
    ap.add_argument("--alive", default=r"^salvage: |BENCH: up at")
    ap.add_argument("--done", default=r"tftp: wrote '.*\.sha256'|BENCH: tftp rc=")
    ap.add_argument("--fail", default=r"no dump target succeeded|deadlocked on memory|BENCH: no network")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--tslog", help="write every console line prefixed with host seconds (like ts)")
    a = ap.parse_args()
    tslog = open(a.tslog, "w") if a.tslog else None
    t_start, partial = time.time(), b""
    r_panic, r_alive, r_done, r_fail = (re.compile(x.encode(), re.M) for x in (a.panic, a.alive, a.done, a.fail))
    ev = {"panic": None, "alive": None, "first_byte": None, "done": None, "failed": None}
    buf, pos, after = b"", 0, 0
    end = time.time() + a.timeout
    while time.time() < end:
        now = time.time()
        try:
            with open(a.serial, "rb") as f:
                f.seek(pos)
                new = f.read()
        except OSError:
            new = b""
        if new:
            pos += len(new)
            buf += new
            if tslog:
                partial += new
                *lines, partial = partial.split(b"\n")
                for line in lines:
                    if not line.startswith(b"$S"):  # serial dump frames: not worth a line each
                        tslog.write(f"{now - t_start:9.3f} {line.decode(errors='replace').rstrip()}\n")
        if ev["panic"] is None:
            m = r_panic.search(buf)
            if m:
                ev["panic"] = now
                after = m.end()
        if ev["panic"] is not None:
            tail = buf[after:]
            if ev["alive"] is None and r_alive.search(tail):
                ev["alive"] = now
            if ev["first_byte"] is None:
                try:
                    if os.stat(a.dump).st_size > 0:
                        ev["first_byte"] = now
                except OSError:
                    pass
            if r_done.search(tail):
                ev["done"] = now
                break
            # a panic of the capture kernel itself (after its first line) also ends the run
            m_alive = r_alive.search(tail)
            m = r_fail.search(tail) or (own_panic(r_panic, tail, m_alive.end()) if m_alive else None)
            if m:
                ev["failed"] = m.group(0).decode(errors="replace")
                break
        try:
            os.kill(a.pid, 0)
        except OSError:
            if ev["done"] is None and ev["failed"] is None:
                ev["failed"] = "QEMU exited before the capture kernel said it was done"
            break
        time.sleep(0.01)
    else:
        ev["failed"] = "timed out"
    try:
        st = os.stat(a.dump)
        ev["size"], ev["last_byte"] = st.st_size, st.st_mtime_ns / 1e9
    except OSError:
        ev["size"], ev["last_byte"] = 0, None
    if ev["panic"]:
        for k in ("alive", "first_byte", "last_byte", "done"):
            ev[k + "_s"] = round(ev[k] - ev["panic"], 3) if ev[k] else None
    if tslog:
        tslog.write(f"{time.time() - t_start:9.3f} (end; panic line at {ev['panic'] - t_start if ev['panic'] else 0:.3f})\n")
        tslog.close()
    print(json.dumps(ev))


if __name__ == "__main__":
    main()
