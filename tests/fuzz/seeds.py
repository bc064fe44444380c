#!/usr/bin/env python3
"""Write the first seeds of the fuzz corpora (tests/fuzz/corpus/<target>/seed-*), shaped like the unit
tests' inputs (tests/unit/test_*.c): good inputs each parser accepts, which libFuzzer then mutates.
Usage: tests/fuzz/seeds.py [target...]   (frame and recv seeds need build/fuzz/frame-seeds, built here)."""
import os
import struct
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")


def put(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


def note(name, ntype, desc):
    n = name.encode() + b"\0"
    pad = lambda b: b + b"\0" * (-len(b) % 4)
    return struct.pack("<III", len(n), len(desc), ntype) + pad(n) + pad(desc)


VMCOREINFO = (b"OSRELEASE=6.1.0-test\nPAGESIZE=4096\nCRASHTIME=1767225600\n"
              b"SYMBOL(init_uts_ns)=ffffffff82a1b2c0\n")


# ---- elfcore: the input is the header at 0x1000000; RAM at 0x100000 (64 KiB)
def elf64(phdrs, notes_at, blob, flags=0, level=0):
    eh = bytearray(b"\x7fELF" + bytes([2, 1, 1]) + bytes(9))
    eh[14] = flags
    eh[15] = level
    eh += struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, len(phdrs), 0, 0, 0)
    body = bytes(eh) + b"".join(struct.pack("<IIQQQQQQ", *p) for p in phdrs)
    body += b"\0" * (notes_at - len(body))
    return body + blob


def elf32(phdrs, notes_at, blob):
    eh = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
    eh += struct.pack("<HHIIIIIHHHHHH", 4, 3, 1, 0, 52, 0, 0, 52, 32, len(phdrs), 0, 0, 0)
    body = eh + b"".join(struct.pack("<IIIIIIII", *p) for p in phdrs)
    body += b"\0" * (notes_at - len(body))
    return body + blob


def seeds_elfcore():
    H, M = 0x1000000, 0x100000
    cpu0 = note("CORE", 1, bytes(range(1, 256)) + bytes(81)) + bytes(32)   # 336-byte prstatus, padded
    cpu1 = note("CORE", 1, bytes([7]) * 336)
    vmci = note("VMCOREINFO", 0, VMCOREINFO)
    blob = cpu0 + cpu1 + vmci
    o0, o1, o2 = 0x200, 0x200 + len(cpu0), 0x200 + len(cpu0) + len(cpu1)
    PT_LOAD, PT_NOTE = 1, 4
    ph = [(PT_NOTE, 0, H + o0, 0, 0, len(cpu0), len(cpu0), 0),
          (PT_NOTE, 0, H + o1, 0, 0, len(cpu1), len(cpu1), 0),
          (PT_NOTE, 0, H + o2, 0, 0, len(vmci), len(vmci), 0),
          (PT_LOAD, 7, M, 0xffff888000100000, M, 0x8000, 0x8000, 0),
          (PT_LOAD, 7, M + 0x8000, 0xffff888000108000, M + 0x8000, 0x8000, 0x8000, 0)]
    put("elfcore", "elf64", elf64(ph, 0x200, blob))
    put("elfcore", "elf64-sized-level1", elf64(ph, 0x200, blob, flags=1, level=1))
    # kexec-tools' backup region: a PT_LOAD whose bytes are elsewhere (p_offset != p_paddr)
    ph2 = ph[:3] + [(PT_LOAD, 7, M + 0x4000, 0xffff888000000000, 0, 0x4000, 0x4000, 0),
                    (PT_LOAD, 7, M, 0xffff888000004000, 0x4000, 0x3000, 0x5000, 0)]
    put("elfcore", "elf64-backup", elf64(ph2, 0x200, blob))
    ph32 = [(PT_NOTE, H + 0x100, 0, 0, len(cpu0), len(cpu0), 0, 0),
            (PT_NOTE, H + 0x100 + len(cpu0), 0, 0, len(vmci), len(vmci), 0, 0),
            (PT_LOAD, M, 0xc0100000, M, 0x10000, 0x10000, 7, 0)]
    put("elfcore", "elf32", elf32(ph32, 0x100, cpu0 + vmci))


