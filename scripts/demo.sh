#!/bin/bash
# `make demo`: salvage on a REAL Linux crash. Debian's kernel boots in QEMU (TCG, KASLR on, 2 CPUs)
# with a small crashkernel= reservation, salvage-load loads salvage with kexec -p, sysrq-c panics the
# kernel, salvage sends the dump (TFTP to a local tftpd-hpa by default, or serial), and the crashed
# kernel's last log lines are read back from the dump with makedumpfile, and the panicking task's
# backtrace with crash (Debian's debug vmlinux, fetched once into build/cache/).
#   DEMO_DUMP=tftp (default) | serial     where salvage sends the dump
#   DEMO_TYPE=elf (default) | multiboot    salvage-load --type
#   DEMO_MEM=128 DEMO_CK=<size>            guest RAM (MiB) and crashkernel= (default: the smallest)
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@" # make demo runs it with sh
set -uo pipefail
cd "$(dirname "$0")/.."
DUMP=${DEMO_DUMP:-tftp}
TYPE=${DEMO_TYPE:-elf}
MEM=${DEMO_MEM:-128}
CK=${DEMO_CK:-}	# default: the smallest salvage-load computes for this image
step() { printf '\n== %s\n' "$*"; }
say() { printf '   %s\n' "$*"; }
die() { printf '\ndemo failed: %s\n' "$*"; exit 1; }
elapsed() { python3 -c "print('%.1f' % ($(date +%s.%N) - $1))"; }

# The test helpers: QEMU under timeout with cleanup, the guest image builder, the TFTP server.
KEEP=1
. tests/lib/qemu.sh
qemu_init demo
. tests/lib/linux-crash.sh

cat <<EOF
salvage demo: a real Debian Linux kernel panics in QEMU and salvage captures it.
Dump target: $DUMP (DEMO_DUMP=serial|tftp), load path: $TYPE (DEMO_TYPE=elf|multiboot).
Files go to $T/.
EOF

step "1. Build salvage, salvage-recv and salvage-mkcorehdr"
make -s all || die "make failed"
mem=0
for m in $(readelf -lW build/salvage.elf | awk '$1 == "LOAD" { print $6 }'); do mem=$((mem + m)); done
say "build/salvage.elf: $((mem / 1024)) KiB in memory (PT_LOAD memsz, .bss included)"

step "2. Debian's kernel and a busybox initramfs (kexec, salvage-load, salvage.elf, a 16 MiB pattern)"
lc_prepare
say "kernel: $K/vmlinuz ($(basename "$(dirname "$K/lib/modules/"*/modules.order)"))"
[ -n "$CK" ] || CK=$(lc_min_ck "$TYPE")
say "initramfs: $T/guest.gz ($(stat -c %s "$T/guest.gz") bytes); pattern seed $LC_SEED"

load="--type,$TYPE,--done,reboot"
qemu_extra=()
if [ "$DUMP" = tftp ]; then
	step "3. A TFTP server for the dump (stock tftpd-hpa on 127.0.0.1; the guest sees it as 10.0.2.2)"
	lc_tftp_server
	say "tftpd-hpa on port $SRV_PORT serving $LC_TFTP_DIR"
	load="$load,--dump,tftp://10.0.2.2:$SRV_PORT/vmcore-%m,--ip,dhcp"
	qemu_extra=("${LC_NIC_ARGS[@]}")
else
	step "3. The dump goes over the serial console (ttyS0), framed lines mixed with the log"
	load="$load,--dump,serial"
fi

step "4. Boot Linux with crashkernel=$CK, load salvage, crash it with sysrq-c"
say "qemu-system-x86_64 -smp $LC_SMP -m $MEM ... -append 'console=ttyS0 crashkernel=$CK ...'"
say "in the guest: salvage-load ${load//,/ }; echo c > /proc/sysrq-trigger"
t0=$(date +%s.%N)
lc_boot demo 900 "$T/guest.gz" "$MEM" "$CK" "t.mode=salvage t.seed=$LC_SEED t.mib=$LC_MIB t.load=$load" "${qemu_extra[@]}"
wait_for "$T/demo.serial" 'sysrq: Trigger a crash' 240 demo || die "Linux did not crash; see $T/demo.serial"
say "Linux up and crashed after $(elapsed "$t0") s; the guest said:"
tr -d '\r' <"$T/demo.serial" | grep -aE '^GUEST: (up|crash reservation|iomem .*Crash)|^salvage-load|^\[ *[0-9.]+\] (sysrq|Kernel panic)' |
	cut -c1-140 | sed 's/^/     | /'
