#!/bin/bash
# A NIC salvage is done with is stopped: no DMA after its driver's stop. For every NIC driver
# (tests/lib/nics.sh), a
# host peer on a QEMU socket wire refuses salvage's TFTP write (so the target fails over to serial);
# once salvage logs that it stopped the NIC, the peer floods the guest's MAC and the broadcast address
# with frames carrying marker B, through the whole serial dump and the halt after it. Guest RAM saved
# at the end through the monitor must hold no marker B (a running NIC writes every frame into a
# receive buffer), but must hold marker A, the one frame the peer sent while the NIC still ran: the
# search finds what a NIC wrote. The guest must send nothing after the stop either.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init nic-stop
. tests/lib/net.sh
. tests/lib/nics.sh

# monitor NAME COMMAND: one HMP command on QEMU NAME's monitor socket, its answer in $T/NAME.mon.log.
monitor() {
	python3 - "$T/$1.mon" "$2" >>"$T/$1.mon.log" 2>&1 <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(30)
s.sendall(sys.argv[2].encode() + b"\n")
out, end = b"", time.time() + 30
while time.time() < end and out.count(b"(qemu)") < 2:
    try:
        b = s.recv(4096)
    except socket.timeout:
        break
    if not b:
        break
    out += b
print(out.decode(errors="replace"))
PY
}

flood_stopped() { # DRIVER DEVICE MODEL
	local name=$1 dev=$2 peer qport ma mb ppid n sent after
	peer=$(free_port udp)
	qport=$(free_port udp)
	ma=NICSTOPA$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	mb=NICSTOPB$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	python3 tests/lib/nic-stop-peer.py "$peer" "$qport" 10.0.2.2 "$ma" "$mb" "$T/$name.go" "$T/$name.end" 200 \
		>"$T/$name.peer" 2>&1 &
	ppid=$!
	at_exit "kill $ppid"
	qemu_start "$name" 200 -m 32 -kernel build/salvage.elf -monitor "unix:$T/$name.mon,server,nowait" \
		-append "ip=10.0.2.77::10.0.2.2:255.255.255.0 dump=tftp://10.0.2.2/x dump=serial salvage.done=halt" \
		-netdev "socket,id=n0,udp=127.0.0.1:$peer,localaddr=127.0.0.1:$qport" \
		-device "$dev,netdev=n0,mac=$NET_MAC" -serial "file:$T/$name.serial"
	# salvage logs the failover after the stop: the flood starts there, stop line or not.
	wait_for "$T/$name.serial" 'target 1 failed' 90 "$name" && touch "$T/$name.go"
	require "$T/$name.serial" "net: $name at pci [0-9a-f:.]+ stopped" "$name: the NIC was stopped when its TFTP target failed"
	wait_for "$T/$name.serial" 'salvage: halting' 150 "$name" ||
		not_ok "$name: salvage halted after the serial dump" "no 'halting' line"
	sleep 2		# the flood goes on into the halted machine
	monitor "$name" "pmemsave 0 0x2000000 \"$T/$name.ram\""
	touch "$T/$name.end"
	wait "$ppid"
	qemu_stop "$name"
	sed 's/^/# peer: /' "$T/$name.peer"
	require "$T/$name.serial" 'target 1 failed .*trying the next' "$name: the refused TFTP target failed over"
	require "$T/$name.serial" 'serial: sent [0-9]+ bytes' "$name: the serial target ran after it"
	n=$(grep -c "$ma" "$T/$name.ram" 2>/dev/null)
	[ "${n:-0}" -gt 0 ] && ok "$name: marker A, received before the stop, is in guest RAM (the search works)" ||
		not_ok "$name: marker A, received before the stop, is in guest RAM" "${n:-no RAM image}"
	sent=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["marker_b_sent"])' "$T/$name.peer" 2>/dev/null)
	after=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["guest_frames_after_go"])' "$T/$name.peer" 2>/dev/null)
	[ "${sent:-0}" -ge 200 ] && ok "$name: the peer flooded the stopped NIC ($sent frames)" ||
		not_ok "$name: the peer flooded the stopped NIC" "${sent:-no} frames"
	if [ -f "$T/$name.ram" ] && ! grep -q "$mb" "$T/$name.ram"; then
		ok "$name: no frame sent after the stop reached guest RAM (no DMA)"
	else
		not_ok "$name: no frame sent after the stop reached guest RAM (no DMA)" \
			"$( [ -f "$T/$name.ram" ] && echo "marker B found $(grep -c "$mb" "$T/$name.ram") times" || echo "no RAM image")"
	fi
	[ "${after:-x}" = 0 ] && ok "$name: the guest sent nothing after the stop" ||
		not_ok "$name: the guest sent nothing after the stop" "${after:-?} frames"
	rm -f "$T/$name.ram"
}
nic_each flood_stopped
finish
