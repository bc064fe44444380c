"""Ethernet frames for the test peers on a QEMU `-netdev socket,udp=...` wire (eth-peer.py,
nic-stop-peer.py): the Internet checksum, an IPv4 header, the answer to an ARP request."""
import struct


def csum(data):
    """RFC 1071 checksum of data."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip_header(src, dst, proto, length, ident, frag=0):
    """A 20-byte IPv4 header, checksummed, for length bytes of payload."""
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + length, ident & 0xFFFF, frag, 64, proto, 0, src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:]


def arp_reply(frame, ip, mac):
    """The reply to frame when it is an ARP request for ip (4 bytes), else None."""
    if (len(frame) < 42 or struct.unpack("!H", frame[12:14])[0] != 0x0806 or
            struct.unpack("!H", frame[20:22])[0] != 1 or frame[38:42] != ip):
        return None
    return (frame[6:12] + mac + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) +
            mac + ip + frame[22:28] + frame[28:32])
