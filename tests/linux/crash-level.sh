#!/bin/bash
# Real crash with dump.level=31 (salvage-load --append): Debian's kernel (KASLR, 2 CPUs, 128 MiB)
# crashes and salvage leaves zero, page cache, user data and free pages out of the dump it sends
# over TFTP. The filtered dump must still pass the real-crash checks (both CPUs' registers, the
# guest's VMCOREINFO, makedumpfile --dump-dmesg shows the panic, crash and vmcore-dmesg read it),
# readelf must read it, it must be much smaller than the guest's RAM, and the user-space pattern
# (anonymous memory: user data) must be gone. (tests/linux/crash-elf.sh compares salvage's filter
# with makedumpfile -E -d on a full dump, and finds the pattern at dump.level=23, without bit 8.)
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-crash-level
. tests/lib/linux-crash.sh

MEM=${LC_MEM:-128}
LEVEL=${LC_LEVEL:-31}	# bench: LC_LEVEL=0 for the unfiltered time
lc_prepare
CK=${LC_CK:-$(lc_min_ck elf)}
lc_tftp_server

lc_boot lv 600 "$T/guest.gz" "$MEM" "$CK" \
	"t.mode=salvage t.seed=$LC_SEED t.mib=$LC_MIB t.load=--dump,tftp://10.0.2.2:$SRV_PORT/level.vmcore,--append,dump.level=$LEVEL,--ip,dhcp,--done,reboot" \
	"${LC_NIC_ARGS[@]}"
if lc_time_crash lv; then
	ok "lv: Linux crashed (sysrq) after ${LC_CRASH_SECS}s"
	echo "# dump.level=$LEVEL: crashkernel=$CK, crash to complete dump ${LC_DONE_SECS}s wall (TFTP)"
	require "$T/lv.serial" "salvage: dump.level $LEVEL: excluded [0-9]+ MiB free, [0-9]+ MiB zero, [0-9]+ MiB cache, [0-9]+ MiB user" \
		"salvage logged what dump.level=$LEVEL left out"
	# The header is built again without the excluded pages; its warnings are not logged again.
	n=$(grep -ac 'salvage: warning: PT_LOADs .* overlap' "$T/lv.serial")
	if [ "$n" = 1 ]; then ok "the PT_LOAD overlap warning is logged once"; else not_ok "the PT_LOAD overlap warning is logged once" "$n times"; fi
	forbid "$T/lv.serial" 'dump.level.*(out of bounds|has no|unreadable|invalid|unfiltered)' \
		"salvage read Linux 6.1's VMCOREINFO, page tables and mem_map without a warning"
	grep -a 'salvage: dump.level' "$T/lv.serial" | tr -d '\r' | sed 's/^/# /'
	core=$LC_TFTP_DIR/level.vmcore
	if [ -s "$core" ]; then
		size=$(stat -c %s "$core")
		ok "dump arrived over TFTP ($size bytes)"
		lc_sha256_ok "$LC_TFTP_DIR/level.vmcore"
		check "readelf reads the filtered dump" sh -c "readelf -lW '$core' | grep -q LOAD"
		loads=$(readelf -lW "$core" | grep -c ' LOAD ')
		# The unfiltered size is what the headers' p_memsz add up to (plus headers and notes).
		full=$(python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read(65536)
n, = struct.unpack_from("<H", d, 56)
print(sum(struct.unpack_from("<IIQQQQQQ", d, 64 + 56 * i)[6] for i in range(n)))' "$core")
		# This small guest's RAM is mostly kernel, initramfs and the pattern: still a third must go.
		if [ "$size" -lt $((full * 3 / 4)) ]; then
			ok "filtered dump is $((size >> 20)) MiB of $((full >> 20)) MiB of memory ($loads PT_LOADs)"
		else
			not_ok "filtered dump is small" "$size bytes of $full"
		fi
		# With bit 8 the pattern (user data) must be gone; without it, every page must be there.
		gone=()
		[ $((LEVEL & 8)) != 0 ] && gone=(--pattern-gone)
		lc_check_dump lv "$core" --prstatus "$LC_SMP" --filtered "${gone[@]}"
	else
		lc_no_dump lv "dump arrived over TFTP" "no level.vmcore in $LC_TFTP_DIR"
	fi
else
	lc_no_crash lv "lv: Linux crashed"
fi
finish
