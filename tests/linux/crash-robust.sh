#!/bin/bash
# Real crash in harder conditions: the crash region is placed by hand low in memory
# (crashkernel=2M@8M instead of auto-placed high) and CPU 1 is taken offline before the crash, so
# it saves no crash note. salvage (elf-x86 path, dump over TFTP) must still give a usable dump: one
# NT_PRSTATUS, a warning about the empty CPU note, VMCOREINFO, every pattern page, the kernel log.
# (Corrupted note and VMCOREINFO buffers cannot be written on Debian's kernel: STRICT_DEVMEM blocks
# /dev/mem for RAM. The synthetic tests in tests/qemu plant those.)
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-crash-robust
. tests/lib/linux-crash.sh

MEM=${LC_MEM:-128}
CK=${LC_CK:-2M@8M}
lc_prepare
lc_tftp_server

lc_boot rb 600 "$T/guest.gz" "$MEM" "$CK" \
	"t.mode=salvage t.offline=1 t.seed=$LC_SEED t.mib=$LC_MIB t.load=--dump,tftp://10.0.2.2:$SRV_PORT/robust.vmcore,--done,reboot" \
	"${LC_NIC_ARGS[@]}"
if lc_time_crash rb; then
	ok "rb: Linux crashed (sysrq) after ${LC_CRASH_SECS}s"
	echo "# robust: crashkernel=$CK, crash to complete dump ${LC_DONE_SECS}s wall (TFTP)"
	require "$T/rb.serial" 'GUEST: iomem +00800000-009fffff : Crash kernel' "crash region reserved at 8 MiB as asked"
	require "$T/rb.serial" 'GUEST: cpu1 is offline' "cpu1 taken offline before the crash"
	require "$T/rb.serial" 'salvage: salvage at 0x8[0-9a-f]{5}-0x[9a][0-9a-f]{5},' "salvage ran inside the 8 MiB reservation"
	require "$T/rb.serial" 'salvage: warning: PT_NOTE 1: Zero PT_NOTE entries' "salvage warned about the CPU that saved no note"
	core=$LC_TFTP_DIR/robust.vmcore
	if [ -s "$core" ]; then
		ok "dump arrived over TFTP ($(stat -c %s "$core") bytes)"
		lc_check_dump rb "$core" --prstatus 1
	else
		not_ok "dump arrived over TFTP" "no $core"
		grep -a 'salvage: ' "$T/rb.serial" | tail -n 8 | sed 's/^/#   | /'
	fi
else
	not_ok "rb: Linux crashed" "no sysrq line (see $T/rb.serial)"
	tail -n 20 "$T/rb.serial" | sed 's/^/#   | /'
fi
finish
