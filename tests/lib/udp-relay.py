#!/usr/bin/env python3
"""A lossy UDP relay for TFTP tests: sits between a TFTP client (QEMU's guest, reaching 10.0.2.2:LISTEN)
and a TFTP server on 127.0.0.1:SERVER, and drops, duplicates and delays (reorders) datagrams in both
directions with given percentages, from a seeded random generator so a run can be repeated.

TFTP answers from a new server port (the transfer ID), so per client address the relay keeps its own
upstream socket: the client's request goes to SERVER, everything after it to the port the server last
answered from; the client sees every answer coming from LISTEN (its transfer ID is the relay).

Usage: udp-relay.py --listen PORT --server PORT [--drop PCT] [--dup PCT] [--reorder PCT]
                    [--delay-ms MS] [--seed N] [--stats FILE]
On SIGTERM/SIGINT it writes counts (forwarded, dropped, duplicated, delayed per direction) to FILE.
"""
import argparse
import heapq
import json
import random
import select
import signal
import socket
import sys
import time

TFTP_WRQ, TFTP_RRQ = 2, 1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", type=int, required=True)
    ap.add_argument("--server", type=int, required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--drop", type=float, default=0.0)
    ap.add_argument("--dup", type=float, default=0.0)
    ap.add_argument("--reorder", type=float, default=0.0)
    ap.add_argument("--delay-ms", type=float, default=5.0, help="extra delay of a reordered datagram")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stats")
    a = ap.parse_args()

    rng = random.Random(a.seed)
    front = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    front.bind((a.host, a.listen))
    upstream = {}     # client address -> upstream socket
    client_of = {}    # upstream socket -> client address
    tid = {}          # upstream socket -> server port of the transfer, None until it answers
    later = []        # heap of (due time, seq, socket, data, address)
    seq = 0
    stats = {d: {"in": 0, "out": 0, "dropped": 0, "duplicated": 0, "delayed": 0} for d in ("up", "down")}

    def stop(*_):
        if a.stats:
            with open(a.stats, "w") as f:
                json.dump(stats, f)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def send(direction, sock, data, addr):
        nonlocal seq
        st = stats[direction]
        st["in"] += 1
        if rng.random() * 100 < a.drop:
            st["dropped"] += 1
            return
        copies = 1
        if rng.random() * 100 < a.dup:
            copies = 2
            st["duplicated"] += 1
        for _ in range(copies):
            if rng.random() * 100 < a.reorder:
                st["delayed"] += 1
                seq += 1
                due = time.monotonic() + a.delay_ms / 1000 * (0.5 + rng.random())
                heapq.heappush(later, (due, seq, sock, data, addr, direction))
            else:
                sock.sendto(data, addr)
                st["out"] += 1

    while True:
        timeout = None
        if later:
            timeout = max(0.0, later[0][0] - time.monotonic())
        r, _, _ = select.select([front] + list(client_of), [], [], timeout)
        for s in r:
            try:
                data, addr = s.recvfrom(70000)
            except OSError:
                continue
            if s is front:
                up = upstream.get(addr)
                if up is None:
                    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    up.bind((a.host, 0))
                    upstream[addr] = up
                    client_of[up] = addr
                    tid[up] = None
                op = int.from_bytes(data[:2], "big") if len(data) >= 2 else 0
                if op in (TFTP_WRQ, TFTP_RRQ):
                    tid[up] = None
                port = tid[up] or a.server
                send("up", up, data, (a.host, port))
            else:
                if tid[s] is None:
                    tid[s] = addr[1]  # the transfer ID: the first port that answered the request
                elif addr[1] != tid[s]:
                    continue  # another server process (a duplicated request): not this transfer
                send("down", front, data, client_of[s])
        now = time.monotonic()
        while later and later[0][0] <= now:
            _, _, sock, data, addr, direction = heapq.heappop(later)
            sock.sendto(data, addr)
            stats[direction]["out"] += 1


if __name__ == "__main__":
    main()
