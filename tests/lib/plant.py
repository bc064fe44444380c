#!/usr/bin/env python3
"""Plant a synthetic crash state for QEMU tests: memory images and their physical addresses for
`-device loader`, with an ELF core header (elfcorehdr) laid out as kexec-tools builds it.

Usage:
  plant.py make OUTDIR [--variant elf64|elf32|corrupt] [--corrupt KIND] [--seed N] [--base ADDR]
      Writes OUTDIR/*.bin, OUTDIR/manifest.json, OUTDIR/loader.args (one QEMU argument per line:
      "-device" / "loader,file=...,addr=...,force-raw=on" pairs) and OUTDIR/plant.env (shell:
      ELFCOREHDR, ELFCOREHDR_K, ELFCLASS, MACHINE, PLANT_END, PLANT_HASH, PLANT_RAM_MB = the guest
      RAM it needs, ...).
  plant.py check DUMP OUTDIR [--memmap]
      Checks an ELF core file against the planted state: with --memmap (a dump salvage made from the
      memory map, not from the elfcorehdr) every planted page must appear at its physical address in
      some PT_LOAD; without, the PT_LOADs must be the planted segments with their planted bytes.
      Prints "ok ..."/"not ok ..." lines; exit status 1 when anything failed.
  plant.py model OUTDIR OUTFILE
      Writes the /proc/vmcore Linux 6.1 would make from the planted state (an independent model of
      fs/proc/vmcore.c's layout, checked by the tests against Linux itself: x86_64 Linux on ELF64,
      32-bit (686-pae) Linux on ELF32).
  plant.py diff EXPECTED GOT
      Explains how two ELF core files differ: size, then each differing byte range (up to 8) named by
      the field it falls in (ELF header field, phdr[i].field, note, segment i at paddr, padding),
      with expected and received bytes. Exit status 1 when they differ.

The planted state (addresses relative to --base, default 0x08000000 = 128 MiB, so a Linux booted
with mem=128M leaves it alone):
  +0x000000  elfcorehdr: Ehdr, PT_NOTE per CPU note buffer, PT_NOTE VMCOREINFO, then PT_LOADs
  +0x001000  CPU 0 note buffer: "CORE"/NT_PRSTATUS with recognisable registers, then an empty note
  +0x001180  CPU 1 note buffer: all zero (a CPU that never saved its registers)
  +0x002000  VMCOREINFO note buffer (4132 bytes): OSRELEASE=, PAGESIZE=, ..., CRASHTIME=
  +0x100000  "kernel text" segment (256 KiB), first PT_LOAD, vaddr in the kernel image map
  +0x200000  copy of the low 640 KiB (kexec-tools' backup): PT_LOAD p_paddr 0, p_offset here
  +0x300000  RAM segment (1.5 MiB): random, filled and text pages around a 512 KiB run of zeros
  +0x500a00  RAM segment not page aligned at either end (0x3456 bytes); its whole pages are planted,
             so the bytes a page-rounding reader copies around it are defined too
Every non-zero page starts with a tag naming its physical address, so no two pages are equal.
ELF32 (EM_386) uses 176-byte CPU note buffers and i386 register layout; "corrupt" is the ELF64
state with a broken elfcorehdr (see --corrupt). "edge" is the ELF64 state plus what kexec-tools and
Linux allow but rarely produce: a CPU note buffer with two notes and a third that overruns the buffer
(Linux drops it), VMCOREINFO unaligned across a page boundary, two segments sharing a page, and a
segment above 4 GiB (at 4 GiB + 64 KiB; the guest then needs 3712 MiB: QEMU maps RAM 0-3 GiB and
4 GiB up). "elf32-edge" is the ELF32 state with the same edge cases but the one above 4 GiB (an ELF32
p_offset cannot reach it).
"""
import argparse
import hashlib
import json
import os
import struct
import sys

PAGE = 4096
PT_LOAD, PT_NOTE = 1, 4
ET_CORE = 4
EM_386, EM_X86_64 = 3, 62
NT_PRSTATUS = 1
PF_RWX = 7

EHDR64 = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR64 = struct.Struct("<IIQQQQQQ")  # type flags offset vaddr paddr filesz memsz align
EHDR32 = struct.Struct("<16sHHIIIIIHHHHHH")
PHDR32 = struct.Struct("<IIIIIIII")  # type offset vaddr paddr filesz memsz flags align
NHDR = struct.Struct("<III")
assert EHDR64.size == 64 and PHDR64.size == 56 and EHDR32.size == 52 and PHDR32.size == 32

