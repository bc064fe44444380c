#!/bin/bash
# Real crashes with dump.format=kdump (salvage-load --format kdump): Debian's kernel (KASLR, 2 CPUs,
# 128 MiB) crashes and salvage sends makedumpfile's kdump-compressed file as its flattened stream at
# dump.level=LC_LEVEL (default 31): once over TFTP with LZO (the default compressor), once over serial
# with zlib (salvage-recv rebuilds the stream from the console capture and checks its digest), once
# over TFTP with zstd. Each
# time `makedumpfile -R` must rebuild the file, and `salvage-recv --unflatten` the same bytes; its header must name the crashed kernel, the level and
# the compressor; makedumpfile --dump-dmesg must show the panic (zstd: only where makedumpfile was
# built with it, which Debian 12's 1.7.2 is not); crash must open both the flattened stream and the
# rebuilt file (sys, bt, log); every page must decompress (zstd pages: by the host's zstd tool); with
# bit 8 the pattern (user data) must be gone. (tests/linux/crash-elf.sh compares the same producer with makedumpfile -l/-c -d
# L on a full dump of one crash, field by field, bitmap by bitmap and page by page.)
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-crash-kdump
. tests/lib/linux-crash.sh

MEM=${LC_MEM:-128}
LEVEL=${LC_LEVEL:-31}
lc_prepare
CK=${LC_CK:-$(lc_min_ck elf)}
lc_tftp_server

# kdump_run NAME tftp|serial COMPRESS: one crash, its dump sent and checked.
kdump_run() {
	local kd=$1 target=$2 COMPRESS=$3 flat
	if [ "$target" = tftp ]; then
		lc_boot "$kd" 600 "$T/guest.gz" "$MEM" "$CK" \
			"t.mode=salvage t.seed=$LC_SEED t.mib=$LC_MIB t.load=--dump,tftp://10.0.2.2:$SRV_PORT/$kd.flat,--format,kdump,--compress,$COMPRESS,--append,dump.level=$LEVEL,--ip,dhcp,--done,reboot" \
			"${LC_NIC_ARGS[@]}"
	else
		lc_boot "$kd" 900 "$T/guest.gz" "$MEM" "$CK" \
			"t.mode=salvage t.seed=$LC_SEED t.mib=$LC_MIB t.load=--dump,serial,--format,kdump,--compress,$COMPRESS,--append,dump.level=$LEVEL,--done,reboot"
	fi
	if lc_time_crash "$kd"; then
		ok "$kd: Linux crashed (sysrq) after ${LC_CRASH_SECS}s"
		echo "# $kd: $target dump.format=kdump dump.compress=$COMPRESS dump.level=$LEVEL: crashkernel=$CK, crash to complete dump ${LC_DONE_SECS}s wall"
		require "$T/$kd.serial" "salvage: kdump: [0-9]+ of [0-9]+ pages \([0-9]+ zero, [0-9]+ $COMPRESS, [0-9]+ raw\)" \
			"$kd: salvage logged the pages it sent ($COMPRESS)"
		grep -a 'salvage: kdump' "$T/$kd.serial" | tr -d '\r' | sed 's/^/# /'
		if [ "$target" = tftp ]; then
			flat=$LC_TFTP_DIR/$kd.flat
			[ -s "$flat" ] && ok "$kd: flattened kdump stream arrived over TFTP ($(stat -c %s "$flat") bytes)" &&
				lc_sha256_ok "$flat" "$kd"
		else
			flat=$T/$kd.flat
			if lc_recv "$kd" "$flat"; then
				ok "$kd: salvage-recv rebuilt the flattened stream from the console, digest checked ($(stat -c %s "$flat") bytes)"
			else
				not_ok "$kd: salvage-recv rebuilt the stream" "$(tail -n 3 "$T/$kd.recv" | tr '\n' ' ')"
				rm -f "$flat"
			fi
		fi
		if [ -s "$flat" ]; then
			rm -f "$T/$kd.rebuilt"
			check "$kd: makedumpfile -R rebuilds the kdump-compressed file" \
				sh -c "makedumpfile -R '$T/$kd.rebuilt' < '$flat' >'$T/mdf-R.log' 2>&1"
			check "$kd: salvage-recv --unflatten rebuilds the same file as makedumpfile -R" sh -c \
				"'$LC_BUILD/salvage-recv' --unflatten '$T/$kd.unflat' '$flat' 2>/dev/null && cmp '$T/$kd.unflat' '$T/$kd.rebuilt'"
			rm -f "$T/$kd.unflat"
			status=$(case $COMPRESS in zlib) echo 1 ;; lzo) echo 2 ;; zstd) echo 32 ;; *) echo 0 ;; esac)
			python3 - "$T/$kd.rebuilt" "$LEVEL" "$status" "$kd" <<'EOF' || QEMU_FAILS=$((QEMU_FAILS + 1))
import struct, sys
d = open(sys.argv[1], 'rb').read(4096 + 104)
ok = d[:8] == b'KDUMP   ' and struct.unpack_from('<i', d, 8)[0] == 6
print(('ok' if ok else 'not ok') + f' {sys.argv[4]}: rebuilt file: KDUMP signature, header_version 6')
uts = [d[12 + 65 * i:12 + 65 * (i + 1)].split(b'\0')[0].decode() for i in range(6)]
print(('ok' if uts[0] == 'Linux' and uts[4] == 'x86_64' and uts[2].endswith('-amd64') else 'not ok') +
      f' {sys.argv[4]}: rebuilt file: utsname {uts[0]} {uts[2]} {uts[4]}')
