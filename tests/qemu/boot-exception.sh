#!/bin/bash
# CPU exceptions are reported (vector, error code, EIP, registers) and survived: one inside a
# dump target (salvage.fault=1) fails only that target and the next one sends the dump; one
# outside any target (salvage.fault=0) is reported and the machine resets — never a silent
# triple fault or hang.
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
finish
