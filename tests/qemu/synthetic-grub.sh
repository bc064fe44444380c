#!/bin/bash
# The synthetic ELF64 crash state with salvage booted by GRUB (multiboot, from a grub-mkrescue ISO):
# the dump over serial must still be byte for byte Linux's /proc/vmcore.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init synthetic-grub
. tests/lib/synthetic.sh
synthetic_need
command -v grub-mkrescue >/dev/null || { not_ok "grub" "grub-mkrescue missing (make deps)"; finish; }

synthetic_plant elf64 --variant elf64
synthetic_oracle

mkdir -p "$T/iso/boot/grub"
cp "$SALVAGE_ELF" "$T/iso/boot/salvage.elf"
cat >"$T/iso/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry "salvage (synthetic crash)" {
	multiboot /boot/salvage.elf elfcorehdr=$ELFCOREHDR_K dump=serial
	boot
}
CFG
if grub-mkrescue -d /usr/lib/grub/i386-pc -o "$T/grub.iso" "$T/iso" >"$T/mkrescue.log" 2>&1; then
	ok "grub-mkrescue made a bootable ISO"
else
	not_ok "grub-mkrescue made a bootable ISO" "$(tail -n 3 "$T/mkrescue.log" | tr '\n' ' ')"
	finish
fi

synthetic_boot grub 240 -m 256 -cdrom "$T/grub.iso" -boot d
require "$T/grub.serial" 'booted by multiboot' "grub: salvage says GRUB booted it by multiboot"
forbid "$T/grub.serial" 'unusable|memory map instead' "grub: the elfcorehdr was accepted"
synthetic_recv grub
synthetic_compare grub "$ORACLE" "Linux's /proc/vmcore"
synthetic_readelf grub 1
finish
