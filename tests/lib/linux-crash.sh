# Helpers for the real-crash tests and the demo (source from bash after tests/lib/qemu.sh and
# qemu_init): build the guest initramfs (busybox, kexec, salvage, salvage-load, salvage-mkcorehdr,
# the pattern holder), boot Debian's kernel in QEMU, crash it, time the dump and check it.
#
#   lc_prepare                 # K=kernel dir, $T/guest.gz, $T/pattern.bin (LC_SEED, LC_MIB);
#                              # LC_INITRAMFS_EXTRA=(-f SRC:DST ...) adds files to the guest
#   lc_prepare_peer            # $T/peer-outer.gz: the guest plus Debian's kernel as kdump peer
#   lc_boot NAME SECS INITRD MEM CRASHKERNEL 'WORDS' [QEMU ARGS]  # -smp 2, serial -> $T/NAME.serial
#   lc_tftp_server             # tftpd-hpa on a free port: LC_TFTP_DIR, SRV_PORT (guest: 10.0.2.2)
#   lc_check_dump NAME CORE [checker args]  # vmcore-check.py + makedumpfile --dump-dmesg + lc_consumers
#   lc_consumers NAME CORE NCPU  # crash (with the -dbg vmlinux) and vmcore-dmesg open a crash dump
#   lc_min_ck elf|multiboot|bzimage  # the smallest crashkernel= salvage-load computes for this image
#   lc_exact_ck TYPE           # the same unrounded: <N>K
#   lc_time_crash NAME         # waits (LC_CRASH_WAIT s) for the crash and QEMU's exit; LC_CRASH_SECS, LC_DONE_SECS
#   lc_extract NAME BEGIN END OUT   # bytes of an `od -tx1` block the guest printed between markers
#   lc_iomem NAME OUT          # the guest's printed /proc/iomem lines
#   lc_recv NAME OUT           # rebuilds salvage's serial dump with build/salvage-recv

LC_SEED=${LC_SEED:-0x5a17a6e}
LC_MIB=${LC_MIB:-16}
LC_SMP=${LC_SMP:-2}
LC_BUILD=${LC_BUILD:-build}	# where salvage.elf, salvage-mkcorehdr and salvage-recv are

lc_prepare() {
	K=$(sh tests/lib/debian-kernel.sh) || { not_ok "debian kernel" "tests/lib/debian-kernel.sh failed"; finish; }
	local f
	for f in "$LC_BUILD/salvage.elf" "$LC_BUILD/salvage.bzImage" "$LC_BUILD/salvage.multiboot.elf" \
		"$LC_BUILD/salvage-mkcorehdr" "$LC_BUILD/salvage-recv"; do
		[ -f "$f" ] || { not_ok "build" "$f missing (run make)"; finish; }
	done
	gcc -O2 -static -o "$T/pattern" tests/lib/pattern.c || { not_ok "pattern helper" "does not build"; finish; }
	"$T/pattern" write "$LC_SEED" "$LC_MIB" "$T/pattern.bin" || { not_ok "pattern file" "not written"; finish; }
	bash tests/lib/initramfs.sh -o "$T/guest.gz" -i tests/lib/crash-guest-init -k "$K" \
		-f "$T/pattern:/sbin/pattern" \
		-f "$LC_BUILD/salvage.elf":/usr/local/lib/salvage/salvage.elf \
		-f "$LC_BUILD/salvage.bzImage":/usr/local/lib/salvage/salvage.bzImage \
		-f "$LC_BUILD/salvage.multiboot.elf":/usr/local/lib/salvage/salvage.multiboot.elf \
		-f tools/salvage-load:/usr/local/sbin/salvage-load \
		-b "$LC_BUILD/salvage-mkcorehdr":/usr/local/sbin/salvage-mkcorehdr \
		-b /sbin/kexec ${LC_INITRAMFS_EXTRA[@]+"${LC_INITRAMFS_EXTRA[@]}"} >"$T/initramfs.log" 2>&1 ||
		{ not_ok "guest initramfs" "$(tail -n 3 "$T/initramfs.log")"; finish; }
}

