#!/bin/bash
# salvage sends the synthetic crash dump to a stock tftpd-hpa over TFTP (every NIC driver of
# tests/lib/nics.sh, QEMU user network): the file equals Linux's /proc/vmcore byte for byte and its .sha256 passes
# `sha256sum -c`, and salvage read both back (the dump's size, the digest file whole); small blocks work
# too, and %m/%t in the path expand to the MAC and crash time.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init tftp-hpa
. tests/lib/synthetic.sh
. tests/lib/tftp.sh
. tests/lib/nics.sh
synthetic_need

synthetic_plant elf64 --variant elf64
synthetic_oracle
srv=$(tftp_dir srv)
mkdir -p "$srv/dumps" && chmod 777 "$srv/dumps"
tftp_hpa "$srv" -c

# Default options: salvage asks blksize 65464 (IP fragments) and windowsize; tftpd-hpa grants the
# block size and ignores windowsize (lock-step).
send() { # DRIVER DEVICE MODEL
	local nic=$1
	tftp_salvage "$nic" "$2" 120 "elfcorehdr=$ELFCOREHDR dump=tftp://10.0.2.2:$SRV_PORT/$nic.vmcore"
	require "$T/$nic.serial" "net: $1 $3 at pci" "$nic: salvage drove the $1 driver"
	require "$T/$nic.serial" "tftp: [0-9.]+ s at blksize 65464, windowsize 1" "$nic: tftpd-hpa granted blksize 65464"
	tftp_check "$nic" "$srv" "$nic.vmcore" "$ORACLE"
	require "$T/$nic.serial" "tftp: wrote '$nic.vmcore.sha256'; read back: the server holds the whole dump and this file" \
		"$nic: salvage read the dump's size and the digest file back"
	echo "# $nic blksize 65464: $(tftp_rate "$nic") MB/s"
}
nic_each send

# A small block size, chosen per target, and path escapes.
tftp_salvage small e1000 180 "elfcorehdr=$ELFCOREHDR dump=tftp://10.0.2.2:$SRV_PORT/dumps/%m-%t.vmcore?blksize=1468"
f=dumps/525400123456-$CRASHTIME.vmcore
require "$T/small.serial" "tftp: [0-9.]+ s at blksize 1468, windowsize 1" "small: blksize 1468 requested and granted"
tftp_check small "$srv" "$f" "$ORACLE"
forbid "$T/small.serial" 'error|warning: tftp' "small: no TFTP errors or warnings"
echo "# e1000 blksize 1468: $(tftp_rate small) MB/s"
finish