st, = struct.unpack_from('<I', d, 424)
print(('ok' if st == int(sys.argv[3]) else 'not ok') + f' {sys.argv[4]}: rebuilt file: status 0x{st:x} names the compressor')
lvl, = struct.unpack_from('<i', d, 4096 + 8)
print(('ok' if lvl == int(sys.argv[2]) else 'not ok') + f' {sys.argv[4]}: rebuilt file: dump_level {lvl}')
sys.exit(0 if ok and st == int(sys.argv[3]) and lvl == int(sys.argv[2]) else 1)
EOF
			if [ "$COMPRESS" != zstd ] || makedumpfile -v 2>&1 | grep -q '^zstd[[:space:]]*enabled'; then
				makedumpfile --dump-dmesg "$T/$kd.rebuilt" "$T/$kd.dmesg" >"$T/$kd.makedumpfile" 2>&1
				require "$T/$kd.dmesg" 'sysrq: Trigger a crash' "$kd: makedumpfile --dump-dmesg (rebuilt file) shows the sysrq line"
				require "$T/$kd.dmesg" 'Kernel panic - not syncing' "$kd: makedumpfile --dump-dmesg (rebuilt file) shows the panic"
			else
				echo "# $kd: makedumpfile $(makedumpfile -v 2>&1 | sed -n 's/.*version \([^ ]*\).*/\1/p') is built without zstd: --dump-dmesg not tried (crash's log below reads it)"
			fi
			if [ -z "${LC_VMLINUX:-}" ]; then
				LC_VMLINUX=$(sh tests/lib/debian-vmlinux.sh 2>"$T/vmlinux.err") || LC_VMLINUX=""
			fi
			if [ -n "$LC_VMLINUX" ]; then
				printf '%s\n' '!echo @@sys' sys '!echo @@bt' bt '!echo @@log' log '!echo @@end' q >"$T/$kd.cmds"
				for f in "$flat" "$T/$kd.rebuilt"; do
					what=$([ "$f" = "$flat" ] && echo "the flattened stream" || echo "the rebuilt file")
					timeout 600 crash -s "$LC_VMLINUX" "$f" -i "$T/$kd.cmds" </dev/null >"$T/$kd.crash" 2>&1
					c=$?
					if [ "$c" = 0 ] && grep -q '^@@end$' "$T/$kd.crash"; then
						ok "$kd: crash opens $what and runs sys, bt, log"
					else
						not_ok "$kd: crash opens $what" "exit $c; $(grep -v '^@@' "$T/$kd.crash" | tail -n 3 | tr '\n' ' ')"
					fi
					require "$T/$kd.crash" 'PANIC: "Kernel panic - not syncing: sysrq triggered crash"' "$kd: crash sys ($what): the panic"
					require "$T/$kd.crash" "CPUS: $LC_SMP( |\$)" "$kd: crash sys ($what): $LC_SMP CPUs"
					require "$T/$kd.crash" ' sysrq_handle_crash at ffffffff' "$kd: crash bt ($what): sysrq_handle_crash"
					require "$T/$kd.crash" 'sysrq: Trigger a crash' "$kd: crash log ($what): the sysrq line"
				done
			else
				not_ok "$kd: crash opens the kdump dump" "no vmlinux: $(cat "$T/vmlinux.err")"
			fi
			# The holder's pattern is anonymous memory: gone with bit 8 (its bytes are in no page).
			if { [ $((LEVEL & 8)) != 0 ] || [ "$COMPRESS" = zstd ]; } && [ -s "$T/$kd.rebuilt" ]; then
				gcc -std=gnu11 -O2 -I. $(make -s print-compress-host-cflags) -o "$T/kdump-pages" tests/lib/kdump-pages.c \
					$(make -s print-compress-host-lib) -fsanitize=address,undefined >"$T/kp.log" 2>&1
				check "$kd: every page of the rebuilt file decompresses" \
					sh -c "'$T/kdump-pages' '$T/$kd.rebuilt' '$T/$kd.pages' >>'$T/kp.log' 2>&1"
				grep '^pages=' "$T/kp.log" | tail -n 1 | sed "s/^/# $kd: /"
				[ "$COMPRESS" != zstd ] || check "$kd: zstd pages among them" grep -q '^pages=.* zstd=[1-9]' "$T/kp.log"
				[ $((LEVEL & 8)) = 0 ] || check "$kd: the pattern (user data) is gone at dump.level=$LEVEL" \
					python3 -c 'import sys
p = open(sys.argv[2], "rb").read(4096)
d = open(sys.argv[1], "rb").read()
sys.exit(1 if p in d else 0)' "$T/$kd.pages" "$T/pattern.bin"
				rm -f "$T/$kd.pages"
			fi
		else
			lc_no_dump "$kd" "$kd: flattened kdump stream arrived" "no $kd.flat"
		fi
	else
		lc_no_crash "$kd" "$kd: Linux crashed"
	fi
}

kdump_run kdt tftp lzo
kdump_run kds serial zlib
kdump_run kdz tftp zstd
finish
