#!/usr/bin/env python3
"""Check an x86_64 ELF core dump from a real Linux crash (tests/linux/*.sh): ELF64 ET_CORE layout with
one PT_NOTE first, per-CPU NT_PRSTATUS notes, VMCOREINFO equal to the text the guest printed before
the crash, every page of the known pattern present, and program headers following kexec-tools' rule
for the guest's /proc/iomem. Prints "ok ..." / "not ok ...: why" lines; exit status 1 on any failure.

usage: vmcore-check.py DUMP [--filtered] [--headers-only] [--prstatus N] [--vmcoreinfo HEXFILE] [--live]
                            [--pattern FILE [--pattern-gone]] [--iomem FILE] [--label L] [--phdrs-out FILE]
       vmcore-check.py --compare A.phdrs B.phdrs --label L
"""
import argparse
import re
import struct
import subprocess
import sys

PT_LOAD, PT_NOTE = 1, 4
KTEXT_BASE = 0xffffffff80000000
PAGE = 4096

failures = 0


def ok(what):
    print(f"ok {what}")


def not_ok(what, why):
    global failures
    failures += 1
    print(f"not ok {what}: {why}")


def check(cond, what, why):
    if cond:
        ok(what)
    else:
        not_ok(what, why)
    return cond


def read_hex_block(path):
    """Bytes from an `od -An -tx1` listing (the guest prints its VMCOREINFO text that way)."""
    data = bytearray()
    with open(path, errors="replace") as f:
        for line in f:
            for tok in line.split():
                if re.fullmatch(r"[0-9a-f]{2}", tok):
                    data.append(int(tok, 16))
    return bytes(data)


def parse_notes(buf):
    """(name, type, desc) for each note in buf, walking while n_namesz != 0 like Linux does."""
    notes, off = [], 0
    while off + 12 <= len(buf):
        namesz, descsz, ntype = struct.unpack_from("<III", buf, off)
        if namesz == 0:
            break
        name_end = off + 12 + namesz
        desc_off = off + 12 + ((namesz + 3) & ~3)
        desc_end = desc_off + descsz
        if desc_end > len(buf):
            notes.append(("<truncated>", ntype, b""))
            break
        notes.append((buf[off + 12:name_end].rstrip(b"\0").decode(errors="replace"), ntype, buf[desc_off:desc_end]))
        off = desc_off + ((descsz + 3) & ~3)
    return notes