# The peer: the guest image plus Debian's vmlinuz and a second initramfs (the same init) for the
# crash kernel. LC_PEER_INIT and LC_PEER_OPTS (initramfs.sh options, e.g. "-m e1000") change the
# crash kernel's image (bench/ sends /proc/vmcore over TFTP).
lc_prepare_peer() {
	# shellcheck disable=SC2086
	bash tests/lib/initramfs.sh -o "$T/peer.gz" -i "${LC_PEER_INIT:-tests/lib/crash-guest-init}" -k "$K" \
		${LC_PEER_OPTS:-} >"$T/initramfs.log" 2>&1 &&
		bash tests/lib/initramfs.sh -o "$T/peer-outer.gz" -i tests/lib/crash-guest-init -k "$K" \
			-f "$T/pattern:/sbin/pattern" \
			-b "$LC_BUILD/salvage-mkcorehdr":/usr/local/sbin/salvage-mkcorehdr \
			-f "$K/vmlinuz:/vmlinuz" -f "$T/peer.gz:/peer.gz" -b /sbin/kexec >>"$T/initramfs.log" 2>&1 ||
		{ not_ok "peer initramfs" "$(tail -n 3 "$T/initramfs.log")"; finish; }
}

# lc_boot NAME SECS INITRD MEM CRASHKERNEL WORDS: Debian's kernel, KASLR on, TCG. init_on_free=1
# zeroes freed pages, so the serial dump carries little besides live data (LC_INIT_ON_FREE=0 leaves
# a big guest's memory untouched). LC_MACHINE: QEMU's machine (default pc). no_timer_check: on a
# loaded host, Linux's boot-time check of the IO-APIC timer under TCG can fail and panic ("IO-APIC +
# timer doesn't work") before the crash a test is about.
declare -A LC_BOOT_ARGS
lc_boot() {
	local name=$1 secs=$2 initrd=$3 mem=$4 ck=$5 words=$6
	LC_BOOT_ARGS[$name]=$(printf '%q ' "$@")	# for lc_time_crash's one retry
	shift 6
	: >"$T/$name.serial"
	qemu_start "$name" "$secs" -M "${LC_MACHINE:-pc}" -smp "$LC_SMP" -m "$mem" -kernel "$K/vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=5 no_timer_check init_on_free=${LC_INIT_ON_FREE:-1} crashkernel=$ck $words" \
		-serial "file:$T/$name.serial" "$@"
}

# lc_min_ck TYPE: what `salvage-load --print-crashkernel` says salvage needs (its PT_LOAD span plus
# kexec-tools' segments, rounded up to a MiB). The tests reserve exactly that: it must be enough.
lc_min_ck() {
	SALVAGE_CONF=/nonexistent sh tools/salvage-load --print-crashkernel --type "$1" --image "$(lc_image "$1")" \
		--mkcorehdr "$LC_BUILD/salvage-mkcorehdr"
}

# lc_image TYPE: the image salvage-load loads for --type TYPE.
lc_image() {
	case $1 in
	bzimage) echo "$LC_BUILD/salvage.bzImage" ;;
	multiboot) echo "$LC_BUILD/salvage.multiboot.elf" ;;
	*) echo "$LC_BUILD/salvage.elf" ;;
	esac
}

# lc_exact_ck TYPE: the same figure unrounded, in KiB (crashkernel=<N>K): the tightest reservation
# salvage-load accepts, which must still hold everything the kernel loads.
lc_exact_ck() {
	SALVAGE_SYSFS=/nonexistent SALVAGE_CONF=/nonexistent sh tools/salvage-load --status --type "$1" --image "$(lc_image "$1")" \
		--mkcorehdr "$LC_BUILD/salvage-mkcorehdr" |
		sed -n 's/.*needs \([0-9]*\) KiB reserved.*/\1K/p'
}

# The dump's TFTP server: stock tftpd-hpa (tests/lib/tftp.sh) in a fresh directory; salvage gets a
# NIC with LC_NIC_ARGS and sends to tftp://10.0.2.2:$SRV_PORT/...
LC_NIC_ARGS=(-netdev user,id=n0 -device e1000,netdev=n0)
lc_tftp_server() {
	. tests/lib/tftp.sh
	LC_TFTP_DIR=$(tftp_dir tftp)
	tftp_hpa "$LC_TFTP_DIR" -c
}

