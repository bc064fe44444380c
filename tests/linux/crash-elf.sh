#!/bin/bash
# Real crash, standard kdump path: Debian's kernel (KASLR on, 2 CPUs) holds a 16 MiB pattern, loads
# salvage with `salvage-load` (kexec -p --type elf-x86 --args-linux), crashes with sysrq-c; salvage
# sends the dump over TFTP (crash-serial.sh does the same over serial). The same crash with Linux's
# own kdump (Debian's kernel as crash kernel, busybox tftp sending /proc/vmcore) is the peer: both
# dumps pass the same checks and have the same program-header layout. Prints both crash-to-dump times.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-crash-elf
. tests/lib/linux-crash.sh

MEM=${LC_MEM:-128}
PEER_MEM=${LC_PEER_MEM:-384}	# kexec_load refuses a crash kernel larger than half the free RAM
PEER_CK=${LC_PEER_CK:-96M}

lc_prepare
SALVAGE_CK=${LC_CK:-$(lc_min_ck elf)}
LC_PEER_OPTS=${LC_PEER_OPTS:--m e1000}	# the peer sends /proc/vmcore over TFTP
lc_prepare_peer
lc_tftp_server

# filter_oracle CORE: salvage's dump.level code (dump/filter.c, dump/elfcore.c) run on the host with
# this real full dump as its physical memory (tests/lib/dump-filter-host.c) against makedumpfile -E
# -d of the same dump, for each bit alone and 17, 23 and 31: the same program headers and kept bytes.
# Level 0 must give the dump back. Bits 2, 4 and 8 must find pages (the guest has page cache and
# the pattern holder's anonymous pages), or the comparison would prove nothing.
filter_oracle() {
	local core=$1 l
	if ! gcc -std=gnu11 -O2 -I. -Itests/unit -o "$T/dump-filter-host" tests/lib/dump-filter-host.c \
		dump/crash.c dump/elfcore.c dump/format.c dump/filter.c dump/stream.c dump/progress.c lib/sha256.c \
		tests/unit/shim.c >"$T/dfh.log" 2>&1; then
		not_ok "dump-filter-host builds" "$(tail -n 3 "$T/dfh.log")"
		return
	fi
	"$T/dump-filter-host" 0 "$core" "$T/level0.core" >/dev/null 2>&1 &&
		check "dump.level=0 on the host gives the dump back byte for byte" cmp -s "$core" "$T/level0.core"
	for l in 1 2 4 8 16 17 23 31; do
		rm -f "$T/mdf$l.core"
		makedumpfile -E -d $l "$core" "$T/mdf$l.core" >"$T/mdf$l.log" 2>&1 ||
			{ not_ok "makedumpfile -E -d $l" "$(tail -n 2 "$T/mdf$l.log")"; continue; }
		"$T/dump-filter-host" $l "$core" "$T/level$l.core" >"$T/level$l.log" 2>&1 ||
			{ not_ok "dump-filter-host $l" "$(tail -n 2 "$T/level$l.log")"; continue; }
		echo "# dump.level=$l on the host: $(tail -n 1 "$T/level$l.log"); makedumpfile -E -d $l: $(stat -c %s "$T/mdf$l.core") bytes"
		case $l in
		2 | 4) require "$T/level$l.log" 'excluded_cache_pages=[1-9]' "dump.level=$l on the host finds page cache" ;;
		8) require "$T/level$l.log" 'excluded_user_pages=[1-9][0-9]{3}' "dump.level=8 on the host finds the pattern's 4096 user pages" ;;
		esac
		# The pattern is the holder's anonymous memory: kept without bit 8, left out with it.
		case $l in
		23 | 31) python3 tests/lib/vmcore-check.py "$T/level$l.core" --filtered --pattern "$T/pattern.bin" \
			$([ $l = 31 ] && echo --pattern-gone) --label "dump.level=$l on the host" || QEMU_FAILS=$((QEMU_FAILS + 1)) ;;
		esac
		python3 tests/lib/filter-compare.py "$T/level$l.core" "$T/mdf$l.core" --label "dump.level=$l vs makedumpfile -E -d $l" ||
			QEMU_FAILS=$((QEMU_FAILS + 1))
	done
	rm -f "$T"/level*.core "$T"/mdf*.core
}

