#!/bin/bash
# A 16 GiB guest, most of its memory never touched (init_on_free=0), crashes with dump.format=kdump
# dump.level=31 over TFTP at the crashkernel= a 128 MiB guest needs: the kdump format's memory does not
# grow with RAM (its bitmaps and page descriptors go out a stretch at a time). The dump must arrive with
# its digest, rebuild with makedumpfile -R, cover every page frame (max_mapnr) and show the panic in
# makedumpfile --dump-dmesg. Long (TCG boots 16 GiB slowly): run by make check-long.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-crash-kdump-16g
. tests/lib/linux-crash.sh

MEM=${LC_MEM:-16384}
lc_prepare
CK=${LC_CK:-$(lc_min_ck elf)}
lc_tftp_server
LC_INIT_ON_FREE=0

lc_boot big 1800 "$T/guest.gz" "$MEM" "$CK" \
	"t.mode=salvage t.seed=$LC_SEED t.mib=$LC_MIB t.load=--dump,tftp://10.0.2.2:$SRV_PORT/big.flat,--format,kdump,--append,dump.level=31,--ip,dhcp,--done,reboot" \
	"${LC_NIC_ARGS[@]}"
if lc_time_crash big; then
	ok "big: Linux crashed (sysrq) after ${LC_CRASH_SECS}s"
	echo "# ${MEM} MiB guest, dump.format=kdump dump.level=31: crashkernel=$CK, crash to complete dump ${LC_DONE_SECS}s wall"
	grep -a 'salvage: kdump\|salvage: .*sent' "$T/big.serial" | tr -d '\r' | sed 's/^/# /'
	require "$T/big.serial" 'salvage: kdump: [0-9]+ of [0-9]{7,} pages' "big: salvage covered millions of page frames"
	flat=$LC_TFTP_DIR/big.flat
	if [ -s "$flat" ]; then
		ok "big: flattened stream arrived ($(stat -c %s "$flat") bytes for ${MEM} MiB)"
		lc_sha256_ok "$flat" big
		check "big: makedumpfile -R rebuilds it" sh -c "makedumpfile -R '$T/big.kdump' < '$flat' >/dev/null 2>&1"
		check "big: max_mapnr covers ${MEM} MiB and more (RAM above 4 GiB)" python3 -c 'import struct, sys
d = open(sys.argv[1], "rb").read(4096 + 104)
n, = struct.unpack_from("<Q", d, 4096 + 96)
sys.exit(0 if n * 4096 >= int(sys.argv[2]) << 20 else 1)' "$T/big.kdump" "$MEM"
		makedumpfile --dump-dmesg "$T/big.kdump" "$T/big.dmesg" >/dev/null 2>&1
		require "$T/big.dmesg" 'Kernel panic - not syncing' "big: makedumpfile --dump-dmesg shows the panic"
		rm -f "$T/big.kdump"
	else
		lc_no_dump big "big: flattened stream arrived" "no big.flat"
	fi
else
	lc_no_crash big "big: Linux crashed"
fi
finish
