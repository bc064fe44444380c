#!/bin/bash
# Real crash with an IOMMU translating: Debian's kernel on QEMU q35 with intel-iommu (booted with
# intel_iommu=on) or amd-iommu (no parameter: Debian's default turns AMD-Vi on) leaves DMA remapping
# on when it panics; salvage (kexec -p --type elf-x86) must find the unit from ACPI, turn translation
# off on it and send a complete, correct dump over TFTP. Without that the NIC's DMA is blocked and
# the dump is lost. The NIC sits at 00:05.0 and must be in a translated (DMA / DMA-FQ) group of the
# crashed kernel; virtio-net gets iommu_platform=on (else its DMA bypasses the IOMMU).
# IOMMU_CASES picks the combinations (make check: two; tests/long/crash-iommu.sh the other two).
# Every dump gets vmcore-check.py (headers, notes, the 16 MiB pattern, gdb) and makedumpfile; the
# first of a run also crash and vmcore-dmesg (crash alone takes 70-90 s here under TCG).
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-crash-iommu
. tests/lib/linux-crash.sh

MEM=${LC_MEM:-128}
CASES=${IOMMU_CASES:-intel-e1000e amd-virtio}
LC_MACHINE=q35

lc_prepare
CK=${LC_CK:-$(lc_min_ck elf)}
lc_tftp_server

# one CASE: intel|amd - e1000e|virtio
one() {
	local name=$1 iommu=${1%-*} nic=${1#*-} words="" unit dev
	local args=()
	case $iommu in
	# intremap=on: the crashed kernel remaps interrupts too (salvage polls; it must not matter).
	# TCG has no in-kernel irqchip, so no kernel-irqchip=split is needed (or possible).
	intel) args=(-device intel-iommu,intremap=on); words="intel_iommu=on"; unit="VT-d" ;;
	amd) args=(-device amd-iommu); unit="AMD-Vi" ;;
	esac
	case $nic in
	e1000e) dev="e1000e,netdev=n0,addr=0x5" ;;
	virtio) dev="virtio-net-pci,netdev=n0,addr=0x5,disable-legacy=on,iommu_platform=on" ;;
	esac
	# no_timer_check: with interrupt remapping on, Linux's boot-time check that the timer interrupt
	# arrives is timed; under TCG on a loaded host it panicked "timer doesn't work through
	# Interrupt-remapped IO-APIC" (2 of 6 boots here).
	lc_boot "$name" 600 "$T/guest.gz" "$MEM" "$CK" \
		"$words no_timer_check t.mode=salvage t.seed=$LC_SEED t.mib=$LC_MIB t.load=--dump,tftp://10.0.2.2:$SRV_PORT/$name.vmcore,--ip,dhcp,--done,reboot" \
		"${args[@]}" -netdev user,id=n0 -device "$dev"
	if ! lc_time_crash "$name"; then
		lc_no_crash "$name" "$name: Linux crashed"
		return
	fi
	ok "$name: Linux crashed (sysrq) after ${LC_CRASH_SECS}s; dump done ${LC_DONE_SECS}s later"
	require "$T/$name.serial" 'GUEST: iommu group [0-9]+ type DMA(-FQ)? devices .*0000:00:05\.0' \
		"$name: the crashed kernel translated the NIC's DMA (its group is DMA / DMA-FQ)"
	require "$T/$name.serial" "salvage: iommu: $unit unit at 0x[0-9a-f]+ .*translation was on.*; turned off" \
		"$name: salvage found the $unit unit translating and turned translation off"
	forbid "$T/$name.serial" 'salvage: warning: ignoring .*acpi_rsdp=' "$name: acpi_rsdp= is a known word"
	if [ -s "$LC_TFTP_DIR/$name.vmcore" ]; then
		lc_sha256_ok "$LC_TFTP_DIR/$name.vmcore" "$name"
		lc_check_dump "$name" "$LC_TFTP_DIR/$name.vmcore" --prstatus "$LC_SMP"
		LC_CONSUMERS=0
		case $iommu in
		intel) require "$T/$name.dmesg" 'DMAR: Intel\(R\) Virtualization Technology for Directed I/O' \
			"$name: the dump's kernel log shows VT-d on" ;;
		amd) require "$T/$name.dmesg" 'AMD-Vi: Interrupt remapping enabled|pci 0000:00:0[0-9a-f]\.0: Adding to iommu group' \
			"$name: the dump's kernel log shows AMD-Vi on" ;;
		esac
		require "$T/$name.dmesg" 'iommu: Default domain type: Translated' "$name: the dump's kernel log: default domain translated"
	else
		lc_no_dump "$name" "$name: dump arrived over TFTP" "no $name.vmcore"
	fi
	rm -f "$LC_TFTP_DIR/$name.vmcore"
}

for c in $CASES; do one "$c"; done
finish
