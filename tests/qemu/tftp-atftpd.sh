#!/bin/bash
# salvage sends the synthetic crash dump to atftpd, which grants RFC 7440 windowsize on write
# requests: windowsize 32 and 8 at the largest block sizes whose window fits salvage's 128 KiB window
# buffer, 8 at a small block size, and a window that must shrink to fit (blksize 65464, windowsize 8
# asked: 2 granted), on e1000 and virtio-net; every file equals Linux's /proc/vmcore byte for byte and
# passes `sha256sum -c`, and salvage read it back.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init tftp-atftpd
. tests/lib/synthetic.sh
. tests/lib/tftp.sh
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
run e1000-w32 e1000 4096 32
run virtio-w8 virtio-net-pci 16384 8
run e1000-small-w8 e1000 1468 8
run virtio-shrunk virtio-net-pci 65464 8 2
require "$T/virtio-shrunk.serial" "windowsize lowered to 2" "virtio-shrunk: the window shrinks to fit the window buffer, with a warning"
finish
