#!/bin/bash
# Serial transport throughput in QEMU (TCG): salvage dumps all of a small guest's RAM (memory-map
# dump) over ttyS0 into a file, once per encoder variant (plain base85; + zero/byte runs; + LZ, the
# default), with RAM that is idle (mostly zero) or holds a planted payload (random, or code + text
# from this machine); prints file bytes, line bytes, salvage's seconds, payload and wire MB/s, and
# checks each capture with salvage-recv. The variants relink build/k's objects with serial.c
# recompiled (-DSERIAL_FRAME_FLAGS), so run `make` first.
# Usage: bash bench/serial.sh [RAM_MB (default 32)] [LOADS (default "idle mixed random")] [VARIANTS (default "3 1 0")]
. "$(dirname "$0")/../tests/lib/qemu.sh"
qemu_init bench-serial
RAM=${1:-32}
LOADS=${2:-idle mixed random}
VARIANTS=${3:-3 1 0}
RECV=build/salvage-recv
[ -f build/salvage.elf ] && [ -x "$RECV" ] || { not_ok "bench-serial" "run make first"; finish; }

kobjs=$(make -s -p -n build/salvage.elf 2>/dev/null | sed -n 's/^KOBJS := //p' | tail -n 1)
kcflags=$(make -s -p -n build/salvage.elf 2>/dev/null | sed -n 's/^KCFLAGS := //p' | tail -n 1)
kldflags=$(make -s -p -n build/salvage.elf 2>/dev/null | sed -n 's/^KLDFLAGS := //p' | tail -n 1)
for v in $VARIANTS; do
	# shellcheck disable=SC2086
	i686-linux-gnu-gcc $kcflags -DSERIAL_FRAME_FLAGS=$v -c dump/serial.c -o "$T/serial$v.o" &&
		i686-linux-gnu-ld ${kldflags//-Map=build\/salvage.map/-Map=$T/v$v.map} -o "$T/salvage-v$v.elf" \
			${kobjs//build\/k\/dump\/serial.o/$T/serial$v.o} ||
		{ not_ok "variant $v" "does not build"; finish; }
done

# Payloads planted at 8 MiB (above salvage's image at 2 MiB): 4 MiB each.
head -c 4M /dev/urandom >"$T/random.bin"
{ head -c 2M /usr/libexec/qemu-system-i386; find /usr/share/perl /usr/lib/python3 -name '*.p[my]' 2>/dev/null |
	sort | head -n 400 | xargs cat 2>/dev/null; } | head -c 4M >"$T/mixed.bin"

name_of() { case $1 in 0) echo "base85 only" ;; 1) echo "+ runs" ;; 3) echo "+ runs + LZ" ;; *) echo "flags $1" ;; esac; }
rows=()
for load in $LOADS; do
	for v in $VARIANTS; do
		n=$load-v$v
		extra=()
		[ "$load" != idle ] && extra=(-device "loader,file=$T/$load.bin,addr=0x800000,force-raw=on")
		QEMU_ARCH=i386 qemu_run "$n" 1200 -m "$RAM" -smp 1 -kernel "$T/salvage-v$v.elf" -serial "file:$T/$n.log" "${extra[@]}"
		file=$(tr -d '\r' <"$T/$n.log" | sed -n 's/^salvage: serial: sent \([0-9]*\) bytes in \([0-9.]*\) s.*/\1 \2/p')
		wire=$(grep -a '^\$S1' "$T/$n.log" | wc -c)
		if "$RECV" -t 0 -o "$T/$n.core" "$T/$n.log" >"$T/$n.recv" 2>&1; then
			ok "$n: salvage-recv rebuilt the dump, digest checked"
		else
			not_ok "$n" "salvage-recv: $(tail -n 1 "$T/$n.recv")"
		fi
		read -r bytes secs <<<"$file"
		rows+=("$(python3 -c "b,s,w=$bytes,$secs,$wire; print('# %-7s %-13s %10d file bytes %10d line bytes (%5.1f%%) %6.1f s  payload %6.2f MB/s  wire %5.3f MB/s' % ('$load', '$(name_of "$v")', b, w, 100.0*w/b, s, b/s/1e6, w/s/1e6))")")
		rm -f "$T/$n.core"
	done
done
echo "# serial in QEMU (TCG), -m $RAM, load average $(cut -d' ' -f1 /proc/loadavg) at the end"
printf '%s\n' "${rows[@]}"
finish
