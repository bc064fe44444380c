#!/bin/bash
# A TFTP target that cannot take the dump must hand over to the next target within a bounded time:
# `dump=tftp://... dump=serial` with (1) a port that swallows everything (silence: salvage gives up
# after its 30 s bound), (2) a server that refuses the write (tftpd-hpa without -c: an ERROR packet, at
# once) and (3) a port nobody listens on (QEMU's user network answers ICMP port unreachable: within
# 2 s). Every time the serial dump that follows must be complete and equal Linux's /proc/vmcore.
# (4) A refused TFTP target followed by a good one: the NIC is stopped after the first and brought up
# afresh (reset again) for the second, which gets the whole dump.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init tftp-fallback
. tests/lib/synthetic.sh
. tests/lib/tftp.sh
. tests/lib/nics.sh
synthetic_need

synthetic_plant elf64 --variant elf64
synthetic_oracle

# (1) Something holds the port and never answers.
down=$(free_port udp)
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1]))); time.sleep(600)' "$down" &
at_exit "kill $!"
udp_wait_bound "$down" || not_ok "down: a socket holds port $down"
tftp_salvage down e1000 150 "elfcorehdr=$ELFCOREHDR dump=tftp://10.0.2.2:$down/vmcore dump=serial"
require "$T/down.serial" "tftp: no answer from the server for 3[0-9] s" "down: TFTP gave up on silence after ~30 s"
require "$T/down.serial" "target 1 failed.*trying the next" "down: moved on to the serial target"
synthetic_recv down && synthetic_compare down "$ORACLE" "Linux's /proc/vmcore (over serial after TFTP failed)"
[ "${BOOT_SECS%.*}" -lt 90 ] && ok "down: whole run bounded (${BOOT_SECS} s < 90 s)" ||
	not_ok "down: whole run bounded" "${BOOT_SECS} s"

# (2) The server answers with an error: no -c, so it may not create the file.
srv=$(tftp_dir srv)
tftp_hpa "$srv"
tftp_salvage refused virtio-net-pci 120 "elfcorehdr=$ELFCOREHDR dump=tftp://10.0.2.2:$SRV_PORT/vmcore dump=serial"
require "$T/refused.serial" "tftp: server refused 'vmcore': error [0-9]+: [A-Za-z]" "refused: the server's error code and text logged"
require "$T/refused.serial" "target 1 failed.*trying the next" "refused: moved on to the serial target"
forbid "$T/refused.serial" "no answer from the server" "refused: no waiting for a timeout"
synthetic_recv refused && synthetic_compare refused "$ORACLE" "Linux's /proc/vmcore (over serial after TFTP failed)"
[ ! -e "$srv/vmcore" ] && ok "refused: nothing written on the server" || not_ok "refused: nothing written on the server"

# (3) Nobody listens on the port: ICMP port unreachable ends the target within 2 s of the request.
closed=$(free_port udp)
tftp_salvage closed e1000 150 "elfcorehdr=$ELFCOREHDR dump=tftp://10.0.2.2:$closed/vmcore dump=serial"
require "$T/closed.serial" "tftp: 10.0.2.2 port $closed cannot be reached for 'vmcore': ICMP port unreachable" \
	"closed: the ICMP port unreachable named"
ms=$(tr -d '\r' <"$T/closed.serial" | sed -n "s/.*tftp: sending 'vmcore' failed (-[0-9]*) after 0 of [0-9]* bytes, \([0-9]*\) ms after the request.*/\1/p")
[ -n "$ms" ] && [ "$ms" -lt 2000 ] && ok "closed: target ended $ms ms after the request (< 2 s)" ||
	not_ok "closed: target ended within 2 s of the request" "${ms:-no failure line} ms"
require "$T/closed.serial" "target 1 failed.*trying the next" "closed: moved on to the serial target"
forbid "$T/closed.serial" "no answer from the server" "closed: no waiting for a timeout"
synthetic_recv closed && synthetic_compare closed "$ORACLE" "Linux's /proc/vmcore (over serial after TFTP failed)"

# (4) The refusing server of (2), then one that takes the file, on the NIC list's third driver.
good=$(tftp_dir good)
refusing=$SRV_PORT
tftp_hpa "$good" -c
nic_pick 2
tftp_salvage again "$NIC_DEVICE" 120 \
	"elfcorehdr=$ELFCOREHDR dump=tftp://10.0.2.2:$refusing/vmcore dump=tftp://10.0.2.2:$SRV_PORT/vmcore"
require "$T/again.serial" "target 1 failed.*trying the next" "again: the refused target failed over"
n=$(grep -ac "net: $NIC_DRIVER $NIC_MODEL at pci" "$T/again.serial")
[ "$n" = 2 ] && ok "again: $NIC_DRIVER stopped after the first target and started afresh for the second" ||
	not_ok "again: $NIC_DRIVER started afresh for the second target" "$n NIC lines; $(grep -ac "net: $NIC_DRIVER at pci .* stopped" "$T/again.serial") stop lines"
require "$T/again.serial" "net: $NIC_DRIVER at pci .* stopped" "again: the stop is logged"
tftp_check again "$good" vmcore "$ORACLE"
finish