# lc_check_dump NAME CORE [vmcore-check.py args]: the checker on CORE (with the guest's printed
# VMCOREINFO and /proc/iomem of run NAME and the pattern), then makedumpfile --dump-dmesg must show
# the crashed kernel's sysrq and panic lines and lc_consumers (crash, vmcore-dmesg) must open it, with
# NCPU from the --prstatus argument (LC_CONSUMERS=0 leaves lc_consumers out). Counts failures into
# QEMU_FAILS.
lc_check_dump() {
	local name=$1 core=$2
	shift 2
	lc_extract "$name" VMCOREINFO-BEGIN VMCOREINFO-END "$T/$name.vmcoreinfo"
	lc_iomem "$name" "$T/$name.iomem"
	python3 tests/lib/vmcore-check.py "$core" --vmcoreinfo "$T/$name.vmcoreinfo" --pattern "$T/pattern.bin" \
		--iomem "$T/$name.iomem" --label "$name" --phdrs-out "$T/$name.phdrs" "$@" || QEMU_FAILS=$((QEMU_FAILS + 1))
	makedumpfile --dump-dmesg "$core" "$T/$name.dmesg" >"$T/$name.makedumpfile" 2>&1
	grep -aq '^salvage: ' "$T/$name.serial" && lc_check_dmesg "$name" "$core"
	if [ "${LC_LIVE:-0}" = 1 ]; then
		require "$T/$name.dmesg" 'Run /init as init process' "$name: makedumpfile --dump-dmesg reads the kernel log"
	else
		require "$T/$name.dmesg" 'sysrq: Trigger a crash' "$name: makedumpfile --dump-dmesg shows the sysrq line"
		require "$T/$name.dmesg" 'Kernel panic - not syncing' "$name: makedumpfile --dump-dmesg shows the panic"
		local a ncpu=0 prev=""
		for a in "$@"; do [ "$prev" = --prstatus ] && ncpu=$a; prev=$a; done
		[ "${LC_CONSUMERS:-1}" = 0 ] || lc_consumers "$name" "$core" "$ncpu"
	fi
}

# lc_check_dmesg NAME CORE: salvage showed the crashed kernel's log before the dump: its console
# (run NAME's serial) has the header line and exactly the last LC_DMESG_LINES (50) lines that
# makedumpfile --dump-dmesg writes for CORE (cut at 400 columns as the console cuts them); after a
# TFTP dump (a "tftp: sending" line), CORE.dmesg beside it is makedumpfile's whole file byte for
# byte (with dump.encrypt=, no .dmesg at all). Counts failures into QEMU_FAILS.
lc_check_dmesg() {
	local name=$1 core=$2 n=${LC_DMESG_LINES:-50}
	tr -d '\r' <"$T/$name.serial" | grep -a '^salvage: dmesg: ' | sed 's/^salvage: dmesg: //' >"$T/$name.console-dmesg"
	if ! head -n 1 "$T/$name.console-dmesg" | grep -q "^the crashed kernel's log (printk_ringbuffer): [0-9]* records, [0-9]* lines"; then
		not_ok "$name: salvage shows the crashed kernel's log on its console" \
			"no header line; $(grep -a 'dmesg' "$T/$name.serial" | head -n 2 | tr -d '\r' | tr '\n' ' ')"
		return
	fi
	sed -i 1d "$T/$name.console-dmesg"
	check "$name: salvage's console shows the last $n lines of makedumpfile --dump-dmesg's log ($(wc -l <"$T/$name.dmesg") lines)" \
		cmp "$T/$name.console-dmesg" <(tail -n "$n" "$T/$name.dmesg" | cut -c 1-400)
	if grep -aq 'salvage: tftp: encrypted to' "$T/$name.serial"; then
		# The log would be clear text beside an encrypted dump: salvage writes none.
		forbid "$T/$name.serial" "salvage: tftp: wrote '[^']*\.dmesg'" "$name: no clear .dmesg beside the encrypted dump"
	elif grep -aq 'salvage: tftp: sending' "$T/$name.serial"; then
		require "$T/$name.serial" "salvage: tftp: wrote '[^']*\.dmesg' \([0-9]+ bytes, [0-9]+ ms\)" "$name: salvage wrote the log beside the dump"
		check "$name: $(basename "$core").dmesg is makedumpfile --dump-dmesg's log byte for byte" cmp "$core.dmesg" "$T/$name.dmesg"
	fi
}

