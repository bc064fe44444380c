#!/usr/bin/env python3
"""Compare two kdump-compressed files (x86_64 makedumpfile layout): salvage's (rebuilt with
makedumpfile -R) against makedumpfile's of the same crash. Equal: every header field makedumpfile
sets deterministically (signature, header_version, utsname, block_size, sub_hdr_size, bitmap_blocks,
max_mapnr, nr_cpus; phys_base, dump_level, max_mapnr_64, the notes and the VMCOREINFO they hold),
the 1st and the 2nd bitmap. Not compared: timestamp (makedumpfile's own clock), status (the
compressor), where the page data lies. Prints ok / not ok lines.
Usage: kdump-compare.py SALVAGE MAKEDUMPFILE --label L [--status N]"""
import argparse
import struct
import sys

PG = 4096


def header(path):
    with open(path, 'rb') as f:
        dh = f.read(464)
        f.seek(PG)
        kh = f.read(104)
        h = {
            'signature': dh[0:8],
            'header_version': struct.unpack_from('<i', dh, 8)[0],
            'utsname': [dh[12 + 65 * i:12 + 65 * (i + 1)].split(b'\0')[0] for i in range(6)],
            'status': struct.unpack_from('<I', dh, 424)[0],
            'block_size': struct.unpack_from('<i', dh, 428)[0],
            'sub_hdr_size': struct.unpack_from('<i', dh, 432)[0],
            'bitmap_blocks': struct.unpack_from('<I', dh, 436)[0],
            'max_mapnr': struct.unpack_from('<I', dh, 440)[0],
            'nr_cpus': struct.unpack_from('<i', dh, 460)[0],
            'phys_base': struct.unpack_from('<Q', kh, 0)[0],
            'dump_level': struct.unpack_from('<i', kh, 8)[0],
            'max_mapnr_64': struct.unpack_from('<Q', kh, 96)[0],
        }
        off_vmci, size_vmci, off_note, size_note = struct.unpack_from('<QQQQ', kh, 32)
        f.seek(off_note)
        h['notes'] = f.read(size_note)
        f.seek(off_vmci)
        h['vmcoreinfo'] = f.read(size_vmci)
        half = h['bitmap_blocks'] // 2 * PG
        f.seek((1 + h['sub_hdr_size']) * PG)
        h['bitmap1'] = f.read(half)
        h['bitmap2'] = f.read(half)
    return h


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('salvage')
    ap.add_argument('makedumpfile')
    ap.add_argument('--label', default='kdump')
    ap.add_argument('--status', type=int, help='the status (compressor flag) salvage must have')
    a = ap.parse_args()
    fails = 0
    try:
        s, m = header(a.salvage), header(a.makedumpfile)
    except (OSError, struct.error) as e:
        print(f'not ok {a.label}: headers readable: {e}')
        return 1
    for k in ('signature', 'header_version', 'utsname', 'block_size', 'sub_hdr_size', 'bitmap_blocks',
              'max_mapnr', 'nr_cpus', 'phys_base', 'dump_level', 'max_mapnr_64', 'notes', 'vmcoreinfo'):
        if s[k] == m[k]:
            shown = s[k] if not isinstance(s[k], bytes) or len(s[k]) < 40 else f'{len(s[k])} bytes'
            print(f'ok {a.label}: {k} equal ({shown})')
        else:
            print(f'not ok {a.label}: {k}: salvage {s[k]!r:.200} != makedumpfile {m[k]!r:.200}')
            fails += 1
    for k in ('bitmap1', 'bitmap2'):
        ns, nm = (sum(bin(b).count('1') for b in x) for x in (s[k], m[k]))
        if s[k] == m[k]:
            print(f'ok {a.label}: {k} identical ({ns} pages)')
        else:
            diff = next(i for i in range(min(len(s[k]), len(m[k]))) if s[k][i] != m[k][i]) \
                if len(s[k]) == len(m[k]) else -1
            print(f'not ok {a.label}: {k} differs: salvage {ns} pages, makedumpfile {nm}; '
                  f'first differing byte {diff} (pfn 0x{max(diff, 0) * 8:x})')
            fails += 1
    if a.status is not None:
        if s['status'] == a.status:
            print(f'ok {a.label}: status 0x{s["status"]:x}')
        else:
            print(f'not ok {a.label}: status 0x{s["status"]:x}, want 0x{a.status:x}')
            fails += 1
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
