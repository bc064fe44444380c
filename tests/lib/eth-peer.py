#!/usr/bin/env python3
"""A host on the other end of a QEMU `-netdev socket,udp=...` wire (one UDP datagram per Ethernet
frame, loopback only) for the network tests: answers ARP for its own address, then pings the guest
with an ICMP echo request large enough to need IP fragmentation, and checks that the guest's reply
came back, fragmented too, with the same payload. Prints "ok ..."/"not ok ..." lines.

Usage: eth-peer.py LISTEN_PORT QEMU_PORT GUEST_IP PEER_IP PAYLOAD_BYTES SECONDS"""
import os
import socket
import struct
import sys
import time

from ethwire import arp_reply, csum, ip_header

PEER_MAC = bytes.fromhex("02005a170002")
BCAST = b"\xff" * 6


def main():
    listen, qemu_port, guest_ip, peer_ip, nbytes, secs = sys.argv[1:7]
    guest, peer = socket.inet_aton(guest_ip), socket.inet_aton(peer_ip)
    nbytes, deadline = int(nbytes), time.time() + float(secs)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", int(listen)))
    s.settimeout(0.2)
    dest = ("127.0.0.1", int(qemu_port))
    guest_mac = None
    payload = os.urandom(nbytes)
    ident = 0x5a17
    frags = {}
    sent_at = None
    fails = 0

    def send_ping():
        icmp = struct.pack("!BBHHH", 8, 0, 0, 0x1234, 1) + payload
        icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
        off, n = 0, 0
        while off < len(icmp):
            chunk = icmp[off:off + 1480]
            more = 0x2000 if off + len(chunk) < len(icmp) else 0
            frame = guest_mac + PEER_MAC + b"\x08\x00" + ip_header(peer, guest, 1, len(chunk), ident, more | off // 8) + chunk
            s.sendto(frame, dest)
            off, n = off + len(chunk), n + 1
        return n

    while time.time() < deadline:
        if guest_mac and sent_at is None:
            n = send_ping()
            sent_at = time.time()
            print(f"# sent a {nbytes}-byte echo request in {n} fragments")
        try:
            f, _ = s.recvfrom(65536)
        except socket.timeout:
            if sent_at and time.time() - sent_at > 3:
                sent_at = None  # resend: the guest may not have been polling yet
            continue
        if len(f) < 14:
            continue
        etype = struct.unpack("!H", f[12:14])[0]
        reply = arp_reply(f, peer, PEER_MAC)
        if reply:
            guest_mac = f[6:12]
            s.sendto(reply, dest)
        elif etype == 0x0800 and len(f) >= 34 and f[23] == 1 and f[26:30] == guest:
            guest_mac = guest_mac or f[6:12]
            ihl = (f[14] & 0xF) * 4
            total = struct.unpack("!H", f[16:18])[0]
            fr = struct.unpack("!H", f[20:22])[0]
            frags[(fr & 0x1FFF) * 8] = (bool(fr & 0x2000), f[14 + ihl:14 + total])
            # Complete when the last fragment is in and the offsets are contiguous.
            data, off, last = b"", 0, False
            while off in frags:
                more, chunk = frags[off]
                data += chunk
                off += len(chunk)
                if not more:
                    last = True
                    break
            if not last:
                continue
            if data[0] == 0 and data[8:] == payload and csum(data) == 0:
                print(f"ok guest answered a {nbytes}-byte ping: request reassembled, reply in {len(frags)} fragments")
                if len(frags) < 2:
                    print("not ok the reply was not fragmented")
                    fails += 1
                return fails
            print(f"not ok guest's echo reply differs from the request (type {data[0]}, {len(data)} bytes)")
            return 1
    print(f"not ok no complete echo reply within {secs} s (guest MAC {'seen' if guest_mac else 'never seen'})")
    return 1


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
