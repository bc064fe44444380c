#!/bin/bash
# Real crash captured over serial: Debian's kernel (KASLR, 2 CPUs, 128 MiB) loads salvage with
# salvage-load (kexec -p --type elf-x86 --args-linux, dump=serial on the console port ttyS0),
# crashes with sysrq-c; salvage's framed lines are interleaved with the console log in one capture
# and salvage-recv rebuilds the exact file (SHA-256 checked), which must pass the same checks as
# the TFTP dumps. The slowest test: QEMU's UART under TCG carries a few hundred KB/s, and about
# 90 MiB of this dump is not zero (the kernel image appears twice: text mapping and RAM).
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-crash-serial
. tests/lib/linux-crash.sh

MEM=${LC_MEM:-128}
lc_prepare
CK=${LC_CK:-$(lc_min_ck elf)}

lc_boot ser 860 "$T/guest.gz" "$MEM" "$CK" \
	"t.mode=salvage t.seed=$LC_SEED t.mib=$LC_MIB t.load=--dump,serial,--done,reboot"
if lc_time_crash ser; then
	ok "ser: Linux crashed (sysrq) after ${LC_CRASH_SECS}s"
	[ "$QEMU_RC" = 124 ] && not_ok "ser: salvage finished the serial dump" "QEMU timed out; $(grep -a 'salvage: serial:' "$T/ser.serial" | tail -n 1)"
	echo "# serial: crashkernel=$CK, crash to salvage up ${LC_UP_SECS}s, to complete dump ${LC_DONE_SECS}s wall ($(tr -d '\r' <"$T/ser.serial" | grep -a 'salvage: serial: sent' | cut -c1-120))"
	if lc_recv ser "$T/ser.core"; then
		ok "ser: salvage-recv rebuilt a complete, digest-checked dump ($(stat -c %s "$T/ser.core") bytes) from the mixed console capture"
		lc_check_dump ser "$T/ser.core" --prstatus "$LC_SMP"
	else
		not_ok "ser: salvage-recv rebuilt the dump" "$(tail -n 3 "$T/ser.recv" | tr '\n' ' ')"
	fi
else
	lc_no_crash ser "ser: Linux crashed"
fi
finish
