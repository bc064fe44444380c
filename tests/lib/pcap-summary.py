#!/usr/bin/env python3
"""Summarise a QEMU filter-dump pcap for the network tests: one line per ARP or DHCP frame,
e.g. "dhcp DISCOVER from 52:54:00:5a:17:0e" or "arp reply 10.0.2.2 is-at 52:55:0a:00:02:02 to
52:54:00:5a:17:0e", and "udp <src>:<sport> -> <dst>:<dport> from <mac>" for other UDP frames.
Usage: pcap-summary.py FILE.pcap"""
import struct
import sys

DHCP_TYPES = {1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK", 7: "RELEASE"}


def mac(b):
    return ":".join(f"{x:02x}" for x in b)


def ip(b):
    return ".".join(str(x) for x in b)


def frames(data):
    if len(data) < 24:
        raise SystemExit("pcap-summary: file shorter than a pcap header")
    magic = struct.unpack("<I", data[:4])[0]
    if magic not in (0xA1B2C3D4, 0xA1B23C4D):
        raise SystemExit(f"pcap-summary: bad magic {magic:#x}")
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        if off + 16 + incl > len(data):
            break  # truncated last record (QEMU killed mid-write)
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def dhcp_type(udp_payload):
    opts = udp_payload[240:]  # BOOTP fixed part (236) + magic cookie (4)
    i = 0
    while i < len(opts) and opts[i] != 255:
        if opts[i] == 0:
            i += 1
            continue
        if i + 1 >= len(opts):
            break
        if opts[i] == 53 and i + 2 < len(opts):
            return DHCP_TYPES.get(opts[i + 2], str(opts[i + 2]))
        i += 2 + opts[i + 1]
    return "?"


def main():
    for f in frames(open(sys.argv[1], "rb").read()):
        if len(f) < 14:
            continue
        dst, src, etype = f[0:6], f[6:12], struct.unpack(">H", f[12:14])[0]
        if etype == 0x0806 and len(f) >= 42:
            op = struct.unpack(">H", f[20:22])[0]
            if op == 1:
                print(f"arp request who-has {ip(f[38:42])} from {mac(src)}")
            elif op == 2:
                print(f"arp reply {ip(f[28:32])} is-at {mac(f[22:28])} to {mac(dst)}")
        elif etype == 0x0800 and len(f) >= 34 and f[23] == 17:
            ihl = (f[14] & 0xF) * 4
            u = 14 + ihl
            if len(f) < u + 8:
                continue
            sport, dport = struct.unpack(">HH", f[u:u + 4])
            if {sport, dport} == {67, 68}:
                print(f"dhcp {dhcp_type(f[u + 8:])} from {mac(src)}")
            else:
                print(f"udp {ip(f[26:30])}:{sport} -> {ip(f[30:34])}:{dport} from {mac(src)}")


if __name__ == "__main__":
    main()
