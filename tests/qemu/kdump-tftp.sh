#!/bin/bash
# dump.format=kdump over TFTP against an exact oracle: a synthetic crash state is planted and Linux
# boots on it (its /proc/vmcore is the reference, tests/lib/oracle.sh); salvage's own kdump producer
# run on the host over that file (tests/lib/kdump-host.c) gives the flattened stream salvage must send.
# salvage sends it with every compressor (lzo, zlib, zstd, none) through a UDP relay that drops 5% or 20%
# of datagrams both ways, duplicates and reorders some (tests/lib/udp-relay.py), to tftpd-hpa
# (lock-step) and atftpd (windows): the file must arrive byte for byte, its digest must check, and
# makedumpfile -R must rebuild it.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init kdump-tftp
. tests/lib/synthetic.sh
. tests/lib/tftp.sh
synthetic_need

synthetic_plant elf64 --variant elf64
synthetic_oracle

ccf=$(make -s print-compress-host-cflags) lib=$(make -s print-compress-host-lib)
if ! make -s compress-host >"$T/kh.log" 2>&1 ||
	! gcc -std=gnu11 -O2 -fsanitize=address,undefined -I. -Itests/unit $ccf -o "$T/kdump-host" tests/lib/kdump-host.c \
		dump/kdump.c dump/format.c dump/compress.c dump/crash.c dump/filter.c dump/stream.c dump/progress.c lib/sha256.c \
		tests/unit/shim.c $lib >>"$T/kh.log" 2>&1; then
	not_ok "kdump-host builds" "$(tail -n 3 "$T/kh.log")"
	finish
fi

run() { # NAME NIC SERVER DROP DUP REORDER SEED COMPRESS OPTIONS
	local name=$1 nic=$2 server=$3 drop=$4 dup=$5 reorder=$6 seed=$7 comp=$8 opts=$9 dir ref=$T/$8.flat i
	[ -s "$ref" ] || "$T/kdump-host" 0 "$comp" "$ORACLE" "$ref" >"$T/$comp.host.log" 2>&1 ||
		{ not_ok "$name: kdump-host $comp on the oracle" "$(tail -n 2 "$T/$comp.host.log")"; return; }
	dir=$(tftp_dir "$name")
	if [ "$server" = hpa ]; then tftp_hpa "$dir" -c; else tftp_atftpd "$dir"; fi
	tftp_relay "$SRV_PORT" "$drop" "$dup" "$reorder" "$seed"
	tftp_salvage "$name" "$nic" 240 \
		"elfcorehdr=$ELFCOREHDR dump.format=kdump dump.compress=$comp dump=tftp://10.0.2.2:$RELAY_PORT/k.flat$opts"
	echo "# $name: relay: $(tftp_relay_stop)"
	tr -d '\r' <"$T/$name.serial" | grep -a 'salvage: kdump\|tftp: [0-9.]* s at' | sed 's/^/#   /'
	for i in $(seq 30); do	# tftpd-hpa writes the last block after the final ACK
		cmp -s "$ref" "$dir/k.flat" 2>/dev/null && [ -s "$dir/k.flat.sha256" ] && break
		sleep 0.2
	done
	check "$name: the $comp stream arrived byte for byte as the host's producer made it ($(stat -c %s "$ref") bytes)" \
		cmp "$ref" "$dir/k.flat"
	check "$name: sha256sum -c k.flat.sha256 passes" sh -c "cd '$dir' && sha256sum -c --status k.flat.sha256"
	check "$name: makedumpfile -R rebuilds it" sh -c "makedumpfile -R '$T/$name.kdump' < '$dir/k.flat' >/dev/null 2>&1"
	forbid "$T/$name.serial" 'target 1 failed|instead of' "$name: no fallback needed"
	rm -f "$T/$name.kdump"
}
run lzo-hpa-5 e1000 hpa 5 2 5 21 lzo ""
run zlib-atftpd-20 virtio-net-pci atftpd 20 5 10 22 zlib "?blksize=8192&windowsize=4"
run none-hpa-20 e1000 hpa 20 5 10 23 none "?blksize=8192"
run zstd-atftpd-5 e1000 atftpd 5 2 5 24 zstd "?blksize=8192&windowsize=4"
finish