# kdump_oracle CORE: salvage's dump.format=kdump producer (dump/kdump.c with the filter and the
# compressors) run on the host with this real full dump as its physical memory
# (tests/lib/kdump-host.c), rebuilt with makedumpfile -R, against makedumpfile -l / -c -d L on the
# same dump for L = 0, 1, 17, 31: every header field makedumpfile sets deterministically, both
# bitmaps (tests/lib/kdump-compare.py) and every dumpable page after decompression
# (tests/lib/kdump-pages.c) identical; no more bytes than makedumpfile -F's flattened stream of the
# same dump (what the peer sends).
kdump_oracle() {
	local core=$1 l c opt san="-fsanitize=address,undefined" ccf lib
	ccf=$(make -s print-compress-host-cflags) lib=$(make -s print-compress-host-lib)
	if ! make -s compress-host >"$T/kh.log" 2>&1 ||
		! gcc -std=gnu11 -O2 $san -I. -Itests/unit $ccf -o "$T/kdump-host" tests/lib/kdump-host.c dump/kdump.c dump/format.c \
			dump/compress.c dump/crash.c dump/filter.c dump/stream.c dump/progress.c lib/sha256.c \
			tests/unit/shim.c $lib >>"$T/kh.log" 2>&1 ||
		! gcc -std=gnu11 -O2 $san -I. $ccf -o "$T/kdump-pages" tests/lib/kdump-pages.c $lib >>"$T/kh.log" 2>&1; then
		not_ok "kdump-host and kdump-pages build" "$(tail -n 3 "$T/kh.log")"
		return
	fi
	for l in 0 1 17 31; do
		for c in lzo zlib; do
			opt=$([ $c = lzo ] && echo -l || echo -c)
			rm -f "$T/s.kdump" "$T/m.kdump"
			"$T/kdump-host" $l $c "$core" "$T/s.flat" >"$T/kh$l$c.log" 2>&1 ||
				{ not_ok "kdump-host $l $c" "$(tail -n 2 "$T/kh$l$c.log")"; continue; }
			makedumpfile -R "$T/s.kdump" <"$T/s.flat" >/dev/null 2>&1 ||
				{ not_ok "makedumpfile -R of kdump-host $l $c" "exit $?"; continue; }
			makedumpfile $opt -d $l "$core" "$T/m.kdump" >"$T/mk$l$c.log" 2>&1 ||
				{ not_ok "makedumpfile $opt -d $l" "$(tail -n 2 "$T/mk$l$c.log")"; continue; }
			makedumpfile -F $opt -d $l "$core" >"$T/m.flat" 2>"$T/mkf$l$c.log" ||
				{ not_ok "makedumpfile -F $opt -d $l" "$(tail -n 2 "$T/mkf$l$c.log")"; continue; }
			python3 tests/lib/kdump-compare.py "$T/s.kdump" "$T/m.kdump" --label "kdump $c -d $l vs makedumpfile $opt -d $l" \
				--status $([ $c = lzo ] && echo 2 || echo 1) >"$T/kc.out" || QEMU_FAILS=$((QEMU_FAILS + 1))
			grep '^not ok' "$T/kc.out"
			echo "# kdump $c -d $l: $(grep -c '^ok' "$T/kc.out") fields and bitmaps equal; $(tail -n 1 "$T/kh$l$c.log")"
			"$T/kdump-pages" "$T/s.kdump" "$T/s.pages" >/dev/null 2>&1 &&
				"$T/kdump-pages" "$T/m.kdump" "$T/m.pages" >/dev/null 2>&1 &&
				check "kdump $c -d $l: every dumpable page equal to makedumpfile's after decompression" \
					cmp -s "$T/s.pages" "$T/m.pages" ||
				not_ok "kdump $c -d $l: pages decompress" "kdump-pages failed"
			# bench/run's same-crash byte measure: makedumpfile re-filtering salvage's rebuilt file
			# writes the stream it writes from the full dump, to the byte count
			if ! makedumpfile -F $opt -d $l "$T/s.kdump" >"$T/r.flat" 2>"$T/r.log"; then
				not_ok "kdump $c -d $l: makedumpfile -F $opt -d $l re-filters it" "$(tail -n 2 "$T/r.log" | tr '\n' ' ')"
			elif [ "$(stat -c %s "$T/r.flat")" = "$(stat -c %s "$T/m.flat")" ]; then
				ok "kdump $c -d $l: makedumpfile -F $opt -d $l re-filtering it writes as many bytes as from the full dump"
			else
				not_ok "kdump $c -d $l: makedumpfile -F $opt -d $l re-filtering it writes as many bytes as from the full dump" \
					"$(stat -c %s "$T/r.flat") bytes against $(stat -c %s "$T/m.flat")"
			fi
			s=$(stat -c %s "$T/s.flat") m=$(stat -c %s "$T/m.flat")
			if [ "$s" -le "$m" ]; then
				ok "kdump $c -d $l: $s bytes sent, makedumpfile -F $opt -d $l $m"
			else
				not_ok "kdump $c -d $l: no more bytes than makedumpfile -F $opt -d $l" "$s bytes against $m"
			fi
		done
	done
	rm -f "$T"/s.flat "$T"/s.kdump "$T"/m.kdump "$T"/m.flat "$T"/r.flat "$T"/r.log "$T"/s.pages "$T"/m.pages
}

