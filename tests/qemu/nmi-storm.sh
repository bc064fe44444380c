#!/bin/bash
# NMIs every millisecond from the QEMU monitor through whole dumps, serial and TFTP (a crashed
# kernel's NMI watchdog, perf counters left running or a BMC can keep firing them): the NMI handler
# only counts, the count is logged at the next whole line, and no NMI costs a byte. Each dump is
# complete with its digest right, salvage-recv loses no frame, and the count line is there.
# NMI_RUNS runs of each (1 in make check; 10 in make check-long: tests/long/nmi-storm.sh); runs
# alternate between a CPU with long mode (x86_64: NMIs also in 64-bit long-mode code and on the
# mode switches) and one without (i386).
set -u
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init nmi-storm
. tests/lib/tftp.sh
RUNS=${NMI_RUNS:-1}
SALVAGE_ELF=${SALVAGE_ELF:-build/salvage.elf}
SALVAGE_RECV=${SALVAGE_RECV:-build/salvage-recv}
[ -f "$SALVAGE_ELF" ] && [ -x "$SALVAGE_RECV" ] || { not_ok "build" "run make first"; finish; }

# 2 MiB of random bytes at 16 MiB: thousands of data frames, so NMIs land inside frame lines.
head -c $((2 << 20)) /dev/urandom >"$T/random.bin"
srv=$(tftp_dir srv)
tftp_hpa "$srv" -c

# storm NAME STOP_REGEX: NMIs every ms into QEMU NAME (monitor $T/NAME.mon) from salvage's first
# line until STOP_REGEX is in its serial log, in the background (started with QEMU: a loaded host
# may take longer to start python than salvage takes to send a small dump); storm_end NAME waits
# for it and sets SENT.
storm() {
	python3 tests/lib/nmi-storm.py --start 'salvage: ' "$T/$1.mon" "$T/$1.serial" "$2" 0.001 >"$T/$1.sent" &
	STORM_PID=$!
}
storm_end() {
	wait "$STORM_PID"
	SENT=$(cat "$T/$1.sent")
}

# nmi_counted NAME: the NMIs salvage says it ignored, summed over its count lines.
nmi_counted() {
	tr -d '\r' <"$T/$1.serial" | sed -n 's/^salvage: warning: \([0-9]*\) NMIs\{0,1\} ignored.*/\1/p' |
		awk '{ n += $1 } END { print n + 0 }'
}

# common_checks NAME: what every run must show.
common_checks() {
	local name=$1 counted
	check "$name: salvage finished (QEMU exited by its reboot)" [ "$QEMU_RC" = 0 ]
	forbid "$T/$name.serial" 'CPU exception|no dump target succeeded' "$name: no exception, no lost dump"
	counted=$(nmi_counted "$name")
	check "$name: NMIs sent all through the dump (${SENT:-0})" [ "${SENT:-0}" -gt 100 ]
	require "$T/$name.serial" '^salvage: warning: [0-9]+ NMIs? ignored' "$name: the NMI count is logged ($counted counted of $SENT sent)"
	# Every log line and frame line is whole: nothing but frames and "salvage: " lines.
	local stray
	stray=$(tr -d '\r' <"$T/$name.serial" | grep -avE '^(\$S1[^$]*|salvage: .*|)$' | head -n 1)
	check "$name: every console line is a whole frame or log line${stray:+ (not: ${stray:0:80})}" [ -z "$stray" ]
}

for i in $(seq "$RUNS"); do
	if [ $((i % 2)) = 1 ]; then arch=x86_64; else arch=i386; fi

	name=serial$i
	QEMU_ARCH=$arch qemu_start "$name" 300 -m 48 -smp 1 -kernel "$SALVAGE_ELF" \
		-append "salvage.done=reboot" -serial "file:$T/$name.serial" \
		-monitor "unix:$T/$name.mon,server,nowait" -device "loader,file=$T/random.bin,addr=0x1000000,force-raw=on"
	storm "$name" 'serial: sent [0-9]+ bytes'
	qemu_wait "$name"
	storm_end "$name"
	common_checks "$name"
	if "$SALVAGE_RECV" -t 0 -o "$T/$name.core" "$T/$name.serial" >"$T/$name.recv" 2>&1 &&
		grep -q 'complete:' "$T/$name.recv" && ! grep -qE 'frames? lost|corrupt frame|missing' "$T/$name.recv"; then
		ok "$name ($arch): salvage-recv rebuilt the whole dump, digest right, no frame lost or corrupt"
	else
		not_ok "$name ($arch): salvage-recv rebuilt the whole dump" "$(grep -E 'lost|corrupt frame|INCOMPLETE|MISMATCH' "$T/$name.recv" | head -n 3 | tr '\n' ' ')"
	fi
	rm -f "$T/$name.core"

	name=tftp$i
	QEMU_ARCH=$arch qemu_start "$name" 300 -m 48 -smp 1 -kernel "$SALVAGE_ELF" \
		-append "dump=tftp://10.0.2.2:$SRV_PORT/$name.vmcore salvage.done=reboot" -serial "file:$T/$name.serial" \
		-netdev user,id=n0 -device e1000,netdev=n0 \
		-monitor "unix:$T/$name.mon,server,nowait" -device "loader,file=$T/random.bin,addr=0x1000000,force-raw=on"
	storm "$name" 'tftp: sent [0-9]+ bytes'
	qemu_wait "$name"
	storm_end "$name"
	common_checks "$name"
	size=$(tr -d '\r' <"$T/$name.serial" | sed -n 's/^salvage: tftp: sent \([0-9]*\) bytes.*/\1/p' | head -n 1)
	for _ in $(seq 30); do # tftpd-hpa writes behind its ACKs: let it finish
		[ -s "$srv/$name.vmcore.sha256" ] && (cd "$srv" && sha256sum -c --status "$name.vmcore.sha256") && break
		sleep 0.2
	done
	if [ -n "$size" ] && [ "$(stat -c %s "$srv/$name.vmcore" 2>/dev/null)" = "$size" ] &&
		(cd "$srv" && sha256sum -c --status "$name.vmcore.sha256" 2>/dev/null); then
		ok "$name ($arch): all $size bytes arrived, sha256sum -c passes"
	else
		not_ok "$name ($arch): all bytes arrived, sha256sum -c passes" "sent '${size}', $(ls -l "$srv" | grep "$name" | tr '\n' ' ')"
	fi
	rm -f "$srv/$name.vmcore"
done
finish