# lc_consumers NAME CORE NCPU: the dump's real consumers on a sysrq crash dump with NCPU CPU notes.
# vmcore-dmesg (kexec-tools) must show the sysrq and panic lines and the same log as makedumpfile;
# crash, with Debian's vmlinux carrying debug info (tests/lib/debian-vmlinux.sh) and KASLR taken
# from the dump's VMCOREINFO, must start and show the panic (sys), the panicking task's stack through
# sysrq_handle_crash and panic (bt), one task per CPU note (bt -a), the kernel log (log), init (ps)
# and the pattern holder in the task list. crash 8.0.2 reads struct pid as 96 bytes while this
# kernel's upid numbers[] is a flexible array past them, so its PID table (ps, "TASKS:") holds only
# the active tasks; the task list is walked with `list` instead. Counts failures into QEMU_FAILS.
lc_consumers() {
	local name=$1 core=$2 ncpu=$3 out=$T/$1.crash rel c t0 secs s i
	vmcore-dmesg "$core" >"$T/$name.vmcore-dmesg" 2>&1
	require "$T/$name.vmcore-dmesg" 'sysrq: Trigger a crash' "$name: vmcore-dmesg shows the sysrq line"
	require "$T/$name.vmcore-dmesg" 'Kernel panic - not syncing: sysrq triggered crash' "$name: vmcore-dmesg shows the panic"
	# The two readers indent continuation lines differently.
	check "$name: vmcore-dmesg and makedumpfile --dump-dmesg read the same log" \
		cmp <(sed 's/^ *//' "$T/$name.dmesg") <(sed 's/^ *//' "$T/$name.vmcore-dmesg")

	if [ -z "${LC_VMLINUX:-}" ]; then
		LC_VMLINUX=$(sh tests/lib/debian-vmlinux.sh 2>"$T/vmlinux.err") ||
			{ LC_VMLINUX=""; not_ok "$name: crash opens the dump" "no vmlinux: $(cat "$T/vmlinux.err")"; return; }
	fi
	# "!echo" lines mark where each command's output starts (crash runs them through the shell).
	printf '%s\n' '!echo @@sys' sys '!echo @@bt' bt '!echo @@bta' 'bt -a' '!echo @@log' log '!echo @@ps' ps \
		'!echo @@tasks' 'list task_struct.tasks -s task_struct.comm -h init_task' '!echo @@end' q >"$T/crash.cmds"
	t0=$(date +%s.%N)
	timeout 300 crash -s "$LC_VMLINUX" "$core" -i "$T/crash.cmds" </dev/null >"$out" 2>&1
	c=$?
	secs=$(python3 -c "print(round($(date +%s.%N)-$t0,1))")
	echo "# $name: crash -s vmlinux dump -i cmds took ${secs}s (exit $c)"
	for s in sys bt bta log ps tasks; do
		sed -n "/^@@$s\$/,/^@@/p" "$out" >"$T/$name.crash-$s"
	done
	if [ "$c" = 0 ] && grep -q '^@@end$' "$out"; then
		ok "$name: crash ran every command and quit (exit 0)"
	else
		not_ok "$name: crash ran every command and quit" "exit $c; $(grep -v '^@@' "$out" | tail -n 3 | tr '\n' ' ')"
	fi
	# Outside the kernel log, any of crash's read or lookup errors means a page or note it needed.
	sed '/^@@log$/,/^@@ps$/d' "$out" >"$T/$name.crash-nolog"
	forbid "$T/$name.crash-nolog" 'read error|seek error|invalid (kernel|user) virtual address|cannot |do not match|^crash: ' \
		"$name: crash reported no read or lookup error"
	rel=$(grep -a 'GUEST: up: Linux ' "$T/$name.serial" | sed 's/.*Linux \([^ ,]*\).*/\1/' | tr -d '\r' | head -n 1)
	require "$T/$name.crash-sys" "RELEASE: ${rel:-no-GUEST-up-line}\$" "$name: crash sys: the guest's release ${rel}"
	require "$T/$name.crash-sys" "CPUS: $LC_SMP( |\$)" "$name: crash sys: $LC_SMP CPUs"
	require "$T/$name.crash-sys" 'PANIC: "Kernel panic - not syncing: sysrq triggered crash"' "$name: crash sys: the panic message"
	require "$T/$name.crash-bt" ' sysrq_handle_crash at ffffffff' "$name: crash bt: the panicking task ran sysrq_handle_crash"
	require "$T/$name.crash-bt" ' panic at ffffffff' "$name: crash bt: ... and panic"
	require "$T/$name.crash-bt" '__crash_kexec at ffffffff' "$name: crash bt: ... and __crash_kexec"
	for ((i = 0; i < ncpu; i++)); do
		require "$T/$name.crash-bta" "^PID: .* CPU: $i +COMMAND:" "$name: crash bt -a: a task on CPU $i"
	done
	if [ "$ncpu" -ge 2 ]; then
		require "$T/$name.crash-bta" 'crash_nmi_callback at ffffffff' "$name: crash bt -a: the other CPU stopped by the crash NMI"
	fi
	require "$T/$name.crash-log" 'sysrq: Trigger a crash' "$name: crash log: the sysrq line"
	require "$T/$name.crash-log" 'Kernel panic - not syncing: sysrq triggered crash' "$name: crash log: the panic line"
	require "$T/$name.crash-ps" '^>? +1 +0 +[0-9]+ +[0-9a-f]+ +RU .* init(\.guest)?$' "$name: crash ps: init (pid 1) running"
	require "$T/$name.crash-tasks" 'comm = "kthreadd' "$name: crash walks the task list (kthreadd)"
	require "$T/$name.crash-tasks" 'comm = "pattern' "$name: crash walks the task list (the pattern holder)"
}