# x86_64 elf_prstatus: 336 bytes, pr_pid at +32, pr_reg (27 x u64) at +112.
# i386 elf_prstatus: 144 bytes, pr_pid at +24, pr_reg (17 x u32) at +72.
PRSTATUS = {64: (336, 32, 112, 8), 32: (144, 24, 72, 4)}
REGS64 = "r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ss " \
         "fs_base gs_base ds es fs gs".split()
REGS32 = "ebx ecx edx esi edi ebp eax ds es fs gs orig_eax eip cs eflags esp ss".split()
VMCOREINFO_BYTES = 4096
VMCOREINFO_NOTE_SIZE = 4132
CORRUPT_KINDS = ("magic", "phentsize", "machine", "phnum")
HIGH_BASE = 1 << 32
HIGH_RAM_MB = 3712  # QEMU pc from 3.5 GiB up: RAM 0-3 GiB, then 4 GiB-4 GiB+640 MiB


def align4(n):
    return (n + 3) & ~3


def note(name, ntype, desc):
    """One ELF note: header, name (NUL-terminated, padded to 4), descriptor (padded to 4)."""
    nb = name.encode() + b"\0"
    return NHDR.pack(len(nb), len(desc), ntype) + nb.ljust(align4(len(nb)), b"\0") + \
        desc.ljust(align4(len(desc)), b"\0")


def regs_for(cls, cpu):
    """Recognisable register values: 0xC0DE.. | cpu | index, with plausible ip/sp/segments."""
    names = REGS64 if cls == 64 else REGS32
    vals = {}
    for i, n in enumerate(names):
        vals[n] = (0xC0DE000000000000 | (cpu << 16) | (i << 8) | 0xAA) if cls == 64 else \
            (0xC0DE0000 | (cpu << 12) | (i << 4) | 0xA)
    if cls == 64:
        vals.update(rip=0xFFFFFFFF81234560 + cpu, rsp=0xFFFFC90000123F00 - cpu * 0x1000, cs=0x10, ss=0x18,
                    eflags=0x246, ds=0, es=0, fs=0, gs=0)
    else:
        vals.update(eip=0xC1234560 + cpu, esp=0xC5F1FF00 - cpu * 0x1000, cs=0x60, ss=0x68, eflags=0x246,
                    ds=0x7B, es=0x7B, fs=0xD8, gs=0xE0)
    return names, vals


def cpu_note_buffer(cls, cpu, pid, empty):
    """A per-CPU crash_notes buffer as crash_save_cpu leaves it: NT_PRSTATUS then an empty note."""
    size, pid_off, reg_off, w = PRSTATUS[cls]
    bufsize = NHDR.size * 2 + align4(len("CORE") + 1) + size  # 368 (x86_64) / 176 (i386)
    if empty:
        return bytes(bufsize), {}
    pr = bytearray(size)
    struct.pack_into("<i", pr, pid_off, pid)
    names, vals = regs_for(cls, cpu)
    fmt = "<Q" if w == 8 else "<I"
    for i, n in enumerate(names):
        struct.pack_into(fmt, pr, reg_off + i * w, vals[n])
    buf = note("CORE", NT_PRSTATUS, bytes(pr))
    buf += bytes(bufsize - len(buf))  # the final all-zero note header ends the walk
    assert len(buf) == bufsize
    return buf, vals


def vmcoreinfo_buffer(cls, seed, crashtime):
    """The VMCOREINFO note buffer: name "VMCOREINFO", type 0, KEY=VALUE text, zero padded."""
    if cls == 64:
        lines = ["OSRELEASE=6.1.0-synthetic-amd64", "BUILD-ID=%040x" % (0x5a1a9e << 100 | seed),
                 "PAGESIZE=4096", "SYMBOL(init_uts_ns)=ffffffff82a12340",
                 "OFFSET(uts_namespace.name)=0", "SYMBOL(node_online_map)=ffffffff82b3c980",
                 "SYMBOL(swapper_pg_dir)=ffffffff8260a000", "SYMBOL(_stext)=ffffffff81000000",
                 "SYMBOL(vmap_area_list)=ffffffff82a4f2f0", "SYMBOL(mem_map)=ffffea0000000000",
                 "SYMBOL(prb)=ffffffff8289c5b8", "NUMBER(phys_base)=0", "KERNELOFFSET=0",
                 "NUMBER(pgtable_l5_enabled)=0", "NUMBER(page_offset_base)=ffff888000000000"]
    else:
        lines = ["OSRELEASE=6.1.0-synthetic-686-pae", "BUILD-ID=%040x" % (0x5a1a9e << 100 | seed),
                 "PAGESIZE=4096", "SYMBOL(init_uts_ns)=c1a12340", "OFFSET(uts_namespace.name)=0",
                 "SYMBOL(swapper_pg_dir)=c1b0a000", "SYMBOL(_stext)=c1000000",
                 "SYMBOL(mem_map)=f5000000", "SYMBOL(prb)=c189c5b8", "CONFIG_X86_PAE=y",
                 "KERNELOFFSET=0"]
    lines += ["SEED=%d" % seed, "CRASHTIME=%d" % crashtime]
    text = ("\n".join(lines) + "\n").encode()
    assert len(text) <= VMCOREINFO_BYTES
    buf = note("VMCOREINFO", 0, text)
    return buf + bytes(VMCOREINFO_NOTE_SIZE - len(buf)), text.decode()