# ---- bootinfo: first byte 0 multiboot / 1 Linux, then memory at 0x10000
def seeds_bootinfo():
    A = 0x10000
    cmd = b"/boot/salvage.elf console=ttyS1 dump=serial dump=tftp://10.0.2.2/vmcore-%m " \
          b"ip=10.0.2.15:10.0.2.2:10.0.2.2:255.255.255.0 backup=0xa0000@0:0x1000000\0"
    mmap = b"".join(struct.pack("<IQQI", 20, b, l, t) for b, l, t in
                    [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0x100000, 0x7ee0000, 1), (0xfffc0000, 0x40000, 2)])
    mods = struct.pack("<IIII", 0x1000000, 0x1001000, A + 0x380, 0)
    mbi = struct.pack("<IIIIIII16xII", 1 | 4 | 8 | 64, 639, 130048, 0, A + 0x100, 1, A + 0x300,
                      len(mmap), A + 0x200)
    mem = bytearray(0x400)
    mem[0:len(mbi)] = mbi
    mem[0x100:0x100 + len(cmd)] = cmd
    mem[0x200:0x200 + len(mmap)] = mmap
    mem[0x300:0x300 + len(mods)] = mods
    mem[0x380:0x380 + 12] = b"elfcorehdr\0\0"
    put("bootinfo", "multiboot", b"\0" + bytes(mem))
    bp = bytearray(4096 + 256)
    struct.pack_into("<I", bp, 0x228, A + 4096)
    e820 = [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0x100000, 0x7ee0000, 1), (0x100000000, 0x40000000, 1)]
    bp[0x1e8] = len(e820)
    for i, (b, l, t) in enumerate(e820):
        struct.pack_into("<QQI", bp, 0x2d0 + 20 * i, b, l, t)
    c = b"elfcorehdr=123K console=ttyS0 dump.level=31 acpi_rsdp=0xf5a40\0"
    bp[4096:4096 + len(c)] = c
    put("bootinfo", "linux", b"\1" + bytes(bp))


# ---- memmap: self_start, self_end, command line, e820 entries
def seeds_memmap():
    def mm(cmd, ranges, self_=(0x2000000, 0x2140000)):
        return struct.pack("<QQ", *self_) + cmd + b"\0" + b"".join(struct.pack("<QQI", *r) for r in ranges)
    ram = [(0, 0x9fc00, 1), (0x9fc00, 0x400, 2), (0x100000, 0x7ee0000, 1), (0xfffc0000, 0x40000, 2)]
    put("memmap", "plain", mm(b"", ram))
    put("memmap", "backup", mm(b"backup=0xa0000@0:0x100000", ram))
    put("memmap", "two-backups-high", mm(b"backup=64K@0x1000:0x110000 backup=4K@0x100000:0x108000",
                                         ram + [(0x100000000, 0x10000000, 1)]))


# ---- mkcorehdr: files separated by lines "@@"
def seeds_mkcorehdr():
    iomem = (b"00000000-00000fff : Reserved\n00001000-0009fbff : System RAM\n000a0000-000bffff : PCI Bus 0000:00\n"
             b"00100000-7ffdffff : System RAM\n  01000000-01e00000 : Kernel code\n  02000000-021fffff : Crash kernel\n"
             b"100000000-17fffffff : System RAM\n")
    kallsyms = (b"ffffffff81000000 T _text\nffffffff81000000 T _stext\nffffffff82a1b2c0 D init_uts_ns\n"
                b"ffffffff83400000 B _end\n")
    eh = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9) + struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, 3, 0, 0, 0)
    ph = [(4, 0, 0x1000, 0, 0, 0x100, 0, 0),
          (1, 7, 0x2000, 0xffffffff81000000, 0, 0x2400000, 0x2400000, 0x1000),
          (1, 7, 0x100, 0xffff888000000000, 0, 0x7ffe0000, 0x7ffe0000, 0x1000)]
    kcore = eh + b"".join(struct.pack("<IIQQQQQQ", *p) for p in ph)
    kcore += b"\0" * (0x100 - len(kcore))   # VMCOREINFO note at physical 0: the direct map's file offset
    kcore += note("VMCOREINFO", 0, VMCOREINFO)
    files = [iomem, kallsyms, kcore, b"0 %x\n" % (len(note("VMCOREINFO", 0, VMCOREINFO))),
             b"3fc1a2b00\n", b"368\n", b"3fc1c2b00\n", b"368\n"]
    put("mkcorehdr", "two-cpus", b"\n@@\n".join(f if f.endswith(b"\n") else f + b"\n" for f in files))
    put("mkcorehdr", "iomem-only", iomem)


