# Helpers for the synthetic-crash tests (source after tests/lib/qemu.sh and qemu_init): plant a crash
# state, get Linux's /proc/vmcore for it, run salvage on it in QEMU over serial, rebuild the dump
# with salvage-recv, and compare or inspect the result.

SALVAGE_ELF=${SALVAGE_ELF:-build/salvage.elf}
SALVAGE_RECV=${SALVAGE_RECV:-build/salvage-recv}
PLANT=tests/lib/plant.py

# synthetic_need: not ok and finish unless salvage and salvage-recv are built.
synthetic_need() {
	local f
	for f in "$SALVAGE_ELF" "$SALVAGE_RECV"; do
		[ -f "$f" ] || { not_ok "build" "$f missing (run make)"; finish; }
	done
}

# synthetic_plant NAME [plant.py make options...]: plant into $T/NAME; sets PLANT_DIR and the
# variables of its plant.env (ELFCOREHDR, ELFCOREHDR_K, PLANT_END_MB, ...) and LOADER (QEMU args).
synthetic_plant() {
	local name=$1; shift
	python3 "$PLANT" make "$T/$name" "$@" >/dev/null || { not_ok "plant $name" "plant.py make failed"; finish; }
	# shellcheck disable=SC1091
	. "$T/$name/plant.env"
	mapfile -t LOADER <"$T/$name/loader.args"
}

# synthetic_oracle: ORACLE = Linux's /proc/vmcore for the current plant (cached), or not ok + finish.
synthetic_oracle() {
	if ORACLE=$(bash tests/lib/oracle.sh "$PLANT_DIR" 2>"$T/oracle.err"); then
		ok "Linux's /proc/vmcore for the planted state ($(stat -c %s "$ORACLE") bytes)"
	else
		not_ok "oracle" "$(tail -n 3 "$T/oracle.err" | tr '\n' ' ')"
		finish
	fi
}

# synthetic_salvage NAME RAM_MB SECONDS APPEND [QEMU args...]: boot salvage (-kernel) on the current
# plant with serial captured to $T/NAME.serial; ok when it finished within SECONDS.
synthetic_salvage() {
	local name=$1 ram=$2 secs=$3 append=$4; shift 4
	synthetic_boot "$name" "$secs" -m "$ram" -kernel "$SALVAGE_ELF" -append "$append" "$@"
}

# synthetic_boot NAME SECONDS [QEMU args...]: qemu-system-i386 with the current plant's loaders,
# serial to $T/NAME.serial; records the wall time in BOOT_SECS.
synthetic_boot() {
	local name=$1 secs=$2 t0; shift 2
	t0=$(date +%s.%N)
	QEMU_ARCH=i386 qemu_run "$name" "$secs" -smp 1 -serial "file:$T/$name.serial" "$@" "${LOADER[@]}"
	BOOT_SECS=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }")
	if [ "$QEMU_RC" = 124 ]; then
		not_ok "$name: salvage finished" "QEMU still running after ${secs}s"
		tail -n 5 "$T/$name.serial" 2>/dev/null | grep -av '^\$S' | cut -c1-200 | sed 's/^/#   | /'
	else
		ok "$name: salvage ran and QEMU exited (status $QEMU_RC, $BOOT_SECS s)"
	fi
	grep -a '^salvage:' "$T/$name.serial" | tr -d '\r' | grep -E 'dump:|serial:.*frames|sent|warn|err' |
		cut -c1-200 | sed 's/^/#   /' | head -n 12
}

# synthetic_recv NAME: rebuild $T/NAME.vmcore from $T/NAME.serial; ok when salvage-recv says complete.
synthetic_recv() {
	local name=$1 rc=0
	"$SALVAGE_RECV" -t 0 -o "$T/$name.vmcore" "$T/$name.serial" >"$T/$name.recv" 2>&1 || rc=$?
	if [ "$rc" = 0 ]; then
		ok "$name: salvage-recv rebuilt a complete dump with a matching digest ($(stat -c %s "$T/$name.vmcore") bytes)"
	else
		not_ok "$name: salvage-recv rebuilt a complete dump" "exit $rc: $(tail -n 3 "$T/$name.recv" | tr '\n' ' ')"
	fi
	return $rc
}

# synthetic_compare NAME REF WHAT: byte-for-byte comparison; on a difference, plant.py diff names it.
synthetic_compare() {
	local name=$1 ref=$2 what=$3
	if [ -f "$T/$name.vmcore" ] && cmp -s "$ref" "$T/$name.vmcore"; then
		ok "$name: dump is byte for byte $what"
	else
		not_ok "$name: dump is byte for byte $what" "differs (details below)"
		[ -f "$T/$name.vmcore" ] && python3 "$PLANT" diff "$ref" "$T/$name.vmcore" | sed 's/^/#   /'
		[ "${KEEP_DIFF:-1}" = 1 ] && mkdir -p build/test-logs &&
			cp "$T/$name.vmcore" "build/test-logs/$name.got.vmcore" 2>/dev/null && cp "$ref" "build/test-logs/$name.expected.vmcore" &&
			echo "#   kept as build/test-logs/$name.{expected,got}.vmcore"
	fi
}

# synthetic_readelf NAME CPUS: readelf shows one PT_NOTE first, CPUS NT_PRSTATUS notes, VMCOREINFO
# with the planted CRASHTIME.
synthetic_readelf() {
	local name=$1 cpus=$2 f=$T/$1.vmcore n
	[ -f "$f" ] || { not_ok "$name: readelf" "no dump"; return; }
	readelf -lW "$f" >"$T/$name.readelf-l" 2>&1
	readelf -nW "$f" >"$T/$name.readelf-n" 2>&1
	n=$(grep -c '^  NOTE' "$T/$name.readelf-l")
	if [ "$n" = 1 ] && grep -A1 '^  Type' "$T/$name.readelf-l" | tail -n 1 | grep -q '^  NOTE'; then
		ok "$name: readelf -l shows one PT_NOTE, first"
	else
		not_ok "$name: readelf -l shows one PT_NOTE, first" "$n PT_NOTEs"
	fi
	n=$(grep -c 'NT_PRSTATUS' "$T/$name.readelf-n")
	[ "$n" = "$cpus" ] && ok "$name: readelf -n shows $cpus NT_PRSTATUS" ||
		not_ok "$name: readelf -n shows $cpus NT_PRSTATUS" "found $n"
	# readelf prints the VMCOREINFO text as hex: decode and look for CRASHTIME.
	if grep -q VMCOREINFO "$T/$name.readelf-n" &&
		grep -A1 VMCOREINFO "$T/$name.readelf-n" | sed -n 's/.*description data: //p' | xxd -r -p |
		grep -q "^CRASHTIME=$CRASHTIME\$"; then
		ok "$name: readelf -n shows VMCOREINFO with CRASHTIME=$CRASHTIME"
	else
		not_ok "$name: readelf -n shows VMCOREINFO with CRASHTIME=$CRASHTIME" "missing"
	fi
}
