#!/usr/bin/env python3
"""Compare salvage's dump.level output with `makedumpfile -E -d LEVEL` of the same full dump.

Usage: filter-compare.py SALVAGE.core MAKEDUMPFILE.core [--label L]
Both must have the same PT_NOTE bytes and the same PT_LOADs (p_paddr, p_vaddr, p_memsz) in the same
order; p_filesz equal, except where makedumpfile drops a segment's partial last page (not a whole
page: salvage keeps it), and the same bytes for every byte both files hold. Prints TAP lines.
"""
import struct
import sys

PAGE = 4096


def phdrs(path):
    with open(path, 'rb') as f:
        data = f.read(64)
        if data[:4] != b'\x7fELF' or data[4] != 2:
            raise SystemExit(f'{path}: not an ELF64 file')
        phoff, = struct.unpack_from('<Q', data, 32)
        phentsize, phnum = struct.unpack_from('<HH', data, 54)
        f.seek(phoff)
        raw = f.read(phentsize * phnum)
    out = []
    for i in range(phnum):
        t, fl, off, va, pa, fs, ms, al = struct.unpack_from('<IIQQQQQQ', raw, i * phentsize)
        out.append(dict(type=t, offset=off, vaddr=va, paddr=pa, filesz=fs, memsz=ms))
    return out


def main():
    args = sys.argv[1:]
    label = 'dump.level'
    if '--label' in args:
        i = args.index('--label')
        label = args[i + 1]
        del args[i:i + 2]
    sal, mdf = args
    ps, pm = phdrs(sal), phdrs(mdf)
    fails = 0

    def check(cond, what, why=''):
        nonlocal fails
        if cond:
            print(f'ok {label}: {what}')
        else:
            fails += 1
            print(f'not ok {label}: {what}: {why}')
        return cond

    ls = [p for p in ps if p['type'] == 1]
    lm = [p for p in pm if p['type'] == 1]
    ns = [p for p in ps if p['type'] == 4]
    nm = [p for p in pm if p['type'] == 4]
    check(len(ls) == len(lm), f'{len(ls)} PT_LOADs, as makedumpfile -E', f'makedumpfile has {len(lm)}')
    with open(sal, 'rb') as fs, open(mdf, 'rb') as fm:
        if check(len(ns) == 1 and len(nm) == 1, 'one PT_NOTE each'):
            fs.seek(ns[0]['offset'])
            fm.seek(nm[0]['offset'])
            check(ns[0]['filesz'] == nm[0]['filesz'] and
                  fs.read(ns[0]['filesz']) == fm.read(nm[0]['filesz']), 'the same notes')
        layout_bad, bytes_bad, partial, kept = [], [], 0, 0
        for i, (a, b) in enumerate(zip(ls, lm)):
            if (a['paddr'], a['vaddr'], a['memsz']) != (b['paddr'], b['vaddr'], b['memsz']):
                layout_bad.append(f"load {i}: salvage {a['paddr']:#x}+{a['memsz']:#x} "
                                  f"makedumpfile {b['paddr']:#x}+{b['memsz']:#x}")
                continue
            n = a['filesz']
            if a['filesz'] != b['filesz']:
                tail = (a['paddr'] + a['memsz']) % PAGE
                if tail and a['filesz'] == a['memsz'] and b['filesz'] == a['memsz'] - tail:
                    partial += 1
                    n = b['filesz']
                else:
                    layout_bad.append(f"load {i} at {a['paddr']:#x}: p_filesz {a['filesz']:#x} vs {b['filesz']:#x}")
                    continue
            kept += n
            pos = 0
            while pos < n:
                k = min(1 << 20, n - pos)
                fs.seek(a['offset'] + pos)
                fm.seek(b['offset'] + pos)
                x, y = fs.read(k), fm.read(k)
                if x != y:
                    j = next(j for j in range(k) if j >= len(x) or j >= len(y) or x[j] != y[j])
                    bytes_bad.append(f"load {i}: first difference at paddr {a['paddr'] + pos + j:#x}")
                    break
                pos += k
        check(not layout_bad, 'the same p_paddr/p_vaddr/p_memsz/p_filesz for every PT_LOAD'
              + (f' (salvage keeps {partial} partial last page(s) makedumpfile drops)' if partial else ''),
              '; '.join(layout_bad[:4]))
        check(not bytes_bad, f'the same {kept} bytes of memory kept', '; '.join(bytes_bad[:4]))
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