class Prng:
    """Deterministic byte stream: SHA-256 in counter mode over (seed, label)."""

    def __init__(self, seed, label):
        self.key = b"%d:%s:" % (seed, label.encode())

    def take(self, n):
        out = bytearray()
        i = 0
        while len(out) < n:
            out += hashlib.sha256(self.key + i.to_bytes(8, "little")).digest()
            i += 1
        return bytes(out[:n])


def page(kind, addr, seed):
    """One 4 KiB page of the given kind, tagged with the physical address it is planted at."""
    if kind == "zero":
        return bytes(PAGE)
    if kind == "sparse":  # zero but for two bytes: a zero-run detector must not swallow it
        p = bytearray(PAGE)
        p[PAGE // 2] = 0x5A
        p[PAGE - 1] = (addr >> 12) & 0xFF or 1
        return bytes(p)
    tag = b"SALVAGE-PLANT %-6s paddr=%016x seed=%d\n" % (kind.encode(), addr, seed)
    if kind == "random":
        body = Prng(seed, "page-%x" % addr).take(PAGE - len(tag))
    elif kind == "fill":
        body = bytes([0xA5 ^ ((addr >> 12) & 0xFF)]) * (PAGE - len(tag))
    elif kind == "text":
        line = b"synthetic crash page 0x%x: the quick brown fox jumps over the lazy dog\n" % addr
        body = (line * (PAGE // len(line) + 1))[:PAGE - len(tag)]
    else:
        raise ValueError(kind)
    return tag + body


def pages(kinds, addr, seed):
    """Consecutive pages of the given kinds, the first planted at addr."""
    return b"".join(page(k, addr + i * PAGE, seed) for i, k in enumerate(kinds))


def build(variant, corrupt, seed, base):
    """The whole planted state as a dict: regions [(addr, bytes, name)] to load, the elfcorehdr's
    note buffers and segments, and what a dump of it must show (class, machine, CRASHTIME, ...)."""
    cls = 32 if variant in ("elf32", "elf32-edge") else 64
    edge = variant in ("edge", "elf32-edge")
    if base % PAGE or base < 0x100000:
        sys.exit("plant: --base must be page aligned and at least 1 MiB")
    if cls == 32 and base + 0x600000 > 1 << 32:
        sys.exit("plant: ELF32 state must lie below 4 GiB")
    crashtime = 1767225600 + seed
    regions = []  # (addr, bytes, name)

    # Note buffers.
    cpu0, regs0 = cpu_note_buffer(cls, 0, 1234, empty=False)
    cpu1, _ = cpu_note_buffer(cls, 1, 0, empty=True)
    vmci, vmci_text = vmcoreinfo_buffer(cls, seed, crashtime)
    cpu0_addr = base + 0x1000
    cpu1_addr = base + 0x1180 if cls == 64 else base + 0x10C0
    vmci_addr = base + 0x2000
    note_bufs = [(cpu0_addr, len(cpu0)), (cpu1_addr, len(cpu1))]
    notes = bytearray(0x4000)
    notes[0:len(cpu0)] = cpu0
    notes[cpu1_addr - cpu0_addr:cpu1_addr - cpu0_addr + len(cpu1)] = cpu1
    if edge:
        # CPU 2 saved its registers and one more note, then a note whose size runs past the buffer:
        # Linux keeps the first two and drops the third ("Exceeded p_memsz").
        cpu2, _ = cpu_note_buffer(cls, 2, 1300, empty=False)
        cpu2 = cpu2[:len(cpu2) - NHDR.size] + note("CORE", 0x4711, b"extra note, kept") + \
            NHDR.pack(5, 0x100, NT_PRSTATUS)
        cpu2_addr = base + 0x1400
        notes[cpu2_addr - cpu0_addr:cpu2_addr - cpu0_addr + len(cpu2)] = cpu2
        note_bufs.append((cpu2_addr, len(cpu2)))
        vmci_addr = base + 0x2F80  # crosses a page boundary, not page aligned
    notes[vmci_addr - cpu0_addr:vmci_addr - cpu0_addr + len(vmci)] = vmci
    note_bufs.append((vmci_addr, len(vmci)))
    regions.append((base + 0x1000, bytes(notes), "notes"))

    # Memory segments: (paddr, vaddr, where the bytes are, size, name).
    if cls == 64:
        text_va, direct = 0xFFFFFFFF81000000, 0xFFFF888000000000
    else:
        text_va, direct = 0xC1000000, 0xC0000000
    segs = []
    text_addr = base + 0x100000
    regions.append((text_addr, pages(["random", "text"] * 32, text_addr, seed), "text"))
    segs.append((text_addr, text_va, text_addr, 0x40000, "kernel-text"))
    backup_addr = base + 0x200000
    regions.append((backup_addr, pages(["random"] * 16 + ["fill"] * 16 + ["zero"] * 96 + ["text"] * 32,
                                       backup_addr, seed), "backup"))
    segs.append((0, direct, backup_addr, 0xA0000, "low-640K-backup"))
    ram_addr = base + 0x300000
    kinds = ["random"] * 64 + ["fill"] * 16 + ["sparse"] + ["zero"] * 128 + ["sparse"] + ["text"] * 30 + \
        ["random"] * 144
    assert len(kinds) * PAGE == 0x180000
    regions.append((ram_addr, pages(kinds, ram_addr, seed), "ram"))
    segs.append((ram_addr, direct + ram_addr, ram_addr, 0x180000, "ram"))
    odd_page = base + 0x500000
    regions.append((odd_page, pages(["random", "fill", "text", "random"], odd_page, seed), "unaligned"))
    segs.append((odd_page + 0xA00, direct + odd_page + 0xA00, odd_page + 0xA00, 0x3456, "unaligned"))
    if edge:
        # Two segments sharing a page (Linux copies that page once for each), and (ELF64) one above
        # 4 GiB.
        pair = base + 0x510000
        regions.append((pair, pages(["random", "text"], pair, seed), "pair"))
        segs.append((pair + 0x100, direct + pair + 0x100, pair + 0x100, 0x1000, "pair-a"))
        segs.append((pair + 0x1100, direct + pair + 0x1100, pair + 0x1100, 0x800, "pair-b"))
    if edge and cls == 64:
        high = HIGH_BASE + 0x10000
        regions.append((high, pages(["random"] * 8 + ["zero"] * 16 + ["text"] * 8, high, seed), "high"))
        segs.append((high, direct + high, high, 0x20000, "above-4GiB"))

    # The elfcorehdr, as kexec-tools' crashdump-elf.c lays it out.
    phnum = len(note_bufs) + len(segs)
    machine = EM_X86_64 if cls == 64 else EM_386
    ident = b"\x7fELF" + bytes([2 if cls == 64 else 1, 1, 1, 0]) + bytes(8)
    if cls == 64:
        hdr = EHDR64.pack(ident, ET_CORE, machine, 1, 0, EHDR64.size, 0, 0, EHDR64.size, PHDR64.size,
                          phnum, 0, 0, 0)
        for a, n in note_bufs:
            hdr += PHDR64.pack(PT_NOTE, 0, a, 0, a, n, n, 0)
        for paddr, vaddr, src, size, _ in segs:
            hdr += PHDR64.pack(PT_LOAD, PF_RWX, src, vaddr, paddr, size, size, 0)
    else:
        hdr = EHDR32.pack(ident, ET_CORE, machine, 1, 0, EHDR32.size, 0, 0, EHDR32.size, PHDR32.size,
                          phnum, 0, 0, 0)
        for a, n in note_bufs:
            hdr += PHDR32.pack(PT_NOTE, a, 0, a, n, n, 0, 0)
        for paddr, vaddr, src, size, _ in segs:
            hdr += PHDR32.pack(PT_LOAD, src, vaddr, paddr, size, size, PF_RWX, 0)
    hdr_len = len(hdr)
    if variant == "corrupt":
        h = bytearray(hdr)
        if corrupt == "magic":
            h[1:4] = b"ELG"
        elif corrupt == "phentsize":
            struct.pack_into("<H", h, 54, 0x20)
        elif corrupt == "machine":
            struct.pack_into("<H", h, 18, 40)  # EM_ARM
        elif corrupt == "phnum":
            struct.pack_into("<H", h, 56, 0xFFF0)  # headers would run far past what was planted
        hdr = bytes(h)
    regions.insert(0, (base, hdr + bytes(PAGE - len(hdr)), "elfcorehdr"))

    return {
        "variant": variant, "corrupt": corrupt if variant == "corrupt" else None, "seed": seed,
        "elfclass": cls, "machine": machine, "base": base, "elfcorehdr": base, "elfcorehdr_len": hdr_len,
        "crashtime": crashtime, "vmcoreinfo": vmci_text, "cpu0_regs": regs0, "cpu0_pid": 1234,
        "notes": [{"addr": a, "size": n} for a, n in note_bufs],
        "segments": [{"paddr": p, "vaddr": v, "src": s, "size": n, "name": nm} for p, v, s, n, nm in segs],
        "regions": regions,
    }


def cmd_make(args):
    """plant.py make: write the regions, manifest.json, loader.args and plant.env; print the dir."""
    base = int(args.base, 0)
    st = build(args.variant, args.corrupt, args.seed, base)
    os.makedirs(args.outdir, exist_ok=True)
    out = os.path.abspath(args.outdir)
    h = hashlib.sha256()
    loader, files = [], []
    for addr, data, name in st["regions"]:
        fn = os.path.join(out, "%s-%x.bin" % (name, addr))
        with open(fn, "wb") as f:
            f.write(data)
        files.append({"file": fn, "addr": addr, "size": len(data), "name": name})
        loader += ["-device", "loader,file=%s,addr=0x%x,force-raw=on" % (fn, addr)]
        h.update(b"%x:%d:" % (addr, len(data)) + hashlib.sha256(data).digest())
    regions = st.pop("regions")
    end = max(a + len(d) for a, d, _ in regions)
    st["files"] = files
    st["end"] = end
    st["hash"] = h.hexdigest()
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(st, f, indent=1, sort_keys=True)
    with open(os.path.join(out, "loader.args"), "w") as f:
        f.write("\n".join(loader) + "\n")
    ram_mb = -(-end // (1 << 20))
    guest_mb = HIGH_RAM_MB if end > HIGH_BASE else 256
    with open(os.path.join(out, "plant.env"), "w") as f:
        f.write("# generated by tests/lib/plant.py\n")
        f.write("PLANT_VARIANT=%s\nELFCLASS=%d\nMACHINE=%d\n" % (args.variant, st["elfclass"], st["machine"]))
        f.write("ELFCOREHDR=0x%x\nELFCOREHDR_K=%dK\n" % (base, base // 1024))
        f.write("PLANT_END=0x%x\nPLANT_END_MB=%d\nPLANT_HASH=%s\n" % (end, ram_mb, st["hash"]))
        low_end = max(a + len(d) for a, d, _ in regions if a < HIGH_BASE)
        f.write("PLANT_RAM_MB=%d\nPLANT_LOW_END_MB=%d\n" % (guest_mb, -(-low_end // (1 << 20))))
        f.write("CRASHTIME=%d\nPLANT_DIR=%s\n" % (st["crashtime"], out))
    print(out)


# ---- checking a dump against the planted state ----

def read_core(path_or_data):
    """Parse an ELF core file (path or bytes): (data, class 32/64, e_machine, [phdr dicts])."""
    if isinstance(path_or_data, bytes):
        data = path_or_data
    else:
        with open(path_or_data, "rb") as f:
            data = f.read()
    if data[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    cls = 64 if data[4] == 2 else 32
    if cls == 64:
        e = EHDR64.unpack_from(data, 0)
        phoff, phentsize, phnum = e[5], e[9], e[10]
        ph = [PHDR64.unpack_from(data, phoff + i * PHDR64.size) for i in range(phnum)]
        ph = [dict(type=p[0], offset=p[2], vaddr=p[3], paddr=p[4], filesz=p[5], memsz=p[6]) for p in ph]
    else:
        e = EHDR32.unpack_from(data, 0)
        phoff, phentsize, phnum = e[5], e[9], e[10]
        ph = [PHDR32.unpack_from(data, phoff + i * PHDR32.size) for i in range(phnum)]
        ph = [dict(type=p[0], offset=p[1], vaddr=p[2], paddr=p[3], filesz=p[4], memsz=p[5]) for p in ph]
    return data, cls, e[2], ph


def cmd_check(args):
    """plant.py check: ok/not ok lines comparing a dump with the planted state; 1 on failure."""
    with open(os.path.join(args.outdir, "manifest.json")) as f:
        st = json.load(f)
    mem = {}
    for fi in st["files"]:
        with open(fi["file"], "rb") as f:
            mem[fi["addr"]] = f.read()
    fails = 0

    def res(good, what, why=""):
        nonlocal fails
        print(("ok %s" % what) if good else ("not ok %s: %s" % (what, why)))
        fails += 0 if good else 1

    try:
        data, cls, machine, ph = read_core(args.dump)
    except (ValueError, struct.error, OSError) as e:
        res(False, "dump is an ELF core file", str(e))
        return 1
    loads = [p for p in ph if p["type"] == PT_LOAD]

    def covering(paddr, n):
        for p in loads:
            if p["paddr"] <= paddr and paddr + n <= p["paddr"] + p["filesz"]:
                off = p["offset"] + paddr - p["paddr"]
                return data[off:off + n]
        return None

    if args.memmap:
        res(ph and ph[0]["type"] == PT_NOTE, "phdr[0] is PT_NOTE")
        missing, wrong = 0, []
        for fi in st["files"]:
            blob = mem[fi["addr"]]
            for o in range(0, len(blob), PAGE):
                got = covering(fi["addr"] + o, PAGE)
                if got is None:
                    missing += 1
                elif got != blob[o:o + PAGE]:
                    wrong.append(fi["addr"] + o)
        res(missing == 0, "every planted page lies in a PT_LOAD at its physical address",
            "%d pages not covered" % missing)
        res(not wrong, "every planted page has its planted bytes",
            "%d pages differ, first at paddr 0x%x" % (len(wrong), wrong[0]) if wrong else "")
    else:
        res(cls == st["elfclass"] and machine == st["machine"], "ELF class %d machine %d" %
            (st["elfclass"], st["machine"]), "got class %d machine %d" % (cls, machine))
        res(len(ph) >= 1 and ph[0]["type"] == PT_NOTE and sum(p["type"] == PT_NOTE for p in ph) == 1,
            "exactly one PT_NOTE, first")
        segs = st["segments"]
        res([(p["paddr"], p["vaddr"], p["memsz"]) for p in loads] ==
            [(s["paddr"], s["vaddr"], s["size"]) for s in segs], "PT_LOADs are the planted segments in order",
            "got %s" % [(hex(p["paddr"]), hex(p["memsz"])) for p in loads])
        for p, s in zip(loads, segs):
            blob = None
            for a, b in mem.items():
                if a <= s["src"] and s["src"] + s["size"] <= a + len(b):
                    blob = b[s["src"] - a:s["src"] - a + s["size"]]
            got = data[p["offset"]:p["offset"] + p["filesz"]]
            res(got == blob, "segment %s (paddr 0x%x) holds the bytes planted at 0x%x" %
                (s["name"], s["paddr"], s["src"]), "differs")
    return 1 if fails else 0


# ---- Linux's layout (fs/proc/vmcore.c, 6.1) as a model ----

def planted_memory(outdir):
    with open(os.path.join(outdir, "manifest.json")) as f:
        st = json.load(f)
    mem = []
    for fi in st["files"]:
        with open(fi["file"], "rb") as f:
            mem.append((fi["addr"], f.read()))
    return st, mem


def mem_read(mem, addr, n):
    """Planted bytes [addr, addr+n); unplanted memory would be undefined, so it is an error."""
    for a, b in mem:
        if a <= addr and addr + n <= a + len(b):
            return b[addr - a:addr - a + n]
    raise ValueError("0x%x+0x%x is not planted" % (addr, n))


def roundup(n, a):
    return (n + a - 1) // a * a


def cmd_model(args):
    """plant.py model: write the vmcore Linux makes from the planted elfcorehdr (all classes)."""
    st, mem = planted_memory(args.outdir)
    base = st["elfcorehdr"]
    cls = 64 if mem_read(mem, base + 4, 1)[0] == 2 else 32
    E, P = (EHDR64, PHDR64) if cls == 64 else (EHDR32, PHDR32)
    eh = list(E.unpack(mem_read(mem, base, E.size)))
    phnum = eh[10]
    raw = [P.unpack(mem_read(mem, base + E.size + i * P.size, P.size)) for i in range(phnum)]
    if cls == 64:
        ph = [dict(type=p[0], flags=p[1], offset=p[2], vaddr=p[3], paddr=p[4], filesz=p[5], memsz=p[6],
                   align=p[7]) for p in raw]
    else:
        ph = [dict(type=p[0], offset=p[1], vaddr=p[2], paddr=p[3], filesz=p[4], memsz=p[5], flags=p[6],
                   align=p[7]) for p in raw]

    def pack(p):
        if cls == 64:
            return P.pack(p["type"], p["flags"], p["offset"], p["vaddr"], p["paddr"], p["filesz"], p["memsz"],
                          p["align"])
        return P.pack(p["type"], p["offset"], p["vaddr"], p["paddr"], p["filesz"], p["memsz"], p["flags"],
                      p["align"])

    # Notes: each PT_NOTE trimmed by walking while n_namesz != 0 without passing p_memsz, then merged.
    notes = b""
    nr_note = 0
    for p in ph:
        if p["type"] != PT_NOTE:
            continue
        nr_note += 1
        buf = mem_read(mem, p["offset"], p["memsz"])
        real = 0
        while real + NHDR.size <= len(buf):
            namesz, descsz, _ = NHDR.unpack_from(buf, real)
            if namesz == 0:
                break
            sz = NHDR.size + align4(namesz) + align4(descsz)
            if real + sz > len(buf):
                break
            real += sz
        notes += buf[:real]
    rest = [p for p in ph if p["type"] != PT_NOTE]
    new_phnum = len(rest) + 1
    hdr_sz = roundup(E.size + new_phnum * P.size, PAGE)
    note_sz = roundup(len(notes), PAGE)
    merged = dict(type=PT_NOTE, flags=0, offset=hdr_sz, vaddr=0, paddr=0, filesz=len(notes),
                  memsz=len(notes), align=0)
    cursor = hdr_sz + note_sz
    body = []
    for p in rest:
        if p["type"] != PT_LOAD:
            continue
        start = p["offset"] // PAGE * PAGE
        end = roundup(p["offset"] + p["memsz"], PAGE)
        body.append(mem_read(mem, start, end - start))
        p["offset"] = cursor + p["offset"] - start
        cursor += end - start
    eh[10] = new_phnum
    head = E.pack(*eh) + pack(merged) + b"".join(pack(p) for p in rest)
    out = head.ljust(hdr_sz, b"\0") + notes.ljust(note_sz, b"\0") + b"".join(body)
    with open(args.outfile, "wb") as f:
        f.write(out)
    print("%s: %d bytes" % (args.outfile, len(out)))
    return 0


EHDR_FIELDS64 = [("e_ident", 0, 16), ("e_type", 16, 2), ("e_machine", 18, 2), ("e_version", 20, 4),
                 ("e_entry", 24, 8), ("e_phoff", 32, 8), ("e_shoff", 40, 8), ("e_flags", 48, 4),
                 ("e_ehsize", 52, 2), ("e_phentsize", 54, 2), ("e_phnum", 56, 2), ("e_shentsize", 58, 2),
                 ("e_shnum", 60, 2), ("e_shstrndx", 62, 2)]
EHDR_FIELDS32 = [("e_ident", 0, 16), ("e_type", 16, 2), ("e_machine", 18, 2), ("e_version", 20, 4),
                 ("e_entry", 24, 4), ("e_phoff", 28, 4), ("e_shoff", 32, 4), ("e_flags", 36, 4),
                 ("e_ehsize", 40, 2), ("e_phentsize", 42, 2), ("e_phnum", 44, 2), ("e_shentsize", 46, 2),
                 ("e_shnum", 48, 2), ("e_shstrndx", 50, 2)]
PHDR_FIELDS64 = [("p_type", 0, 4), ("p_flags", 4, 4), ("p_offset", 8, 8), ("p_vaddr", 16, 8),
                 ("p_paddr", 24, 8), ("p_filesz", 32, 8), ("p_memsz", 40, 8), ("p_align", 48, 8)]
PHDR_FIELDS32 = [("p_type", 0, 4), ("p_offset", 4, 4), ("p_vaddr", 8, 4), ("p_paddr", 12, 4),
                 ("p_filesz", 16, 4), ("p_memsz", 20, 4), ("p_flags", 24, 4), ("p_align", 28, 4)]


def describe(data, off):
    """Name the part of an ELF core file (laid out as data says) that byte off falls in."""
    try:
        _, cls, _, ph = read_core(data)
    except (ValueError, struct.error) as e:
        return "in a file that is not a readable ELF core (%s)" % e
    ef, pf = (EHDR_FIELDS64, PHDR_FIELDS64) if cls == 64 else (EHDR_FIELDS32, PHDR_FIELDS32)
    esz, psz = (64, 56) if cls == 64 else (52, 32)
    for n, o, w in ef:
        if o <= off < o + w:
            return "ELF header %s (+%d)" % (n, off - o)
    if esz <= off < esz + len(ph) * psz:
        i, r = divmod(off - esz, psz)
        for n, o, w in pf:
            if o <= r < o + w:
                return "phdr[%d].%s (+%d) of a %s" % (i, n, r - o, {1: "PT_LOAD", 4: "PT_NOTE"}.get(
                    ph[i]["type"], "type %d" % ph[i]["type"]))
    for i, p in enumerate(ph):
        if p["type"] == PT_NOTE and p["offset"] <= off < p["offset"] + p["filesz"]:
            r = off - p["offset"]
            pos = p["offset"]
            while pos + 12 <= p["offset"] + p["filesz"]:
                namesz, descsz, ntype = NHDR.unpack_from(data, pos)
                sz = 12 + align4(namesz) + align4(descsz)
                if pos <= off < pos + sz:
                    name = data[pos + 12:pos + 12 + namesz].rstrip(b"\0").decode("ascii", "replace")
                    r = off - pos
                    part = "header byte %d" % r if r < 12 else "name byte %d" % (r - 12) \
                        if r < 12 + align4(namesz) else "descriptor byte %d" % (r - 12 - align4(namesz))
                    return "note %r type %d at file 0x%x, %s" % (name, ntype, pos, part)
                if sz <= 12:
                    break
                pos += sz
            return "merged notes, byte %d" % r
    for i, p in enumerate(ph):
        if p["type"] == PT_LOAD and p["offset"] <= off < p["offset"] + p["filesz"]:
            return "segment phdr[%d] data, paddr 0x%x (vaddr 0x%x)" % (
                i, p["paddr"] + off - p["offset"], p["vaddr"] + off - p["offset"])
    return "padding between parts (page rounding)"


def cmd_diff(args):
    """plant.py diff: print where two core files differ, each range named by its field."""
    with open(args.expected, "rb") as f:
        a = f.read()
    with open(args.got, "rb") as f:
        b = f.read()
    if a == b:
        print("identical: %d bytes" % len(a))
        return 0
    if len(a) != len(b):
        print("size: expected %d bytes, got %d" % (len(a), len(b)))
    n = min(len(a), len(b))
    ranges, i = [], 0
    while i < n:
        if a[i] != b[i]:
            j = i
            while j < n and a[j] != b[j]:
                j += 1
            if ranges and i - ranges[-1][1] < 16:
                ranges[-1][1] = j
            else:
                ranges.append([i, j])
            i = j
        else:
            i += 1
    total = sum(e - s for s, e in ranges)
    print("%d differing byte ranges (%d bytes in them) in the first %d bytes" % (len(ranges), total, n))
    for s, e in ranges[:8]:
        w = min(e - s, 16)
        print("  0x%x-0x%x (%d bytes): %s" % (s, e, e - s, describe(a, s)))
        print("    expected %s" % a[s:s + w].hex(" "))
        print("    got      %s" % b[s:s + w].hex(" "))
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("outdir")
    m.add_argument("--variant", choices=("elf64", "elf32", "corrupt", "edge", "elf32-edge"), default="elf64")
    m.add_argument("--corrupt", choices=CORRUPT_KINDS, default="magic")
    m.add_argument("--seed", type=int, default=1)
    m.add_argument("--base", default="0x08000000")
    c = sub.add_parser("check")
    c.add_argument("dump")
    c.add_argument("outdir")
    c.add_argument("--memmap", action="store_true")
    m = sub.add_parser("model")
    m.add_argument("outdir")
    m.add_argument("outfile")
    d = sub.add_parser("diff")
    d.add_argument("expected")
    d.add_argument("got")
    args = ap.parse_args()
    sys.exit({"make": cmd_make, "check": cmd_check, "model": cmd_model, "diff": cmd_diff}[args.cmd](args))


if __name__ == "__main__":
    main()
