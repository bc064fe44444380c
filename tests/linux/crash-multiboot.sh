#!/bin/bash
# Real crash, multiboot path: salvage-load --type multiboot builds the ELF core header itself
# (salvage-mkcorehdr: /proc/iomem, crash_notes, /sys/kernel/vmcoreinfo, /proc/kcore) and loads salvage
# with `kexec -p --type multiboot-x86 --module=<header>`; Debian's kernel (KASLR, 2 CPUs) crashes and
# salvage sends the dump over TFTP to tftpd-hpa (serial is the second target). The dump must hold
# both CPUs' registers, the guest's VMCOREINFO, every pattern page and kexec-tools' program headers.
# The NIC is a vmxnet3 (the other real crashes use e1000): the full checks through VMware's NIC.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-crash-multiboot
. tests/lib/linux-crash.sh

MEM=${LC_MEM:-128}
lc_prepare
CK=${LC_CK:-$(lc_min_ck multiboot)}
lc_tftp_server
LC_NIC_ARGS=(-netdev user,id=n0 -device vmxnet3,netdev=n0)

lc_boot mb 600 "$T/guest.gz" "$MEM" "$CK" \
	"t.mode=salvage t.seed=$LC_SEED t.mib=$LC_MIB t.load=--type,multiboot,--dump,tftp://10.0.2.2:$SRV_PORT/vmcore-%m,--dump,serial,--ip,dhcp,--done,reboot" \
	"${LC_NIC_ARGS[@]}"
if lc_time_crash mb; then
	ok "mb: Linux crashed (sysrq) after ${LC_CRASH_SECS}s"
	echo "# multiboot: crashkernel=$CK, crash to salvage up ${LC_UP_SECS}s, to complete dump ${LC_DONE_SECS}s wall (TFTP)"
	require "$T/mb.serial" 'salvage-load: salvage loaded for a panic \(multiboot\)' "salvage-load loaded salvage (multiboot-x86 + generated header)"
	require "$T/mb.serial" 'salvage: .*booted by multiboot' "salvage booted by multiboot"
	require "$T/mb.serial" 'salvage: net: vmxnet3 VMXNET3 at pci ' "salvage sent through vmxnet3"
	forbid "$T/mb.serial" 'module unusable|dumping the memory map' "salvage used the generated header (module 0)"
	core=$(ls "$LC_TFTP_DIR"/vmcore-* 2>/dev/null | grep -v -e '\.sha256$' -e '\.dmesg$' | head -n 1)
	if [ -n "$core" ] && [ -s "$core" ]; then
		ok "dump arrived over TFTP as $(basename "$core") ($(stat -c %s "$core") bytes)"
		if [ -f "$core.sha256" ]; then
			lc_sha256_ok "$core"
		fi
		lc_check_dump mb "$core" --prstatus "$LC_SMP"
	else
		lc_no_dump mb "dump arrived over TFTP" "nothing in $LC_TFTP_DIR"
	fi
else
	lc_no_crash mb "mb: Linux crashed"
fi
finish