# dmesg_oracle CORE DMESG: salvage's log reader (dump/dmesg.c) run on the host over Linux's own
# /proc/vmcore (tests/lib/dmesg-host.c) writes makedumpfile --dump-dmesg's file DMESG byte for byte.
dmesg_oracle() {
	if ! gcc -std=gnu11 -O2 -fsanitize=address,undefined -I. -Itests/unit -o "$T/dmesg-host" tests/lib/dmesg-host.c \
		dump/dmesg.c dump/crash.c tests/unit/shim.c >"$T/dmh.log" 2>&1; then
		not_ok "dmesg-host builds" "$(tail -n 3 "$T/dmh.log")"
		return
	fi
	"$T/dmesg-host" "$1" "$T/host.dmesg" >"$T/dmh.out" 2>&1
	echo "# salvage's log reader on Linux's /proc/vmcore: $(tail -n 1 "$T/dmh.out")"
	check "salvage's log reader on Linux's /proc/vmcore writes makedumpfile --dump-dmesg's file" cmp "$T/host.dmesg" "$2"
}

# --- the Linux kdump peer -----------------------------------------------------------------------
lc_boot peer 600 "$T/peer-outer.gz" "$PEER_MEM" "$PEER_CK" \
	"t.mode=peer t.seed=$LC_SEED t.mib=$LC_MIB t.peerargs=t.peertftp=10.0.2.2:$SRV_PORT" "${LC_NIC_ARGS[@]}"
if lc_time_crash peer; then
	ok "peer: Linux crashed (sysrq) after ${LC_CRASH_SECS}s"
	require "$T/peer.serial" 'GUEST: peer done' "peer: crash kernel sent /proc/vmcore headers"
	up=$(grep -a 'peer crash kernel up at' "$T/peer.serial" | sed 's/.*up at \([0-9.]*\)s.*/\1/')
	sent=$(grep -a 'peer sent /proc/vmcore over TFTP' "$T/peer.serial" | sed 's/.* at \([0-9.]*\)s.*/\1/')
	echo "# peer: crashkernel=$PEER_CK, crash to capture kernel up ${LC_UP_SECS}s, to complete dump (TFTP) ${LC_DONE_SECS}s wall; crash kernel" \
		"up at ${up}s of its uptime, /proc/vmcore sent at ${sent}s"
	lc_extract peer PEER-HDR-BEGIN PEER-HDR-END "$T/peer.hdr"
	lc_iomem peer "$T/peer.iomem"
	if [ -s "$LC_TFTP_DIR/peer.vmcore" ]; then
		# The whole /proc/vmcore: the same checks as salvage's dump (this also checks the checker).
		lc_check_dump peer "$LC_TFTP_DIR/peer.vmcore" --prstatus "$LC_SMP"
		dmesg_oracle "$LC_TFTP_DIR/peer.vmcore" "$T/peer.dmesg"
	else
		not_ok "peer: /proc/vmcore arrived over TFTP" "$(grep -a 'peer TFTP' "$T/peer.serial")"
		python3 tests/lib/vmcore-check.py "$T/peer.hdr" --headers-only --prstatus "$LC_SMP" --iomem "$T/peer.iomem" \
			--label peer --phdrs-out "$T/peer.phdrs" || QEMU_FAILS=$((QEMU_FAILS + 1))
	fi
else
	lc_no_crash peer "peer: Linux crashed"
fi

# --- salvage, kexec -p --type elf-x86 --args-linux ------------------------------------------------
lc_boot salvage 600 "$T/guest.gz" "$MEM" "$SALVAGE_CK" \
	"t.mode=salvage t.seed=$LC_SEED t.mib=$LC_MIB t.load=--dump,tftp://10.0.2.2:$SRV_PORT/salvage.vmcore,--ip,dhcp,--done,reboot" \
	"${LC_NIC_ARGS[@]}"
if lc_time_crash salvage; then
	ok "salvage: Linux crashed (sysrq) after ${LC_CRASH_SECS}s"
	echo "# salvage: crashkernel=$SALVAGE_CK, crash to capture kernel up ${LC_UP_SECS}s, to complete dump (TFTP) ${LC_DONE_SECS}s wall"
	require "$T/salvage.serial" 'salvage-load: salvage loaded for a panic \(elf\)' "salvage-load loaded salvage (elf-x86)"
	if [ -s "$LC_TFTP_DIR/salvage.vmcore" ]; then
		lc_sha256_ok "$LC_TFTP_DIR/salvage.vmcore"
		lc_check_dump salvage "$LC_TFTP_DIR/salvage.vmcore" --prstatus "$LC_SMP"
		filter_oracle "$LC_TFTP_DIR/salvage.vmcore"
		kdump_oracle "$LC_TFTP_DIR/salvage.vmcore"
		if [ -s "$T/peer.phdrs" ]; then
			python3 tests/lib/vmcore-check.py --compare "$T/peer.phdrs" "$T/salvage.phdrs" --label "salvage vs Linux /proc/vmcore"
			[ $? = 0 ] || QEMU_FAILS=$((QEMU_FAILS + 1))
		fi
	else
		lc_no_dump salvage "salvage: dump arrived over TFTP" "no salvage.vmcore"
	fi
else
	lc_no_crash salvage "salvage: Linux crashed"
fi
finish
