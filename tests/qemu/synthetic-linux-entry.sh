#!/bin/bash
# The kdump path on the synthetic ELF64 crash state: salvage entered as kexec's purgatory enters it
# (Linux 32-bit boot protocol, boot_params whose e820 is only the crash region, elfcorehdr=<N>K on
# cmd_line_ptr; tests/qemu/linux-entry-stub.asm plays purgatory) must send Linux's /proc/vmcore
# byte for byte, reading the crashed memory outside its own region.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init synthetic-linux-entry
. tests/lib/boot.sh
. tests/lib/synthetic.sh
synthetic_need

synthetic_plant elf64 --variant elf64
synthetic_oracle

BASE=0x1000000 RAM_START=0x1000000 RAM_END=0x1800000	# the crash region: 16-24 MiB
entry=$(salvage_image "$T/img") || { not_ok "raw image" "salvage_image failed"; finish; }
if linux_stub "$T/stub" $BASE "$entry" $RAM_START $RAM_END "elfcorehdr=$ELFCOREHDR_K dump=serial"; then
	ok "purgatory stand-in assembles"
else
	not_ok "purgatory stand-in assembles" "nasm failed"
	finish
fi
synthetic_boot entry 180 -m 256 -kernel "$T/stub" -device "loader,file=$T/img,addr=$BASE,force-raw=on"
require "$T/entry.serial" "^salvage: salvage at $BASE-0x[0-9a-f]+, booted by Linux boot protocol" \
	"entry: salvage relocated to $BASE and took the Linux entry"
require "$T/entry.serial" '^salvage: memory: 0x0001000000-0x0001800000 RAM \(1\)' "entry: e820 from boot_params"
forbid "$T/entry.serial" 'unusable|memory map instead' "entry: the elfcorehdr was accepted"
synthetic_recv entry
synthetic_compare entry "$ORACLE" "Linux's /proc/vmcore"
finish
