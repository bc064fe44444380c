#!/bin/bash
# Live dump (no crash): salvage-load --live --type multiboot loads salvage with `kexec -l` and the
# generated ELF core header, and `kexec -e` starts it while Debian's kernel is running normally;
# salvage sends the running system's memory over TFTP. The CPUs saved no crash notes (warned about,
# none in the dump), VMCOREINFO is the live note byte for byte (no CRASHTIME), the kernel log is
# readable with makedumpfile, and the pattern pages are there except any salvage's own load overwrote.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-crash-live
. tests/lib/linux-crash.sh

MEM=${LC_MEM:-128}
lc_prepare
lc_tftp_server

lc_boot live 600 "$T/guest.gz" "$MEM" 0M \
	"t.mode=live t.seed=$LC_SEED t.mib=$LC_MIB t.load=--type,multiboot,--dump,tftp://10.0.2.2:$SRV_PORT/live.vmcore,--ip,dhcp,--done,reboot" \
	"${LC_NIC_ARGS[@]}"
if wait_for "$T/live.serial" 'starting salvage with kexec -e' 240 live; then
	t0=$(date +%s.%N)
	qemu_wait live
	echo "# live: kexec -e to complete dump $(python3 -c "print(round($(date +%s.%N)-$t0,1))")s wall (TFTP)"
	require "$T/live.serial" 'salvage-load: salvage loaded for a live dump \(multiboot\)' "salvage-load --live loaded salvage with kexec -l"
	require "$T/live.serial" 'salvage: .*booted by multiboot' "kexec -e started salvage (multiboot)"
	core=$LC_TFTP_DIR/live.vmcore
	if [ -s "$core" ]; then
		ok "live dump arrived over TFTP ($(stat -c %s "$core") bytes)"
		lc_sha256_ok "$LC_TFTP_DIR/live.vmcore"
		require "$T/live.serial" 'salvage: warning: PT_NOTE 1: Zero PT_NOTE entries' "salvage warned that CPUs saved no notes"
		LC_LIVE=1 lc_check_dump live "$core" --prstatus 0 --live
	else
		lc_no_dump live "live dump arrived over TFTP" "no $core"
	fi
else
	lc_no_crash live "live: kexec -e reached" "see $T/live.serial"
fi
finish
