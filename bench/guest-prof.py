#!/usr/bin/env python3
"""Sampling profiler for a guest under QEMU TCG: asks QEMU's human monitor (a unix socket) for the
guest's registers at a fixed rate and counts the instruction pointer per function of an ELF symbol
table (nm), shifted by where the image was loaded. Host perf cannot see into TCG's translated code;
this sees the guest's own functions.

usage: guest-prof.py SOCKET ELF BASE [--hz N] [--secs S] [--until-file F --until RE] [--top N]
                     [--inner ELF2@SYMBOL]
  BASE: load address of ELF's address 0 (salvage logs "salvage at 0x..."), hex; "auto": read from
  that line in --until-file (kexec loads salvage where the crash reservation is).
  --inner: ELF2 is linked at 0 and included in ELF at SYMBOL (salvage's long-mode blob, long64.elf
  at long64_blob): samples inside it are counted per ELF2 function, prefixed "long64:".
Prints "<percent> <samples> <function>" lines, most frequent first, and the sample count.
"""
import argparse
import bisect
import re
import socket
import subprocess
import time


def symbols(elf):
    out = subprocess.run(["nm", "-n", "--defined-only", elf], capture_output=True, text=True).stdout
    addrs, names = [], []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1].lower() in "tw":
            addrs.append(int(parts[0], 16))
            names.append(parts[2])
    return addrs, names


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("sock")
    ap.add_argument("elf")
    ap.add_argument("base")
    ap.add_argument("--hz", type=float, default=50)
    ap.add_argument("--secs", type=float, default=60)
    ap.add_argument("--until-file")
    ap.add_argument("--until")
    ap.add_argument("--after")
    ap.add_argument("--top", type=int, default=15)
    ap.add_argument("--inner")
    a = ap.parse_args()
    base = None if a.base == "auto" else int(a.base, 16)
    addrs, names = symbols(a.elf)
    if a.inner:
        inner_elf, _, inner_sym = a.inner.partition("@")
        if inner_sym not in names:
            raise SystemExit(f"guest-prof: --inner {a.inner}: no function symbol {inner_sym!r} in {a.elf}")
        at = addrs[names.index(inner_sym)]
        iaddrs, inames = symbols(inner_elf)
        # the inner functions replace the enclosing symbol's range, in address order
        merged = list(zip(addrs, names)) + [(at + x, "long64:" + nm) for x, nm in zip(iaddrs, inames)]
        merged.sort(key=lambda an: (an[0], an[1].startswith("long64:")))
        addrs, names = [x for x, _ in merged], [nm for _, nm in merged]
    limit = addrs[-1] + 0x10000 if addrs else 1 << 32
    deadline = time.time() + a.secs
    s = None
    while s is None and time.time() < deadline:
        try:
            s = socket.socket(socket.AF_UNIX)
            s.connect(a.sock)
        except OSError:
            s = None
            time.sleep(0.05)
    if s is None:
        print("guest-prof: no monitor socket")
        return
    s.settimeout(2)
    buf = b""

    def cmd(c):
        nonlocal buf
        s.sendall(c.encode() + b"\n")
        while b"(qemu)" not in buf:
            d = s.recv(65536)
            if not d:
                raise EOFError
            buf += d
        out, _, buf = buf.partition(b"(qemu)")
        return out.decode(errors="replace")

    def seen(pattern):
        try:
            return re.search(pattern.encode(), open(a.until_file, "rb").read()) is not None
        except OSError:
            return False

    counts, n = {}, 0
    try:
        cmd("")  # banner
        while a.after and a.until_file and not seen(a.after) and time.time() < deadline:
            time.sleep(0.05)
        while base is None and time.time() < deadline:
            m = re.search(rb"salvage at 0x([0-9a-f]+)", open(a.until_file, "rb").read()) if a.until_file else None
            if m:
                base = int(m.group(1), 16)
            elif not a.until_file:
                break
            else:
                time.sleep(0.05)
        if base is None:
            print("guest-prof: no load address")
            return
        while time.time() < deadline:
            if a.until_file and a.until and seen(a.until):
                break
            # every CPU's: in a crash kernel salvage runs on the CPU that panicked, the others are
            # parked in the crashed kernel; the sample is the one inside salvage's image
            ips = [int(x, 16) - base for x in re.findall(r"[ER]IP=([0-9a-f]+)", cmd("info registers -a"))]
            ips = [ip for ip in ips if 0 <= ip < limit] or ips[:1]
            if ips:
                ip = ips[0]
                i = bisect.bisect_right(addrs, ip) - 1
                name = names[i] if i >= 0 else f"?{ip:#x}"
                counts[name] = counts.get(name, 0) + 1
                n += 1
            time.sleep(1 / a.hz)
    except (EOFError, OSError):
        pass
    for name, c in sorted(counts.items(), key=lambda kv: -kv[1])[:a.top]:
        print(f"{100 * c / max(n, 1):5.1f}% {c:5d} {name}")
    print(f"samples {n}")


if __name__ == "__main__":
    main()