# ---- frame and recv: real frames from dump/frame.c's encoder (build/fuzz/frame-seeds)
FRAME_SEEDS_C = r'''
#include <stdio.h>
#include <string.h>
#include "dump/frame.h"
static struct frame_enc e;
static void out(const char *l, size_t n) { fwrite(l, 1, n, stdout); }
int main(void)
{
	static uint8_t buf[3 * 4096];
	char line[FRAME_LINE_MAX];
	uint8_t dg[SHA256_DIGEST_SIZE];
	size_t p = 0, used, n;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = i < 4096 ? (uint8_t)(i * 7 / 13) : i < 8192 ? "salvage "[i % 8] : 0;
	frame_enc_init(&e, FRAME_RUNS | FRAME_LZ);
	printf("salvage: dumping 16384 bytes over serial\r\n");
	out(line, frame_header(&e, sizeof(buf) + 4096, 0x5eed, line));
	while (p < sizeof(buf)) {
		n = frame_data(&e, p, buf + p, sizeof(buf) - p, p % 4096, &used, line);
		out(line, n);
		p += used;
	}
	out(line, frame_run(&e, sizeof(buf), 0xff, 4096, line));
	memset(dg, 0, sizeof(dg));
	out(line, frame_end(&e, sizeof(buf) + 4096, dg, line));
	return 0;
}
'''


def seeds_frames():
    exe = os.path.join(ROOT, "build", "fuzz", "frame-seeds")
    src = exe + ".c"
    os.makedirs(os.path.dirname(exe), exist_ok=True)
    with open(src, "w") as f:
        f.write(FRAME_SEEDS_C)
    subprocess.check_call(["gcc", "-std=gnu11", "-O1", "-I" + ROOT, "-o", exe, src,
                           os.path.join(ROOT, "dump", "frame.c"), os.path.join(ROOT, "lib", "sha256.c")])
    cap = subprocess.check_output([exe])
    lines = cap.split(b"\n")
    put("frame", "lines", cap)
    for i, l in enumerate(lines[1:4]):
        put("frame", "line%d" % i, l + b"\n")
    put("recv", "capture", cap)
    # the same capture with a logger's prefixes, a lost line and a duplicate
    noisy = b"".join(b"[ttyS0] " + l + b"\n" for i, l in enumerate(lines) if i != 5) + lines[7] + b"\n"
    put("recv", "capture-noisy", noisy)


def seeds_cmdline():
    for name, line in [
            ("kexec-elf", b"console=ttyS1,38400n8 dump=tftp://10.0.2.2:6969/vmcore-%m-%t dump=serial "
                          b"elfcorehdr=2096124K memmap=exactmap acpi_rsdp=0xf5a40"),
            ("kexec-file", b"elfcorehdr=4K@0x1000000 dump.level=31 salvage.done=halt salvage.fault=2"),
            ("ip-static", b"ip=10.0.2.15:10.0.2.2:10.0.2.1:255.255.255.0:box:eth0:off "
                          b"dump=tftp://192.168.1.5/a/b.core?blksize=1428&windowsize=4 \"dump=tftp://10.0.0.1/with space\""),
            ("backup", b"backup=0xa0000@0:0x1000000 backup=64K@0x1000:0x2000000 ip=dhcp dump=serial:ttyS2,9600"),
            ("ip-auto", b"dump=tftp://10.0.2.2/x ip=10.0.2.15:10.0.2.2::255.255.255.0::eth1:off "
                        b"salvage.nic=52:54:00:5a:17:b2 salvage.nic=52:54:00:5A:17")]:
        put("cmdline", name, line)


# ---- recipient: age1... recipients (age-keygen's), their upper case, a secret key, BIP 173 strings
def seeds_recipient():
    for name, s in [
            ("age1", b"age1w87xuj3sq3cp76exnng5qq9qnud7qcsl69tkv7n9lnk6n0ssrfss0pgrfx"),
            ("age1-upper", b"AGE1W87XUJ3SQ3CP76EXNNG5QQ9QNUD7QCSL69TKV7N9LNK6N0SSRFSS0PGRFX"),
            ("age1-typo", b"age1w87xuj3sq3cp76exnng5qq9qnud7qcsl69tkv7n9lnk6n0ssrfss0pgrfq"),
            ("secret-key", b"AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0"),
            ("bip173-valid", b"abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw"),
            ("bip173-long", b"an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs"),
            ("bip173-empty-data", b"A12UEL5L")]:
        put("recipient", name, s)


