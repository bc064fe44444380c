#!/bin/bash
# Real crash in harder conditions: the crash region is placed by hand low in memory
# (crashkernel=2M@8M instead of auto-placed high) and CPU 1 is taken offline before the crash, so
# it saves no crash note. salvage (elf-x86 path, dump over TFTP) must still give a usable dump: one
# NT_PRSTATUS, a warning about the empty CPU note, VMCOREINFO, every pattern page, the kernel log.
# Then corrupted note buffers: Debian's STRICT_DEVMEM keeps /dev/mem out of RAM, so the generated
# header (multiboot path) instead points CPU 1's note and the VMCOREINFO note at pattern pages
# (garbage as notes): salvage must warn, drop them as Linux does, and still send a complete dump.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-crash-robust
. tests/lib/linux-crash.sh

MEM=${LC_MEM:-128}
lc_prepare
CK=${LC_CK:-$(lc_min_ck elf)@8M}
lc_tftp_server

lc_boot rb 600 "$T/guest.gz" "$MEM" "$CK" \
	"t.mode=salvage t.offline=1 t.seed=$LC_SEED t.mib=$LC_MIB t.load=--dump,tftp://10.0.2.2:$SRV_PORT/robust.vmcore,--ip,dhcp,--done,reboot" \
	"${LC_NIC_ARGS[@]}"
if lc_time_crash rb; then
	ok "rb: Linux crashed (sysrq) after ${LC_CRASH_SECS}s"
	echo "# robust: crashkernel=$CK, crash to salvage up ${LC_UP_SECS}s, to complete dump ${LC_DONE_SECS}s wall (TFTP)"
	require "$T/rb.serial" 'GUEST: iomem +00800000-[0-9a-f]+ : Crash kernel' "crash region reserved at 8 MiB as asked"
	require "$T/rb.serial" 'GUEST: cpu1 is offline' "cpu1 taken offline before the crash"
	require "$T/rb.serial" 'salvage: salvage at 0x[89a-f][0-9a-f]{5}-0x[89a-f][0-9a-f]{5},' "salvage ran inside the 8 MiB reservation"
	require "$T/rb.serial" 'salvage: warning: PT_NOTE 1: Zero PT_NOTE entries' "salvage warned about the CPU that saved no note"
	core=$LC_TFTP_DIR/robust.vmcore
	if [ -s "$core" ]; then
		ok "dump arrived over TFTP ($(stat -c %s "$core") bytes)"
		lc_check_dump rb "$core" --prstatus 1
	else
		lc_no_dump rb "dump arrived over TFTP" "no $core"
	fi
else
	lc_no_crash rb "rb: Linux crashed"
fi

lc_boot bad 600 "$T/guest.gz" "$MEM" "$(lc_min_ck multiboot)" \
	"t.mode=salvage t.corrupt=1 t.seed=$LC_SEED t.mib=$LC_MIB t.load=--type,multiboot,--dump,tftp://10.0.2.2:$SRV_PORT/bad.vmcore,--ip,dhcp,--done,reboot" \
	"${LC_NIC_ARGS[@]}"
if lc_time_crash bad; then
	require "$T/bad.serial" 'GUEST: salvage loaded with the corrupted header' "bad: salvage loaded with note headers pointing at garbage"
	require "$T/bad.serial" 'salvage: warning: PT_NOTE 1' "bad: salvage warned about CPU 1's corrupt note"
	require "$T/bad.serial" 'salvage: warning: PT_NOTE 2' "bad: salvage warned about the corrupt VMCOREINFO note"
	core=$LC_TFTP_DIR/bad.vmcore
	if [ -s "$core" ]; then
		ok "bad: dump arrived over TFTP ($(stat -c %s "$core") bytes)"
		lc_sha256_ok "$core" bad
		lc_iomem bad "$T/bad.iomem"
		python3 tests/lib/vmcore-check.py "$core" --prstatus 1 --pattern "$T/pattern.bin" --iomem "$T/bad.iomem" \
			--label bad || QEMU_FAILS=$((QEMU_FAILS + 1))
	else
		lc_no_dump bad "bad: dump arrived over TFTP" "no $core"
	fi
else
	lc_no_crash bad "bad: Linux crashed"
fi
finish
