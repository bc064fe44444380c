#!/bin/bash
# salvage boots from GRUB's multiboot loader: an ISO made with grub-mkrescue (BIOS GRUB) whose
# menu entry loads build/salvage.elf; GRUB obeys the a.out-kludge header (2 MiB), passes the
# command line (with the image path first) and its memory map; salvage sends the dump and reboots.
set -u
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init boot-grub

for tool in grub-mkrescue xorriso mformat; do
	command -v $tool >/dev/null || { not_ok "grub iso" "$tool missing (make deps)"; finish; }
done
mkdir -p "$T/iso/boot/grub"
cp build/salvage.elf "$T/iso/boot/salvage.elf"
cat >"$T/iso/boot/grub/grub.cfg" <<'CFG'
set timeout=0
set default=0
menuentry "salvage" {
	multiboot /boot/salvage.elf salvage.done=reboot dump=serial
	boot
}
CFG
if grub-mkrescue -o "$T/salvage.iso" "$T/iso" >"$T/mkrescue.out" 2>&1; then
	ok "grub-mkrescue made an ISO"
else
	not_ok "grub-mkrescue made an ISO" "$(tail -3 "$T/mkrescue.out")"; finish
fi

QEMU_ARCH=i386 qemu_run grub 180 -m 8 -cdrom "$T/salvage.iso" -boot d -serial file:"$T/grub.serial"
S=$T/grub.serial
[ "$QEMU_RC" = 0 ] && ok "QEMU exited by salvage's reboot" || not_ok "QEMU exited by salvage's reboot" "rc $QEMU_RC"
require "$S" '^salvage: salvage at 0x200000-0x[0-9a-f]+000, booted by multiboot$' "GRUB loaded it at 2 MiB"
require "$S" '^salvage: memory: 0x0000100000-0x[0-9a-f]{10} RAM \(1\)$' "GRUB's memory map read"
require "$S" '^salvage: serial: sent [0-9]+ bytes' "dump sent over serial"
require "$S" '^salvage: rebooting$' "command line obeyed (reboot)"
forbid "$S" 'salvage: (error|warning):|exception' "no errors, warnings or exceptions"
build/salvage-recv -t 0 -o "$T/core" "$S" >"$T/recv.out" 2>&1 && ok "salvage-recv rebuilds the dump" ||
	not_ok "salvage-recv rebuilds the dump" "$(tail -3 "$T/recv.out")"
finish
