# Shell helpers for QEMU/Linux tests (source from bash): ok/not ok reporting, a per-test scratch
# directory, QEMU under timeout with its output in a file, waiting for and requiring console patterns,
# free port picking, and cleanup of everything started (trap on EXIT).
#
#   . tests/lib/qemu.sh
#   qemu_init mytest                       # cd to the repo top, T=scratch dir, cleanup trap
#   qemu_start vm1 60 -kernel build/salvage.elf -serial file:$T/vm1.serial ...   # background
#   wait_for "$T/vm1.serial" 'dump done' 60 || not_ok "..." "..."
#   qemu_wait vm1                          # wait for it to exit; its status is in QEMU_RC
#   qemu_run vm2 60 ...args...             # foreground; sets QEMU_RC (124 = timed out)
#   require "$T/vm1.serial" 'salvage' "banner printed"    # ok / not ok lines
#   forbid  "$T/vm1.serial" 'panic|fault' "no exception"
#   port=$(free_port udp)
#   at_exit "kill $server_pid"             # extra cleanup, run in reverse order
#   finish                                 # exit 1 if any not ok was printed
# QEMU's own stdout+stderr go to $T/<name>.out. KEEP=1 keeps the scratch directory.

QEMU_FAILS=0
QEMU_PASSES=0
QEMU_RC=0
declare -A QEMU_PIDS=()
QEMU_EXIT_HOOKS=()
# Options every test guest wants: no window, no monitor on stdio, exit instead of rebooting.
QEMU_BASE=(-display none -monitor none -no-reboot)

ok() { echo "ok $*"; QEMU_PASSES=$((QEMU_PASSES + 1)); }
# not_ok WHAT WHY
not_ok() { echo "not ok $1: ${2:-failed}"; QEMU_FAILS=$((QEMU_FAILS + 1)); }
# check WHAT COMMAND...: ok when COMMAND succeeds, else not ok (with COMMAND's output shown).
check() {
	local what=$1 out; shift
	if out=$("$@" 2>&1); then ok "$what"; else not_ok "$what" "'$*' failed: $(echo "$out" | tail -n 3 | tr '\n' ' ')"; fi
}

# Run cmd (a string for eval) at exit, before the built-in cleanup; hooks run last-registered first.
at_exit() { QEMU_EXIT_HOOKS+=("$1"); }

_qemu_cleanup() {
	local rc=$? i pid
	for ((i = ${#QEMU_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do eval "${QEMU_EXIT_HOOKS[$i]}" >/dev/null 2>&1 || true; done
	for pid in "${QEMU_PIDS[@]}"; do
		# pid is a `timeout` process: TERM makes it terminate QEMU, then it exits.
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	if [ -n "${T:-}" ] && [ -d "$T" ] && [ "${KEEP:-0}" != 1 ]; then rm -rf "$T"; fi
	exit $rc
}

# qemu_init NAME: cd to the repository top, make the scratch directory $T, install the exit trap.
qemu_init() {
	QEMU_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	cd "$QEMU_TOP" || exit 1
	mkdir -p build/test-tmp
	T=$(mktemp -d "$QEMU_TOP/build/test-tmp/$1.XXXXXX")
	trap _qemu_cleanup EXIT
	trap 'exit 130' INT TERM
}

# qemu_start NAME SECONDS ARGS...: start QEMU (x86_64 unless QEMU_ARCH=i386) in the background
# under a timeout of SECONDS; QEMU's output goes to $T/NAME.out. Sets QEMU_PID.
qemu_start() {
	local name=$1 secs=$2; shift 2
	local bin=qemu-system-${QEMU_ARCH:-x86_64}
	command -v "$bin" >/dev/null 2>&1 || { not_ok "qemu $name" "$bin not installed (make deps)"; finish; }
	timeout --kill-after=5 "$secs" "$bin" "${QEMU_BASE[@]}" "$@" >"$T/$name.out" 2>&1 </dev/null &
	QEMU_PID=$!
	QEMU_PIDS[$name]=$QEMU_PID
}

# qemu_wait NAME: wait until QEMU NAME exits; QEMU_RC = its status (124 when the timeout hit).
qemu_wait() {
	local pid=${QEMU_PIDS[$1]:-}
	[ -n "$pid" ] || { QEMU_RC=127; return 0; }
	wait "$pid"
	QEMU_RC=$?
	unset "QEMU_PIDS[$1]"
	[ "$QEMU_RC" = 124 ] && echo "# qemu $1 timed out"
	return 0
}

# qemu_stop NAME: terminate QEMU NAME now (and reap it).
qemu_stop() {
	local pid=${QEMU_PIDS[$1]:-}
	[ -n "$pid" ] || return 0
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	unset "QEMU_PIDS[$1]"
}

# qemu_run NAME SECONDS ARGS...: run QEMU in the foreground; QEMU_RC = its exit status.
qemu_run() {
	qemu_start "$@"
	qemu_wait "$1"
}

# wait_for FILE REGEX SECONDS [NAME]: poll FILE for an extended regex. Returns 0 when it appears,
# 1 after SECONDS, 2 as soon as QEMU NAME (if given) has exited without it.
wait_for() {
	local file=$1 re=$2 secs=$3 name=${4:-} pid end
	end=$(($(date +%s) + secs))
	[ -n "$name" ] && pid=${QEMU_PIDS[$name]:-}
	while :; do
		[ -f "$file" ] && grep -aqE -- "$re" "$file" && return 0
		if [ -n "${pid:-}" ] && ! kill -0 "$pid" 2>/dev/null; then
			[ -f "$file" ] && grep -aqE -- "$re" "$file" && return 0
			return 2
		fi
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# require FILE REGEX WHAT: ok when FILE contains REGEX, else not ok with the file's tail shown.
require() {
	if [ -f "$1" ] && grep -aqE -- "$2" "$1"; then
		ok "$3"
	else
		not_ok "$3" "no /$2/ in $1"
		[ -f "$1" ] && tail -n 15 "$1" | tr -d '\r' | cut -c1-200 | sed 's/^/#   | /'
	fi
}

# forbid FILE REGEX WHAT: ok when FILE does not contain REGEX, else not ok quoting the first match.
forbid() {
	local hit
	if [ -f "$1" ] && hit=$(grep -aE -m1 -- "$2" "$1"); then
		not_ok "$3" "found /$2/: $(echo "$hit" | tr -d '\r' | cut -c1-200)"
	else
		ok "$3"
	fi
}

# free_port [tcp|udp]: print a port on 127.0.0.1 that nothing listens on right now.
free_port() {
	python3 - "${1:-tcp}" <<'EOF'
import socket, sys
kind = socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
EOF
}

# finish: end the test; non-zero when anything failed or nothing was asserted.
finish() {
	if [ "$QEMU_FAILS" = 0 ] && [ "$QEMU_PASSES" = 0 ]; then
		echo "not ok $(basename "$0" .sh): asserted nothing"
		exit 1
	fi
	[ "$QEMU_FAILS" = 0 ] && exit 0
	exit 1
}