t1=$(date +%s.%N)
qemu_wait demo
say "salvage ran and the machine rebooted $(elapsed "$t1") s after the crash; salvage's console:"
# The crashed kernel's log lines salvage showed come in step 6: here only its line about them.
tr -d '\r' <"$T/demo.serial" | grep -a '^salvage: ' | grep -avE 'memory: 0x|[0-9]+% \(|^salvage: dmesg: ( |\[)' |
	cut -c1-140 | sed 's/^/     | /'

step "5. The dump"
if [ "$DUMP" = tftp ]; then
	core=$(ls "$LC_TFTP_DIR"/vmcore-* 2>/dev/null | grep -v -e '\.sha256$' -e '\.dmesg$' | head -n 1)
	[ -n "$core" ] || die "no dump arrived in $LC_TFTP_DIR"
	(cd "$LC_TFTP_DIR" && sha256sum -c "$(basename "$core").sha256") | sed 's/^/     | /'
else
	core=$T/vmcore
	lc_recv demo "$core" || { sed 's/^/     | /' "$T/demo.recv"; die "salvage-recv could not rebuild the dump"; }
	sed 's/^/     | /' "$T/demo.recv" | tail -n 3
fi
say "$core: $(stat -c %s "$core") bytes"
readelf -lW "$core" | sed -n '/Program Headers/,/^$/p' | sed 's/^/     /'
readelf -nW "$core" | grep -E 'CORE|VMCOREINFO' | sed 's/[[:space:]]*description data:.*//; s/^/     /'
lc_extract demo VMCOREINFO-BEGIN VMCOREINFO-END "$T/demo.vmcoreinfo"
lc_iomem demo "$T/demo.iomem"
python3 tests/lib/vmcore-check.py "$core" --prstatus "$LC_SMP" --vmcoreinfo "$T/demo.vmcoreinfo" \
	--pattern "$T/pattern.bin" --iomem "$T/demo.iomem" --label dump | sed 's/^/     /'

step "6. The crashed kernel's last log lines, read from the dump (makedumpfile --dump-dmesg)"
makedumpfile --dump-dmesg "$core" "$T/dmesg.txt" >"$T/makedumpfile.log" 2>&1 ||
	die "makedumpfile failed: $(tail -n 2 "$T/makedumpfile.log")"
if [ -f "$core.dmesg" ] && cmp -s "$core.dmesg" "$T/dmesg.txt"; then
	say "the same file salvage wrote beside the dump ($(basename "$core").dmesg); its console showed the last lines before the dump"
fi
n=$(grep -n 'sysrq: Trigger a crash' "$T/dmesg.txt" | tail -n 1 | cut -d: -f1)
{ [ -n "$n" ] && sed -n "$((n > 3 ? n - 3 : 1)),$((n + 8))p" "$T/dmesg.txt" && echo "..."; tail -n 3 "$T/dmesg.txt"; } |
	cut -c1-140 | sed 's/^/     | /'

step "7. The panicking task's backtrace, from the dump in crash (Debian's debug vmlinux, fetched once)"
ver=$(basename "$(dirname "$K/lib/modules/"*/modules.order)")
if vmlinux=$(sh tests/lib/debian-vmlinux.sh 2>"$T/vmlinux.err"); then
	printf '%s\n' bt q >"$T/crash.cmds"
	if timeout 300 crash -s "$vmlinux" "$core" -i "$T/crash.cmds" </dev/null >"$T/crash.out" 2>&1; then
		{ echo "crash> bt"; sed -n '/^PID:/,$p' "$T/crash.out" | head -n 14; } | cut -c1-140 | sed 's/^/     | /'
	else
		say "crash failed: $(tail -n 2 "$T/crash.out")"
	fi
else
	say "no debug vmlinux ($(tail -n 1 "$T/vmlinux.err")): skipping crash"
	vmlinux=/usr/lib/debug/boot/vmlinux-$ver
fi
say "crash $vmlinux $core      # crash reads KERNELOFFSET from VMCOREINFO"
say "gdb $vmlinux $core        # registers from the NT_PRSTATUS notes"
printf '\nDone in %s s: a real kernel panic, captured by salvage (crashkernel=%s), read back from the dump.\n' \
	"$(elapsed "$t0")" "$CK"
