#!/bin/bash
# salvage's TFTP over a bad path: a UDP relay (tests/lib/udp-relay.py) between QEMU and the server
# drops 5% or 20% of datagrams both ways, duplicates and reorders some; the file must still arrive
# byte for byte equal to Linux's /proc/vmcore, with tftpd-hpa (lock-step) and atftpd (windows). Every
# NIC driver (tests/lib/nics.sh) meets loss: the drivers take the three cases in turn.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init tftp-lossy
. tests/lib/synthetic.sh
. tests/lib/tftp.sh
. tests/lib/nics.sh
synthetic_need

synthetic_plant elf64 --variant elf64
synthetic_oracle

run() { # NAME NIC SERVER DROP DUP REORDER SEED OPTIONS
	local name=$1 nic=$2 server=$3 drop=$4 dup=$5 reorder=$6 seed=$7 opts=$8 dir
	dir=$(tftp_dir "$name")
	if [ "$server" = hpa ]; then tftp_hpa "$dir" -c; else tftp_atftpd "$dir"; fi
	tftp_relay "$SRV_PORT" "$drop" "$dup" "$reorder" "$seed"
	tftp_salvage "$name" "$nic" 240 "elfcorehdr=$ELFCOREHDR dump=tftp://10.0.2.2:$RELAY_PORT/lossy.vmcore$opts"
	echo "# relay: $(tftp_relay_stop)"
	tr -d '\r' <"$T/$name.serial" | grep -a 'tftp: [0-9.]* s at' | sed 's/^/#   /'
	tftp_check "$name" "$dir" lossy.vmcore "$ORACLE"
	forbid "$T/$name.serial" 'target 1 failed' "$name: no fallback needed"
}
n=0
lossy() { # DRIVER DEVICE MODEL: the next of the three cases
	case $((n++ % 3)) in
	0) run "hpa-5-$1" "$2" hpa 5 2 5 11 "" ;;
	1) run "atftpd-20-$1" "$2" atftpd 20 5 10 12 "?blksize=8192&windowsize=4" ;;
	2) run "hpa-20-$1" "$2" hpa 20 5 10 13 "?blksize=8192" ;;
	esac
}
nic_each lossy
finish