# ---- tftp: path, size byte, then one server action per poll (see tests/fuzz/fuzz_tftp.c)
def seeds_tftp():
    ack_last = b"\x02\x07\x07"          # ACK the last DATA block, then let the client send
    def oack(opts):
        return b"\x03" + bytes([len(opts)]) + opts
    opts = b"blksize\0" + b"1024\0" + b"windowsize\0" + b"2\0" + b"tsize\0" + b"8192\0" + b"timeout\0" + b"1\0"
    put("tftp", "oack", b"dumps/vmcore-%m-%t\0\x04" + oack(opts) + ack_last * 12 +
        oack(b"blksize\0" + b"512\0") + ack_last * 4)
    put("tftp", "plain", b"core?blksize=1428&windowsize=2\0\x01" + b"\x05" + ack_last * 30 + b"\x05" + ack_last * 4)
    put("tftp", "error8-then-plain", b"x\0\x00" + b"\x04\x08\x15Options not supported" + b"\x05" + ack_last * 20)
    put("tftp", "error-mid", b"x\0\x02" + oack(b"blksize\0" + b"2048\0") + ack_last * 2 +
        b"\x04\x03\x20Disk full or allocation exceeded")
    put("tftp", "stray-lossy", b"d/%%v\0\x03" + oack(opts) + b"\x12" + b"\x00\x80" + ack_last * 3 +
        b"\x42\x02\x00\x05" + ack_last * 8 + b"\x01\x04\x00\x04\x00\x01" + ack_last * 8)
    # written, then read back: the size of the dump and of its digest file in an OACK to the read request
    put("tftp", "stored", b"core\0\x01" + b"\x05" + ack_last * 14 + b"\x05" + ack_last * 2 +
        oack(b"tsize\0" + b"6144\0") + b"\x07" * 3 + oack(b"tsize\0" + b"71\0"))
    put("tftp", "stored-short", b"core\0\x01" + b"\x05" + ack_last * 14 + oack(b"tsize\0" + b"4096\0"))
    put("tftp", "icmp-port-unreachable", b"vmcore\0\x01" + b"\x06\x03")
    put("tftp", "icmp-host-unreachable-late", b"vmcore\0\x01" + b"\x05" + ack_last * 3 + b"\x06\x01")


