#!/bin/bash
# salvage boots through QEMU's multiboot loader (-kernel): the a.out-kludge header puts it at
# 2 MiB, it relocates itself, reads the multiboot memory map and command line, sends the dump
# over serial (rebuilt by salvage-recv) and reboots (QEMU exits: -no-reboot); on a q35 machine
# salvage.done=poweroff powers off and console=ttyS1 moves the log. Also checks the
# image's shape: ET_DYN linked at 0, only R_386_RELATIVE relocations, file offset == address.
set -u
. "$(dirname "$0")/../lib/qemu.sh"
. "$(dirname "$0")/../lib/boot.sh"
qemu_init boot-multiboot

# The image itself.
hdr=$(readelf -h build/salvage.elf)
grep -q 'Type: *DYN' <<<"$hdr" && ok "salvage.elf is ET_DYN" || not_ok "salvage.elf is ET_DYN" "$(grep Type <<<"$hdr")"
others=$(readelf -rW build/salvage.elf | awk '/^[0-9a-f]+ +[0-9a-f]+ +R_386_/ && $3 != "R_386_RELATIVE"' | head -3)
[ -z "$others" ] && ok "only R_386_RELATIVE relocations" || not_ok "only R_386_RELATIVE relocations" "$others"
check "loadable bytes are raw-loadable (offset == address)" salvage_image "$T/img"
loads=$(readelf -lW build/salvage.elf | awk '$1 == "LOAD"')
bad=$(while read -r _ off _ pa _; do (( off != pa || off % 4096 )) && echo "$off $pa"; done <<<"$loads")
first=$(awk 'NR == 1 { print $4 }' <<<"$loads")
[ -z "$bad" ] && [ "$first" = 0x00000000 ] && ok "PT_LOADs page-aligned, p_paddr from 0" ||
	not_ok "PT_LOADs page-aligned, p_paddr from 0" "$loads"
# Multiboot header: flags with bit 16, load_addr 2 MiB, entry = 2 MiB + e_entry.
mb=$(python3 - <<'PY'
import struct
f = open("build/salvage.elf", "rb").read()
for o in range(0, 8192, 4):
    m, fl, ck = struct.unpack_from("<III", f, o)
    if m == 0x1BADB002 and (m + fl + ck) & 0xffffffff == 0:
        h, la, le, be, en = struct.unpack_from("<5I", f, o + 12)
        print("flags=%#x header=%#x load=%#x entry_off=%#x" % (fl, h - la - o, la, en - la))
        break
PY
)
entry=$(readelf -h build/salvage.elf | awk '/Entry point/ { print $4 }')
[ "$mb" = "flags=0x10003 header=0x0 load=0x200000 entry_off=$entry" ] &&
	ok "multiboot a.out-kludge header loads at 2 MiB" || not_ok "multiboot a.out-kludge header loads at 2 MiB" "$mb (entry $entry)"

# Boot it. 5 MiB is the smallest RAM that holds the image (1.87 MiB with every buffer) at 2 MiB.
QEMU_ARCH=i386 qemu_run mb 120 -m 5 -kernel build/salvage.elf -append "salvage.done=reboot" \
	-serial file:"$T/mb.serial"
[ "$QEMU_RC" = 0 ] && ok "QEMU exited by salvage's reboot" || not_ok "QEMU exited by salvage's reboot" "rc $QEMU_RC"
S=$T/mb.serial
require "$S" '^salvage: salvage at 0x200000-0x[0-9a-f]+000, booted by multiboot$' "loaded at 2 MiB by multiboot"
require "$S" '^salvage: memory: 0x0000100000-0x00004e0000 RAM \(1\)$' "multiboot memory map read"
require "$S" '^salvage: clock: TSC at [1-9][0-9]*\.[0-9]{3} MHz$' "TSC calibrated"
require "$S" '^salvage: serial: sent [0-9]+ bytes' "dump sent over serial"
require "$S" '^salvage: rebooting$' "reboots when done"
forbid "$S" 'salvage: (error|warning):' "no errors or warnings (image name dropped from the command line)"
forbid "$S" 'exception' "no CPU exception"
if build/salvage-recv -t 0 -o "$T/vmcore" "$S" >"$T/recv.out" 2>&1; then
	ok "salvage-recv rebuilds the dump"
	readelf -h "$T/vmcore" | grep -q 'Type: *CORE' && ok "dump is an ELF core" || not_ok "dump is an ELF core" "$(readelf -h "$T/vmcore" 2>&1 | head -3)"
else
	not_ok "salvage-recv rebuilds the dump" "$(tail -3 "$T/recv.out")"
fi

# q35 (ICH9): poweroff through the ACPI PM port, log moved to ttyS1 (ttyS0 keeps the first lines).
QEMU_ARCH=i386 qemu_run q35 120 -M q35 -m 8 -kernel build/salvage.elf \
	-append "console=ttyS1 salvage.done=poweroff salvage.bogus=$(printf '\033')[2J" \
	-serial file:"$T/s0" -serial file:"$T/s1"
[ "$QEMU_RC" = 0 ] && ok "q35: QEMU exited (powered off)" || not_ok "q35: QEMU exited (powered off)" "rc $QEMU_RC"
require "$T/s0" '^salvage: console: moving to ttyS1 at 115200 baud$' "q35: ttyS0 says where the log went"
forbid "$T/s0" 'serial: sent' "q35: nothing more on ttyS0"
require "$T/s0" '^salvage: warning: .*salvage\.bogus=\?\[2J' "q35: control characters in a log line replaced"
if grep -a '^salvage: ' "$T/s0" "$T/s1" | grep -q "$(printf '\033')"; then
	not_ok "q35: no raw control characters in log lines" "ESC found"
else
	ok "q35: no raw control characters in log lines"
fi
require "$T/s1" '^salvage: console: ttyS1 at 115200 baud$' "q35: log continues on ttyS1"
require "$T/s1" '^salvage: serial: sent [0-9]+ bytes' "q35: dump sent on the console port ttyS1"
require "$T/s1" '^salvage: powering off$' "q35: powers off"
forbid "$T/s1" 'power off did not work|salvage: error:' "q35: power off worked, no errors"
finish
