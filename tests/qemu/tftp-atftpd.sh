#!/bin/bash
# salvage sends the synthetic crash dump to atftpd, which grants RFC 7440 windowsize on write
# requests: windowsize 32 and 8 at the largest block sizes whose window fits salvage's 128 KiB window
# buffer, 8 at a small block size, and a window that must shrink to fit (blksize 65464, windowsize 8
# asked: 2 granted): windowsize 32 on every NIC driver (tests/lib/nics.sh), the others on one each;
# every file equals Linux's /proc/vmcore byte for byte and
# passes `sha256sum -c`, and salvage read it back.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init tftp-atftpd
. tests/lib/synthetic.sh
. tests/lib/tftp.sh
. tests/lib/nics.sh
synthetic_need

synthetic_plant elf64 --variant elf64
synthetic_oracle
srv=$(tftp_dir srv)
tftp_atftpd "$srv"

run() { # NAME NIC BLKSIZE WINDOW [WINDOW_GRANTED]
	local name=$1 nic=$2 blk=$3 win=$4 got=${5:-$4}
	tftp_salvage "$name" "$nic" 180 \
		"elfcorehdr=$ELFCOREHDR dump=tftp://10.0.2.2:$SRV_PORT/$name.vmcore?blksize=$blk&windowsize=$win"
	require "$T/$name.serial" "tftp: [0-9.]+ s at blksize $blk, windowsize $got," \
		"$name: atftpd granted blksize $blk, windowsize $got"
	tftp_check "$name" "$srv" "$name.vmcore" "$ORACLE"
	require "$T/$name.serial" "tftp: wrote '$name.vmcore.sha256'; read back: the server holds the whole dump and this file" \
		"$name: salvage read the dump's size and the digest file back"
	echo "# $nic blksize $blk windowsize $win: $(tftp_rate "$name") MB/s"
}
w32() { run "$1-w32" "$2" 4096 32; }
nic_each w32
nic_pick 1 && run "$NIC_DRIVER-w8" "$NIC_DEVICE" 16384 8
nic_pick 2 && run "$NIC_DRIVER-small-w8" "$NIC_DEVICE" 1468 8
nic_pick 3 && run "$NIC_DRIVER-shrunk" "$NIC_DEVICE" 65464 8 2
require "$T/$NIC_DRIVER-shrunk.serial" "windowsize lowered to 2" "$NIC_DRIVER-shrunk: the window shrinks to fit the window buffer, with a warning"
finish