# ---- filter: level, flags, VMCOREINFO, patches over 1 MiB of zeroed RAM (see tests/fuzz/fuzz_filter.c)
def seeds_filter():
    DIRECT, VMEMMAP, TEXT = 0xffff888000000000, 0xffffea0000000000, 0xffffffff80000000
    PGT, PDPT_D, PDPT_V, PD_V, PT_V, ROOTS, SECTIONS, SP = (0x10000, 0x11000, 0x12000, 0x13000, 0x16000,
                                                          0x14000, 0x15000, 0x20000)
    info = (b"OSRELEASE=6.1.0-test\nSYMBOL(mem_section)=%x\nLENGTH(mem_section)=4096\n"
            b"SIZE(mem_section)=32\nOFFSET(mem_section.section_mem_map)=0\nNUMBER(SECTION_SIZE_BITS)=27\n"
            b"NUMBER(MAX_PHYSMEM_BITS)=46\nSIZE(page)=64\nOFFSET(page.flags)=0\nOFFSET(page._mapcount)=48\n"
            b"OFFSET(page.private)=40\nOFFSET(page.compound_head)=8\nNUMBER(PAGE_BUDDY_MAPCOUNT_VALUE)=-129\n"
            b"NUMBER(PG_slab)=9\nNUMBER(phys_base)=0\nSYMBOL(init_top_pgt)=%x\n"
            b"NUMBER(pgtable_l5_enabled)=0\nLENGTH(zone.free_area)=11\nOFFSET(page.mapping)=24\n"
            b"OFFSET(page.compound_dtor)=16\nOFFSET(page.compound_order)=17\nNUMBER(PG_lru)=4\nNUMBER(PG_private)=13\n"
            b"NUMBER(PG_swapcache)=10\nNUMBER(PG_swapbacked)=19\nNUMBER(PG_head_mask)=65536\n"
            b"NUMBER(HUGETLB_PAGE_DTOR)=2\nNUMBER(PAGE_OFFLINE_MAPCOUNT_VALUE)=-257\nNUMBER(PG_hwpoison)=23\n"
            ) % (DIRECT + ROOTS, TEXT + PGT)

    def patch(addr, data, n=None):
        return struct.pack("<IHB", addr, n if n is not None else len(data), len(data)) + data

    def q(v):
        return struct.pack("<Q", v)

    base = [patch(PGT + ((DIRECT >> 39) & 511) * 8, q(PDPT_D | 3)), patch(PDPT_D, q(0x83)),
            patch(PGT + ((VMEMMAP >> 39) & 511) * 8, q(PDPT_V | 3)), patch(PDPT_V, q(PD_V | 3)),
            patch(PD_V, q(PT_V | 3)), patch(PT_V, b"".join(q((SP + i * 4096) | 3) for i in range(8))),
            patch(ROOTS, q(DIRECT + SECTIONS)), patch(SECTIONS, q(VMEMMAP | 3)),
            patch(0x30000, b"\xa5", 0x8000)]      # some non-zero pages

    def page(flags=0, head=0, mapping=0, priv=0, mapcount=0xffffffff):
        return struct.pack("<QQQQQQIIQ", flags, head, 0, mapping, 0, priv, mapcount, 0, 0)

    LRU, PRIVATE, HEAD, HWPOISON, SWAPCACHE, SWAPBACKED = 1 << 4, 1 << 13, 1 << 16, 1 << 23, 1 << 10, 1 << 19
    FILE_MAPPING, ANON_MAPPING = 0xffff888001234500, 0xffff888001234601
    used = patch(SP, page(), 256 * 64)      # every page of the 1 MiB in use

    def seed(name, level, patches, flags=0):
        put("filter", name, bytes([level, flags]) + struct.pack("<H", len(info)) + info +
            b"".join(base) + used + b"".join(patches))

    seed("free", 16, [patch(SP + 128 * 64, page(priv=7, mapcount=0xffffff7f)),
                      patch(0x80000, b"\x11", 0x1000)])
    seed("cache-user", 31, [patch(SP + 128 * 64, page(flags=LRU, mapping=FILE_MAPPING), 64 * 64),
                            patch(SP + 192 * 64, page(flags=LRU | SWAPBACKED, mapping=ANON_MAPPING), 64 * 64),
                            patch(0x80000, b"\x22", 0xf000)], flags=1)
    head = page(flags=HEAD | LRU, mapping=ANON_MAPPING)
    tail = page(head=(VMEMMAP + 128 * 64) | 1)
    tail1 = bytearray(tail)
    tail1[16] = 2
    tail1[17] = 7
    seed("compound-hugetlb", 8, [patch(SP + 128 * 64, head), patch(SP + 129 * 64, tail, 127 * 64),
                                 patch(SP + 129 * 64, bytes(tail1))])
    seed("hwpoison-private", 6, [patch(SP + 150 * 64, page(flags=HWPOISON)),
                                 patch(SP + 151 * 64, page(flags=LRU | PRIVATE | SWAPCACHE, mapping=FILE_MAPPING), 105 * 64)])
    seed("zero", 1, [], flags=1)


# ---- recv --unflatten: a flattened kdump stream (makedumpfile -F): header, (offset, size, data)
# records, the end record
def seeds_flat():
    hdr = bytearray(4096)
    hdr[0:12] = b"makedumpfile"
    struct.pack_into(">QQ", hdr, 16, 1, 1)
    recs = [(0, b"KDUMP   " + bytes(56)), (0x2000, b"\x11" * 300), (0x1000, b"\x22" * 10)]
    body = b"".join(struct.pack(">QQ", o, len(d)) + d for o, d in recs)
    put("recv", "flattened", bytes(hdr) + body + b"\xff" * 16)
    put("recv", "flattened-cut", bytes(hdr) + body[:40])


