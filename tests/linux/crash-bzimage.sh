#!/bin/bash
# Real crash, kexec_file_load path: Debian's kernel (KASLR on, 2 CPUs, no lockdown) holds a 16 MiB
# pattern, loads build/salvage.bzImage unsigned with `salvage-load --type bzimage` (kexec -s -p: the
# kernel's bzImage64 loader and purgatory, which enter salvage's 64-bit entry in long mode), crashes
# with sysrq-c; salvage sends the dump over TFTP. The kernel built the ELF core header and passed
# elfcorehdr=0x...; the dump gets the same checks as the other real crashes.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-crash-bzimage
. tests/lib/linux-crash.sh

MEM=${LC_MEM:-128}
lc_prepare
# Exactly what salvage-load says it needs, to the KiB: the kernel's segments must fit beside init_size.
CK=${LC_CK:-$(lc_exact_ck bzimage)}
[ -n "$CK" ] || { not_ok "salvage-load --status gives the bzImage's need" "no figure"; finish; }
lc_tftp_server

lc_boot salvage 600 "$T/guest.gz" "$MEM" "$CK" \
	"t.mode=salvage t.seed=$LC_SEED t.mib=$LC_MIB t.load=--type,bzimage,--dump,tftp://10.0.2.2:$SRV_PORT/salvage.vmcore,--ip,dhcp,--done,reboot" \
	"${LC_NIC_ARGS[@]}"
if lc_time_crash salvage; then
	ok "salvage: Linux crashed (sysrq) after ${LC_CRASH_SECS}s"
	echo "# salvage: crashkernel=$CK, crash to capture kernel up ${LC_UP_SECS}s, to complete dump (TFTP) ${LC_DONE_SECS}s wall"
	require "$T/salvage.serial" 'salvage-load: salvage loaded for a panic \(bzimage\)' "salvage-load loaded salvage.bzImage (kexec -s -p)"
	require "$T/salvage.serial" 'salvage-load: running: .*kexec -s( -d)? -p .*salvage\.bzImage' "salvage-load ran kexec -s -p (kexec_file_load)"
	require "$T/salvage.serial" '^salvage: salvage at 0x[0-9a-f]+-0x[0-9a-f]+, booted by Linux boot protocol\r?$' \
		"salvage came up through its 64-bit entry (Linux boot protocol, boot information sound)"
	forbid "$T/salvage.serial" '^salvage: .*(no elfcorehdr|elfcorehdr at .* unusable)' "salvage used the kernel's elfcorehdr"
	if [ -s "$LC_TFTP_DIR/salvage.vmcore" ]; then
		lc_sha256_ok "$LC_TFTP_DIR/salvage.vmcore"
		# The kernel's header leaves the low 1 MiB out (kexec-tools' keeps 4 KiB-640 KiB).
		lc_check_dump salvage "$LC_TFTP_DIR/salvage.vmcore" --prstatus "$LC_SMP" --kexec-file
	else
		lc_no_dump salvage "salvage: dump arrived over TFTP" "no salvage.vmcore"
	fi
else
	lc_no_crash salvage "salvage: Linux crashed"
fi
finish
