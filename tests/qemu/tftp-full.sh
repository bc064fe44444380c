#!/bin/bash
# Stored, not just acknowledged: a TFTP server whose disk fills up must not cost the dump. A 4 MiB tmpfs
# with 1 MiB free is the server's directory, `dump=tftp://... dump=serial`: tftpd-hpa acknowledges every
# block and keeps what fits, atftpd answers "Disk full"; either way salvage must say the TFTP target
# failed and run the serial target, whose dump salvage-recv rebuilds complete and equal to Linux's
# /proc/vmcore. And when the server refuses to give the file back, salvage says so in one warning line
# and counts the target as done.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init tftp-full
. tests/lib/synthetic.sh
. tests/lib/tftp.sh
synthetic_need

synthetic_plant elf64 --variant elf64
synthetic_oracle

# small_disk NAME: dir=$T/NAME, a 4 MiB tmpfs with 3 MiB of it taken (unmounted at exit; not to be
# called in a $(...) subshell, which would lose the at_exit).
small_disk() {
	dir=$T/$1
	mkdir -p "$dir"
	mount -t tmpfs -o size=4m,mode=777 tmpfs "$dir" || { not_ok "$1: mount a 4 MiB tmpfs" "needs root"; finish; }
	at_exit "umount -l '$dir'"
	head -c 3M /dev/zero >"$dir/filler"
}

full() { # NAME: boot salvage against the server on SRV_PORT, then check the serial dump
	local name=$1
	tftp_salvage "$name" e1000 240 "elfcorehdr=$ELFCOREHDR dump=tftp://10.0.2.2:$SRV_PORT/vmcore dump=serial"
	require "$T/$name.serial" "target 1 failed.*trying the next" "$name: the TFTP target failed, the next one ran"
	forbid "$T/$name.serial" "tftp: wrote" "$name: no claim that the dump was written"
	synthetic_recv "$name" && synthetic_compare "$name" "$ORACLE" "Linux's /proc/vmcore (over serial after the disk filled)"
}

small_disk hpa
tftp_hpa "$dir" -c
full hpa
require "$T/hpa.serial" "tftp: the server holds [0-9]+ bytes as 'vmcore', not the $(stat -c %s "$ORACLE") sent \(its disk full\?\): the dump is not safe there" \
	"hpa: the short file named (tftpd-hpa acknowledged every block)"
echo "# tftpd-hpa kept $(stat -c %s "$dir/vmcore" 2>/dev/null) of $(stat -c %s "$ORACLE") bytes"

small_disk atftpd
tftp_atftpd "$dir"
full atftpd
require "$T/atftpd.serial" "tftp: server refused 'vmcore': error 3: |tftp: the server holds [0-9]+ bytes as 'vmcore'" \
	"atftpd: the full disk reported"

# A write-only server (a tftpd-hpa map file refusing every read): salvage cannot confirm what it stored,
# says so in one warning line and counts the target as done. (tftpd-hpa without --permissive creates
# files with mode 0666 and refuses reads only of files not world-readable, so in its usual setups the
# read-back is allowed.)
srv=$(tftp_dir writeonly)
echo 'aG .*' >"$T/writeonly.map"
tftp_hpa "$srv" -c -m "$T/writeonly.map"
tftp_salvage writeonly e1000 120 "elfcorehdr=$ELFCOREHDR dump=tftp://10.0.2.2:$SRV_PORT/vmcore dump=serial"
require "$T/writeonly.serial" "warning: tftp: the server cannot confirm that it stored all of 'vmcore' \(reading it back: error [0-9]+: [A-Za-z]+.*\); counting the target as done" \
	"writeonly: one line says the server cannot confirm, and why"
n=$(grep -ac "warning: tftp" "$T/writeonly.serial")
[ "$n" = 1 ] && ok "writeonly: exactly one TFTP warning" || not_ok "writeonly: exactly one TFTP warning" "$n"
forbid "$T/writeonly.serial" "target 1 failed" "writeonly: the TFTP target counts as done"
tftp_check writeonly "$srv" vmcore "$ORACLE"
finish
