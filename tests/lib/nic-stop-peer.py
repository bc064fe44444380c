#!/usr/bin/env python3
"""The host on the far end of a QEMU `-netdev socket,udp=...` wire for the NIC stop test: answers ARP
for its address and refuses salvage's TFTP write request with an ERROR packet, so that target fails
at once. Just before the ERROR it sends one frame carrying marker A (salvage's NIC still runs: the
frame lands in a receive buffer, which shows that the memory search finds what the NIC wrote). Once
GO_FILE exists (the test saw salvage's "stopped" line) it floods the guest's MAC and the broadcast
address with frames carrying marker B until STOP_FILE exists, and counts the frames the guest sends
meanwhile. Prints a JSON summary on stdout at the end.

Usage: nic-stop-peer.py LISTEN_PORT QEMU_PORT PEER_IP MARKER_A MARKER_B GO_FILE STOP_FILE SECONDS"""
import json
import os
import socket
import struct
import sys
import time

from ethwire import arp_reply, ip_header

PEER_MAC = bytes.fromhex("02005a170003")
BCAST = b"\xff" * 6


def udp_frame(dst_mac, src_ip, dst_ip, sport, dport, payload, ident):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return dst_mac + PEER_MAC + b"\x08\x00" + ip_header(src_ip, dst_ip, 17, len(udp), ident) + udp


def main():
    listen, qemu_port, peer_ip, marker_a, marker_b, go_file, stop_file, secs = sys.argv[1:9]
    peer = socket.inet_aton(peer_ip)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", int(listen)))
    s.settimeout(0.001)
    dest = ("127.0.0.1", int(qemu_port))
    deadline = time.time() + float(secs)
    st = {"arp_answered": 0, "wrq": 0, "marker_a_sent": 0, "marker_b_sent": 0,
          "guest_frames_before_go": 0, "guest_frames_after_go": 0, "go": False}
    guest_mac = guest_ip = None
    ident = 1
    # Marker B frames: the payload is the marker repeated, so any one buffer holding a piece shows it.
    flood_payload = (marker_b.encode() * 64)[:1024]
    while time.time() < deadline and not os.path.exists(stop_file):
        go = os.path.exists(go_file)
        if go and not st["go"]:
            st["go"] = True
        if go and guest_ip:
            for dst in (guest_mac, BCAST):
                s.sendto(udp_frame(dst, peer, guest_ip, 40000, 40001, flood_payload, ident), dest)
                ident += 1
                st["marker_b_sent"] += 1
        try:
            f, _ = s.recvfrom(65536)
        except socket.timeout:
            continue
        if len(f) < 14:
            continue
        st["guest_frames_after_go" if go else "guest_frames_before_go"] += 1
        etype = struct.unpack("!H", f[12:14])[0]
        reply = arp_reply(f, peer, PEER_MAC)
        if reply:
            guest_mac, guest_ip = f[6:12], f[28:32]
            s.sendto(reply, dest)
            st["arp_answered"] += 1
        elif etype == 0x0800 and len(f) >= 42 and f[23] == 17 and f[30:34] == peer:
            ihl = (f[14] & 0xF) * 4
            sport, dport = struct.unpack("!HH", f[14 + ihl:18 + ihl])
            data = f[22 + ihl:]
            if data[:2] == b"\x00\x02":  # WRQ: marker A, then refuse it
                guest_mac, guest_ip = f[6:12], f[26:30]
                st["wrq"] += 1
                s.sendto(udp_frame(guest_mac, peer, guest_ip, 40000, 40001, (marker_a.encode() * 16)[:512],
                                   ident), dest)
                st["marker_a_sent"] += 1
                time.sleep(0.05)
                err = b"\x00\x05\x00\x02" + b"refused by the NIC stop test\x00"
                s.sendto(udp_frame(guest_mac, peer, guest_ip, 50000, sport, err, ident + 1), dest)
                ident += 2
    print(json.dumps(st))


if __name__ == "__main__":
    main()