def iomem_rule(path, kexec_file=False):
    """kexec-tools' PT_LOADs for RAM: every System RAM range minus the Crash kernel region(s), and the
    Kernel code start, from the guest's printed /proc/iomem lines. The kernel's own header for
    kexec_file_load (arch/x86/kernel/crash.c) also leaves out the low 1 MiB, always reserved."""
    ram, crash, kcode = [], [], None
    with open(path, errors="replace") as f:
        for line in f:
            m = re.search(r"iomem\s+([0-9a-f]+)-([0-9a-f]+) : (.*?)\s*$", line)
            if not m:
                continue
            s, e, name = int(m.group(1), 16), int(m.group(2), 16), m.group(3)
            if "System RAM" in name:
                ram.append([s, e])
            elif name == "Crash kernel":
                crash.append((s, e))
            elif name == "Kernel code" and kcode is None:
                kcode = s
    if kexec_file:
        crash.append((0, 0xfffff))
    for cs, ce in crash:
        out = []
        for s, e in ram:
            if ce < s or cs > e:
                out.append([s, e])
                continue
            if cs > s:
                out.append([s, cs - 1])
            if ce < e:
                out.append([ce + 1, e])
        ram = out
    return [(s, e - s + 1) for s, e in ram], kcode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dump", nargs="?")
    ap.add_argument("--headers-only", action="store_true")
    ap.add_argument("--prstatus", type=int)
    ap.add_argument("--vmcoreinfo")
    ap.add_argument("--live", action="store_true")
    ap.add_argument("--pattern")
    # dump.level with bit 8: the pattern is user data, so (nearly) all of it must be left out; runs
    # of fewer than 256 excluded pages stay in the file, so up to a tenth may remain.
    ap.add_argument("--pattern-gone", action="store_true")
    ap.add_argument("--iomem")
    # The ELF core header came from the kernel (kexec -s, kexec_file_load), not kexec-tools.
    ap.add_argument("--kexec-file", action="store_true")
    # A dump.level= dump: PT_LOADs split and p_filesz < p_memsz by design (skip the layout checks).
    ap.add_argument("--filtered", action="store_true")
    ap.add_argument("--label", default="dump")
    ap.add_argument("--phdrs-out")
    ap.add_argument("--compare", nargs=2)
    a = ap.parse_args()
    L = a.label

    if a.compare:
        x, y = (open(p).read().splitlines() for p in a.compare)
        if x == y:
            ok(f"{L}: program headers equal ({len(x)} entries, KASLR offsets taken out)")
        else:
            diff = [f"{i}: {p!r} vs {q!r}" for i, (p, q) in enumerate(zip(x, y)) if p != q][:3]
            not_ok(f"{L}: program headers equal", f"{len(x)} vs {len(y)} entries; " + "; ".join(diff))
        return

    data = open(a.dump, "rb").read()
    if not check(len(data) >= 64 and data[:4] == b"\x7fELF", f"{L}: is an ELF file", f"{len(data)} bytes, magic {data[:4]!r}"):
        return
    cls, endian = data[4], data[5]
    e_type, e_machine = struct.unpack_from("<HH", data, 16)
    check(cls == 2 and endian == 1 and e_type == 4 and e_machine == 62, f"{L}: ELF64 little-endian x86_64 ET_CORE",
          f"class {cls} data {endian} type {e_type} machine {e_machine}")
    e_phoff, = struct.unpack_from("<Q", data, 32)
    e_phentsize, e_phnum = struct.unpack_from("<HH", data, 54)
    if e_phentsize != 56 or e_phoff + e_phnum * 56 > len(data):
        not_ok(f"{L}: program headers readable", f"phoff {e_phoff} phentsize {e_phentsize} phnum {e_phnum}")
        return
    ph = [struct.unpack_from("<IIQQQQQQ", data, e_phoff + i * 56) for i in range(e_phnum)]
    types = [p[0] for p in ph]
    check(types and types[0] == PT_NOTE and types.count(PT_NOTE) == 1, f"{L}: one PT_NOTE, first",
          f"p_types {types[:6]}...")
    loads = [p for p in ph if p[0] == PT_LOAD]
    if a.filtered:
        loads = [p for p in loads if p[5] > 0]	# a piece wholly left out has no bytes
        check(all(p[5] <= p[6] and p[7] == 0 for p in loads), f"{L}: PT_LOADs have filesz <= memsz and p_align 0",
              "some differ")
    else:
        check(all(p[5] == p[6] and p[7] == 0 for p in loads), f"{L}: PT_LOADs have filesz == memsz and p_align 0",
              "some differ")
    # p_offset layout: page-aligned data in order (what /proc/vmcore does).
    cursor, layout_ok = None, True
    nt = ph[0]
    if types[0] == PT_NOTE:
        cursor = nt[2] + nt[5]
        layout_ok = nt[2] % PAGE == 0
    for p in loads:
        start = (cursor + PAGE - 1) & ~(PAGE - 1) if cursor is not None else p[2]
        if p[2] != start + (p[4] % PAGE):
            layout_ok = False
        cursor = p[2] + p[5]
    check(layout_ok, f"{L}: note and PT_LOAD data page-aligned in order (like /proc/vmcore)", "p_offset layout differs")
    if not a.headers_only:
        check(len(data) == cursor, f"{L}: file size {len(data)} matches the program headers", f"headers say {cursor}")

    # Notes.
    notes = []
    if types and types[0] == PT_NOTE:
        if nt[2] + nt[5] <= len(data):
            notes = parse_notes(data[nt[2]:nt[2] + nt[5]])
        else:
            not_ok(f"{L}: notes readable", f"PT_NOTE at {nt[2]}+{nt[5]} beyond {len(data)} bytes")
    prs = [n for n in notes if n[0] == "CORE" and n[1] == 1]
    if a.prstatus is not None:
        check(len(prs) == a.prstatus, f"{L}: {a.prstatus} NT_PRSTATUS notes", f"found {len(prs)}")
        if prs:
            check(all(len(n[2]) == 336 for n in prs), f"{L}: NT_PRSTATUS descriptors are 336 bytes",
                  f"sizes {[len(n[2]) for n in prs]}")
            rips = [struct.unpack_from("<Q", n[2], 112 + 16 * 8)[0] for n in prs]
            check(any(r >= KTEXT_BASE for r in rips), f"{L}: a saved RIP is in kernel text",
                  f"rips {[hex(r) for r in rips]}")
    vmci = [n for n in notes if n[0] == "VMCOREINFO"]
    if a.vmcoreinfo:
        want = read_hex_block(a.vmcoreinfo)
        if check(len(vmci) == 1, f"{L}: one VMCOREINFO note", f"found {len(vmci)}") and want:
            got = vmci[0][2]
            got_wo = re.sub(rb"CRASHTIME=\d+\n", b"", got)
            if a.live:
                same = got == want
            else:
                same = got_wo == want and re.search(rb"CRASHTIME=\d+\n", got) is not None
            check(same, f"{L}: VMCOREINFO equals the guest's live note" + ("" if a.live else " plus CRASHTIME"),
                  f"{len(got)} vs {len(want)} bytes; first difference at "
                  f"{next((i for i, (p, q) in enumerate(zip(got_wo, want)) if p != q), min(len(got_wo), len(want)))}")

    # Program headers against kexec-tools' rule for the guest's /proc/iomem.
    page_offset = None
    ram = [p for p in loads if p[3] < KTEXT_BASE]
    text = [p for p in loads if p[3] >= KTEXT_BASE]
    if ram:
        deltas = {p[3] - p[4] for p in ram}
        page_offset = min(deltas)
        check(len(deltas) == 1 and page_offset % (1 << 30) == 0, f"{L}: RAM PT_LOADs map linearly at a 1 GiB-aligned PAGE_OFFSET",
              f"vaddr-paddr {sorted(hex(d) for d in deltas)[:3]}")
    if a.iomem and not a.filtered:
        want_ram, kcode = iomem_rule(a.iomem, a.kexec_file)
        got_ram = [(p[4], p[6]) for p in ram]
        check(got_ram == want_ram, f"{L}: RAM PT_LOADs are System RAM minus the crash region" +
              (" and the low 1 MiB (kexec_file_load)" if a.kexec_file else ""),
              f"got {[(hex(s), hex(n)) for s, n in got_ram][:5]} want {[(hex(s), hex(n)) for s, n in want_ram][:5]}")
        check(len(text) == 1 and text[0][4] == kcode and text[0][3] % 0x100000 == 0,
              f"{L}: one kernel-text PT_LOAD at Kernel code, 1 MiB-aligned vaddr",
              f"text loads {[(hex(p[3]), hex(p[4])) for p in text]}, Kernel code {kcode and hex(kcode)}")
    if a.phdrs_out:
        # KASLR moves the kernel, PAGE_OFFSET and an auto-placed crash region between boots: write
        # each header with addresses expressed against the guest's own /proc/iomem instead.
        sysram, crash = [], []
        if a.iomem:
            for line in open(a.iomem, errors="replace"):
                m = re.search(r"iomem\s+([0-9a-f]+)-([0-9a-f]+) : (.*?)\s*$", line)
                if m and "System RAM" in m.group(3):
                    sysram.append((int(m.group(1), 16), int(m.group(2), 16)))
                elif m and m.group(3) == "Crash kernel":
                    crash.append((int(m.group(1), 16), int(m.group(2), 16)))

        def where(addr, edge):
            for i, (s, e) in enumerate(sysram):
                if (edge == "start" and addr == s) or (edge == "end" and addr == e + 1):
                    return f"ram{i}.{edge}"
            for s, e in crash:
                if (edge == "start" and addr == e + 1) or (edge == "end" and addr == s):
                    return f"crash.{'end' if edge == 'start' else 'start'}"
            return hex(addr)
        with open(a.phdrs_out, "w") as f:
            for p in ph:
                if p[0] == PT_NOTE:
                    f.write(f"NOTE notes={[(n[0], n[1], len(n[2])) for n in notes if n[0] != 'VMCOREINFO']}"
                            f" vmcoreinfo={len(vmci)}\n")
                elif p[3] >= KTEXT_BASE:
                    f.write(f"LOAD text flags={p[1]} size={p[6]:#x} align={p[7]}\n")
                else:
                    f.write(f"LOAD ram flags={p[1]} from={where(p[4], 'start')} to={where(p[4] + p[6], 'end')}"
                            f" linear={p[3] - p[4] == page_offset} align={p[7]}\n")

    # Every page of the pattern, found by content at any page-aligned physical address.
    if a.pattern and not a.headers_only:
        pat = open(a.pattern, "rb").read()
        want = {pat[i:i + PAGE]: i // PAGE for i in range(0, len(pat), PAGE)}
        found = set()
        for p in ram:
            off, paddr, size = p[2], p[4], p[5]
            first = (paddr + PAGE - 1) & ~(PAGE - 1)
            for pa in range(first, paddr + size - PAGE + 1, PAGE):
                o = off + (pa - paddr)
                if data[o:o + 3] == b"PAT":
                    idx = want.get(data[o:o + PAGE])
                    if idx is not None:
                        found.add(idx)
        missing = sorted(set(want.values()) - found)
        if a.pattern_gone:
            check(len(found) * 10 <= len(want), f"{L}: {len(missing)} of {len(want)} pattern pages (user data) left out",
                  f"{len(found)} still in the dump")
        else:
            check(not missing, f"{L}: all {len(want)} pattern pages ({len(pat) >> 20} MiB) are in the dump",
                  f"{len(missing)} missing, first {missing[:5]}")

    # A real consumer: gdb opens the core without the vmlinux and shows one thread per NT_PRSTATUS,
    # each stopped at a kernel-text address.
    if a.prstatus and not a.headers_only:
        try:
            out = subprocess.run(["gdb", "-batch", "-nx", "-ex", "info threads", "-c", a.dump],
                                 capture_output=True, text=True, timeout=120).stdout
        except (OSError, subprocess.TimeoutExpired) as e:
            out = f"gdb failed: {e}"
        threads = re.findall(r"^\*?\s+\d+\s+(?:process|LWP) \d+\s+(0x[0-9a-f]+)", out, re.M)
        check(len(threads) == a.prstatus and all(int(t, 16) >= KTEXT_BASE for t in threads),
              f"{L}: gdb shows {a.prstatus} threads stopped in kernel text",
              f"gdb listed {threads} from: {out.strip()[-300:]!r}")


if __name__ == "__main__":
    main()
    sys.exit(1 if failures else 0)