# ---- seed: salvage-load's seed segment (crypto/seed.h): magic, u32 length, bytes
def seeds_seed():
    def seg(n, say=None, magic=b"salvage-seed"):
        return magic + struct.pack("<I", n if say is None else say) + bytes((i * 37 + 5) & 255 for i in range(n))
    put("seed", "good-64", seg(64))
    put("seed", "good-32", seg(32))
    put("seed", "good-256", seg(256))
    put("seed", "bad-magic", seg(64, magic=b"salvage-seeD"))
    put("seed", "short", seg(64)[:10])
    put("seed", "too-few", seg(16))
    put("seed", "oversize", seg(64, say=1 << 20))
    put("seed", "length-mismatch", seg(64, say=63))
    put("seed", "zeroed", b"salvage-seed" + struct.pack("<I", 64) + bytes(64))


# ---- dmesg: flags (bit 0 i386, bits 1-7 console lines), VMCOREINFO, patches over 1 MiB of zeroed
# RAM (see tests/fuzz/fuzz_dmesg.c and tests/unit/test_dmesg.c): a lockless ring and a log_buf
def seeds_dmesg():
    DIRECT, TEXT, I386 = 0xffff888000000000, 0xffffffff80000000, 0xc0000000
    PGT, PDPT_D, PDPT_T, PRB, RB, DESCS, INFOS, DATA = 0x1000, 0x2000, 0x3000, 0x4000, 0x5000, 0x6000, 0x8000, 0x10000
    COUNT_BITS, SIZE_BITS = 4, 10
    COUNT, DSZ = 1 << COUNT_BITS, 1 << SIZE_BITS

    def patches(mem):
        out = b""
        for addr, data in mem:
            for i in range(0, len(data), 255):
                chunk = data[i:i + 255]
                out += struct.pack("<IHB", addr + i, len(chunk), len(chunk)) + chunk
        return out

    def pgt():
        return [(PGT + ((DIRECT >> 39) & 511) * 8, struct.pack("<Q", PDPT_D | 3)), (PDPT_D, struct.pack("<Q", 0x83)),
                (PGT + ((TEXT >> 39) & 511) * 8, struct.pack("<Q", PDPT_T | 3)),
                (PDPT_T + ((TEXT >> 30) & 511) * 8, struct.pack("<Q", 0x83))]

    def ring(w, texts, lines):
        dva = lambda pa: (DIRECT if w == 8 else I386) + pa
        tva = lambda pa: (TEXT if w == 8 else I386) + pa
        wp = lambda v: struct.pack("<Q" if w == 8 else "<I", v)
        mask = ((1 << (8 * w)) - 1) >> 2
        info = ("OSRELEASE=6.1.0-test\nSYMBOL(prb)=%x\nSIZE(printk_ringbuffer)=%u\n"
                "OFFSET(printk_ringbuffer.desc_ring)=0\nOFFSET(printk_ringbuffer.text_data_ring)=%u\n"
                "OFFSET(prb_desc_ring.count_bits)=0\nOFFSET(prb_desc_ring.descs)=%u\nOFFSET(prb_desc_ring.infos)=%u\n"
                "OFFSET(prb_desc_ring.head_id)=%u\nOFFSET(prb_desc_ring.tail_id)=%u\nSIZE(prb_desc)=%u\n"
                "OFFSET(prb_desc.state_var)=0\nOFFSET(prb_desc.text_blk_lpos)=%u\nOFFSET(prb_data_blk_lpos.begin)=0\n"
                "OFFSET(prb_data_blk_lpos.next)=%u\nSIZE(printk_info)=88\nOFFSET(printk_info.ts_nsec)=8\n"
                "OFFSET(printk_info.text_len)=16\nOFFSET(prb_data_ring.size_bits)=0\nOFFSET(prb_data_ring.data)=%u\n"
                "OFFSET(atomic_long_t.counter)=0\nSYMBOL(init_top_pgt)=ffffffff80001000\nNUMBER(phys_base)=0\n"
                % (tva(PRB), 88 if w == 8 else 44, 48 if w == 8 else 24, w, 2 * w, 3 * w, 4 * w, 3 * w, w, w, w)).encode()
        data, descs, infos = bytearray(DSZ), bytearray(COUNT * 3 * w), bytearray(COUNT * 88)
        lpos, first = 0, (mask - 5) & mask
        for i, t in enumerate(texts):
            rid = (first + i) & mask
            idx, size = rid % COUNT, (w + len(t) + w - 1) // w * w
            begin, nxt = lpos, lpos + size
            data[begin % DSZ:begin % DSZ + w] = wp(rid)
            at = begin % DSZ
            if begin // DSZ != nxt // DSZ:
                nxt = nxt // DSZ * DSZ + size
                data[0:w] = wp(rid)
                at = 0
            data[at + w:at + w + len(t)] = t
            lpos = nxt
            descs[idx * 3 * w:(idx + 1) * 3 * w] = wp(2 << (8 * w - 2) | rid) + wp(begin) + wp(nxt)
            infos[idx * 88 + 8:idx * 88 + 18] = struct.pack("<QH", i * 1000001000, len(t))
        head = (first + len(texts) - 1) & mask
        tail = (head - min(len(texts), COUNT) + 1) & mask
        tr = 48 if w == 8 else 24
        rb = bytearray(88)
        rb[0:4] = struct.pack("<I", COUNT_BITS)
        rb[w:2 * w], rb[2 * w:3 * w], rb[3 * w:4 * w], rb[4 * w:5 * w] = wp(dva(DESCS)), wp(dva(INFOS)), wp(head), wp(tail)
        rb[tr:tr + 4] = struct.pack("<I", SIZE_BITS)
        rb[tr + w:tr + 2 * w] = wp(dva(DATA))
        mem = (pgt() if w == 8 else []) + [(PRB, wp(dva(RB))), (RB, bytes(rb)), (DESCS, bytes(descs)),
                                           (INFOS, bytes(infos)), (DATA, bytes(data))]
        return bytes([(w == 4) | lines << 1]) + struct.pack("<H", len(info)) + info + patches(mem)

    texts = [b"Linux version 6.1.0-test", b"two\nlines\tand \x01 \xc3\xa9"] + \
            [b"record %d %s" % (i, b"abcdefghijklmnopqrstuvwxyz"[:i % 23]) for i in range(40)] + \
            [b"Kernel panic - not syncing: sysrq triggered crash"]
    put("dmesg", "ring64", ring(8, texts, 5))
    put("dmesg", "ring32", ring(4, texts, 50))
    put("dmesg", "ring64-short", ring(8, texts[:3], 3))

    # log_buf (3.5-5.9): records wrapped at a zero-length marker
    LOGBUF, VARS = 0x20000, 0x4000
    info = ("OSRELEASE=4.19.0-test\nSYMBOL(log_buf)=%x\nSYMBOL(log_buf_len)=%x\nSYMBOL(log_first_idx)=%x\n"
            "SYMBOL(log_next_idx)=%x\nSIZE(printk_log)=16\nOFFSET(printk_log.ts_nsec)=0\nOFFSET(printk_log.len)=8\n"
            "OFFSET(printk_log.text_len)=10\nSYMBOL(init_top_pgt)=ffffffff80001000\nNUMBER(phys_base)=0\n"
            % (TEXT + VARS, TEXT + VARS + 8, TEXT + VARS + 12, TEXT + VARS + 16)).encode()
    buf = bytearray(256)

    def rec(idx, ts, t):
        n = (16 + len(t) + 7) // 8 * 8
        buf[idx:idx + 16] = struct.pack("<QHH4x", ts, n, len(t))
        buf[idx + 16:idx + 16 + len(t)] = t
        return idx + n
    i = rec(160, 1000, b"oldest record")
    i = rec(i, 2000, b"second\nline")
    i = rec(0, 3000000, b"after the wrap")
    i = rec(i, 4000000, b"newest")
    mem = pgt() + [(VARS, struct.pack("<QIII", DIRECT + LOGBUF, 256, 160, i)), (LOGBUF, bytes(buf))]
    put("dmesg", "log-buf", bytes([3 << 1]) + struct.pack("<H", len(info)) + info + patches(mem))


ALL = {"seed": seeds_seed, "cmdline": seeds_cmdline, "flat": seeds_flat, "tftp": seeds_tftp, "filter": seeds_filter, "elfcore": seeds_elfcore, "bootinfo": seeds_bootinfo, "memmap": seeds_memmap,
       "mkcorehdr": seeds_mkcorehdr, "frame": seeds_frames, "recipient": seeds_recipient, "dmesg": seeds_dmesg}
for t in sys.argv[1:] or ALL:
    ALL[t]()
