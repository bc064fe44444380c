#!/bin/bash
# CPU exceptions are reported (vector, error code, EIP, registers) and survived: one inside a
# dump target (salvage.fault=1) fails only that target and the next one sends the dump; one
# outside any target (salvage.fault=0) is reported and the machine resets — never a silent
# triple fault or hang. An NMI (QEMU monitor "nmi") in the middle of a dump is counted, logged at
# the next line and ignored (tests/qemu/nmi-storm.sh sends thousands).
set -u
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init boot-exception

QEMU_ARCH=i386 qemu_run in-target 120 -m 4 -kernel build/salvage.elf \
	-append "salvage.fault=1 dump=serial dump=serial salvage.done=reboot" -serial file:"$T/t.serial"
S=$T/t.serial
[ "$QEMU_RC" = 0 ] && ok "in a target: QEMU exited by salvage's reboot" || not_ok "in a target: QEMU exited by salvage's reboot" "rc $QEMU_RC"
require "$S" '^salvage: error: CPU exception 13 \(#GP general protection\), error code 0x1234, at eip 0x[0-9a-f]{8} \(salvage\+0x[0-9a-f]+\)$' "in a target: vector, error code and EIP reported"
require "$S" '^salvage: error:   eax=[0-9a-f]{8} ebx=[0-9a-f]{8} .* esp=[0-9a-f]{8}$' "in a target: general registers reported"
require "$S" '^salvage: error:   eflags=[0-9a-f]{8} cs=0008 ds=0010 .* cr0=[0-9a-f]{8}' "in a target: segment and control registers reported"
require "$S" '^salvage: error: target 1 failed with a CPU exception$' "in a target: target 1 abandoned"
require "$S" '^salvage: warning: target 1 failed \(-5\); trying the next$' "in a target: next target tried"
require "$S" '^salvage: serial: sent [0-9]+ bytes' "in a target: target 2 sends the dump"
forbid "$S" 'outside a dump target|no dump target succeeded' "in a target: no reset, dump not lost"
[ "$(grep -acE 'CPU exception [0-9]' "$S")" = 1 ] && ok "in a target: exactly one exception" || not_ok "in a target: exactly one exception" "$(grep -acE 'CPU exception [0-9]' "$S") reported"
build/salvage-recv -t 0 -o "$T/core" "$S" >"$T/recv.out" 2>&1 && ok "in a target: dump after the exception is complete" ||
	not_ok "in a target: dump after the exception is complete" "$(tail -3 "$T/recv.out")"

QEMU_ARCH=i386 qemu_run outside 120 -m 4 -kernel build/salvage.elf \
	-append "salvage.fault=0 salvage.done=halt" -serial file:"$T/o.serial"
S=$T/o.serial
[ "$QEMU_RC" = 0 ] && ok "outside targets: QEMU exited by the reset (not a hang)" || not_ok "outside targets: QEMU exited by the reset (not a hang)" "rc $QEMU_RC"
require "$S" '^salvage: error: CPU exception 13 \(#GP general protection\), error code 0x1234' "outside targets: exception reported"
require "$S" '^salvage: error: exception outside a dump target: resetting$' "outside targets: says it resets"
require "$S" '^salvage: rebooting$' "outside targets: resets even with salvage.done=halt"
forbid "$S" 'serial: sending' "outside targets: nothing runs after the exception"

# An NMI while the dump is being sent: ignored, the dump completes.
QEMU_ARCH=i386 qemu_start nmi 120 -m 48 -kernel build/salvage.elf -append "salvage.done=reboot" \
	-serial file:"$T/n.serial" -monitor unix:"$T/mon.sock",server,nowait
S=$T/n.serial
if wait_for "$S" 'serial: sending' 60 nmi; then
	python3 - "$T/mon.sock" <<'PY' || not_ok "NMI sent" "monitor unreachable"
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); time.sleep(0.3)
s.send(b"nmi\n"); time.sleep(0.5); s.close()
PY
fi
qemu_wait nmi
[ "$QEMU_RC" = 0 ] && ok "NMI: QEMU exited by salvage's reboot" || not_ok "NMI: QEMU exited by salvage's reboot" "rc $QEMU_RC"
require "$S" '^salvage: warning: 1 NMI ignored since the last line \(first at eip 0x[0-9a-f]{8}, salvage\+0x[0-9a-f]+\)$' "NMI: counted, reported at the next line as ignored"
forbid "$S" 'CPU exception|target 1 failed' "NMI: not treated as a failure"
build/salvage-recv -t 0 -o "$T/ncore" "$S" >"$T/nrecv.out" 2>&1 && ok "NMI: dump still complete" ||
	not_ok "NMI: dump still complete" "$(tail -3 "$T/nrecv.out")"
finish