# lc_sha256_ok FILE [LABEL]: `sha256sum -c FILE.sha256` passes beside FILE (salvage wrote both).
lc_sha256_ok() {
	local dir base
	dir=$(dirname "$1") base=$(basename "$1")
	check "${2:+$2: }$base.sha256 matches" sh -c "cd '$dir' && sha256sum -c '$base.sha256'"
}

# lc_no_dump NAME WHAT WHY: the dump of QEMU NAME did not arrive; fail WHAT and show salvage's last
# log lines.
lc_no_dump() {
	not_ok "$2" "$3"
	grep -a 'salvage: ' "$T/$1.serial" | tail -n 8 | sed 's/^/#   | /'
}

# lc_no_crash NAME WHAT [WHY]: Linux in QEMU NAME never got to the crash; fail WHAT and show the end of
# its console.
lc_no_crash() {
	not_ok "$2" "${3:-no sysrq line (see $T/$1.serial)}"
	tail -n 20 "$T/$1.serial" | sed 's/^/#   | /'
}

# lc_time_crash NAME: wait for "sysrq: Trigger a crash", then for QEMU NAME to exit (salvage reboots,
# the peer powers off; -no-reboot makes either end QEMU). Sets LC_CRASH_SECS (boot to crash),
# LC_UP_SECS (crash to the capture kernel's first console line: salvage's banner or the peer's
# init) and LC_DONE_SECS (crash to exit), polled every 0.1 s on the host's clock. A guest whose
# Linux never reached the test's init (no GUEST: line: seen once as a soft lockup in the kernel's
# own crypto self-test under TCG on a loaded host) is booted once more; nothing of salvage ran.
lc_time_crash() {
	local name=$1 t0 t1 t2 tu="" pid last
	LC_CRASH_SECS="" LC_DONE_SECS="" LC_UP_SECS=""
	t0=$(date +%s.%N)
	if ! wait_for "$T/$name.serial" 'sysrq: Trigger a crash' "${LC_CRASH_WAIT:-240}" "$name"; then
		qemu_stop "$name"
		grep -aq 'GUEST: ' "$T/$name.serial" && return 1
		last=$(tr -d '\r' <"$T/$name.serial" | grep -a . | tail -n 1 | cut -c1-100)
		echo "# $name: Linux never reached the test's init${last:+ (its last line: $last)}; booting it once more"
		cp "$T/$name.serial" "$T/$name.serial.first"
		eval "lc_boot ${LC_BOOT_ARGS[$name]}"
		t0=$(date +%s.%N)
		if ! wait_for "$T/$name.serial" 'sysrq: Trigger a crash' "${LC_CRASH_WAIT:-240}" "$name"; then
			qemu_stop "$name"
			return 1
		fi
	fi
	pid=${QEMU_PIDS[$name]:-}
	t1=$(date +%s.%N)
	while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
		[ -z "$tu" ] && grep -aqE '^salvage: salvage at|peer crash kernel up' "$T/$name.serial" && tu=$(date +%s.%N)
		sleep 0.1
	done
	t2=$(date +%s.%N)
	qemu_wait "$name"
	LC_CRASH_SECS=$(python3 -c "print(round($t1-$t0,1))")
	LC_DONE_SECS=$(python3 -c "print(round($t2-$t1,1))")
	[ -n "$tu" ] && LC_UP_SECS=$(python3 -c "print(round($tu-$t1,1))")
	return 0
}

# lc_extract NAME BEGIN END OUT: the `od -An -tx1` lines between two marker lines, as raw bytes.
lc_extract() {
	sed -n "/^$2\r\?\$/,/^$3\r\?\$/p" "$T/$1.serial" | tr -d '\r' | grep -E '^( [0-9a-f]{2})+$' |
		python3 -c 'import sys; sys.stdout.buffer.write(bytes.fromhex("".join(sys.stdin.read().split())))' >"$4"
}

lc_iomem() { grep -a 'GUEST: iomem ' "$T/$1.serial" | tr -d '\r' >"$2"; }

# lc_recv NAME OUT: salvage-recv rebuilds the dump from the serial log; 0 when complete and verified.
lc_recv() {
	"$LC_BUILD/salvage-recv" -t 0 -o "$2" "$T/$1.serial" >"$T/$1.recv" 2>&1
}
