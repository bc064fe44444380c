#!/bin/bash
# Real crash with two NICs, the TFTP server reachable only through the second: Debian's kernel drives
# both (e1000; the first on a QEMU hub where nothing answers, with its own subnet), loads salvage with
# `salvage-load` and no --ip (--ip auto, the default with a TFTP target: ip= from `ip route get`,
# salvage.nic= the second NIC's MAC), crashes with sysrq-c; salvage leaves the first NIC stopped,
# says it uses the second, and the dump arrives through it, whole and correct. The first NIC's wire
# carries nothing from salvage.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-crash-nic-choice
. tests/lib/linux-crash.sh

MEM=${LC_MEM:-128}
MAC_A=52:54:00:5a:17:a1		# pci 00:03.0, alone on a hub
MAC_B=52:54:00:5a:17:b2		# pci 00:04.0, QEMU's user network with the TFTP server (10.0.2.2)
LC_INITRAMFS_EXTRA=(-m e1000)
lc_prepare
CK=${LC_CK:-$(lc_min_ck elf)}
lc_tftp_server

lc_boot nics 600 "$T/guest.gz" "$MEM" "$CK" \
	"t.mode=salvage t.seed=$LC_SEED t.mib=$LC_MIB t.net=$MAC_A=192.168.77.15/24,$MAC_B=10.0.2.15/24 t.load=--dump,tftp://10.0.2.2:$SRV_PORT/nics.vmcore,--done,reboot" \
	-netdev hubport,id=na,hubid=7 -device "e1000,netdev=na,mac=$MAC_A,addr=3" \
	-object "filter-dump,id=fa,netdev=na,file=$T/nics.a.pcap" \
	-netdev user,id=nb -device "e1000,netdev=nb,mac=$MAC_B,addr=4" \
	-object "filter-dump,id=fb,netdev=nb,file=$T/nics.b.pcap"
S=$T/nics.serial
if lc_time_crash nics; then
	ok "nics: Linux crashed (sysrq) after ${LC_CRASH_SECS}s; dump done ${LC_DONE_SECS}s after the crash"
	require "$S" "GUEST: net: eth0 $MAC_A 192\.168\.77\.15/24" "nics: Linux has the first NIC up (eth0, 192.168.77.15/24)"
	require "$S" "GUEST: net: eth1 $MAC_B 10\.0\.2\.15/24" "nics: Linux has the second NIC up (eth1, 10.0.2.15/24)"
	require "$S" "salvage-load: --ip auto: 10\.0\.2\.2 through eth1 \($MAC_B\), address 10\.0\.2\.15/24, on-link: no gateway" \
		"nics: salvage-load --ip auto found the interface that routes to the server"
	require "$S" "salvage-load: salvage loaded for a panic \(elf\): .*ip=10\.0\.2\.15:10\.0\.2\.2::255\.255\.255\.0::eth1:off salvage\.nic=$MAC_B" \
		"nics: salvage-load passed ip= and salvage.nic= (the default, no --ip given)"
	require "$S" "salvage: net: e1000 82540EM at pci 00:03\.0, MAC $MAC_A: not salvage\.nic=, left stopped" \
		"nics: salvage started the first NIC, found it is not the one named, left it stopped"
	require "$S" "salvage: net: e1000 82540EM at pci 00:04\.0, MAC $MAC_B \(salvage\.nic=\)" "nics: salvage uses the second NIC and says so"
	require "$S" 'salvage: net: static address 10\.0\.2\.15/255\.255\.255\.0 gateway 0\.0\.0\.0' "nics: salvage took the address ip= gave"
	forbid "$S" 'salvage: (warning|error): net' "nics: no network warning or error in salvage"
	python3 tests/lib/pcap-summary.py "$T/nics.b.pcap" >"$T/nics.b.wire" 2>&1
	python3 tests/lib/pcap-summary.py "$T/nics.a.pcap" >"$T/nics.a.wire" 2>&1
	require "$T/nics.b.wire" "^udp 10\.0\.2\.15:[0-9]+ -> 10\.0\.2\.2:$SRV_PORT from $MAC_B" "nics: the TFTP request went out of the second NIC"
	# Linux's own frames (its ARP, IPv6 router solicitations) may be on the first wire; none from salvage.
	n=$(grep -c . "$T/nics.a.wire")
	forbid "$T/nics.a.wire" "10\.0\.2\.|from $MAC_B" "nics: the first NIC's wire has nothing of salvage's ($n frames on it, all from Linux)"
	if [ -s "$LC_TFTP_DIR/nics.vmcore" ]; then
		lc_sha256_ok "$LC_TFTP_DIR/nics.vmcore" nics
		LC_CONSUMERS=0 lc_check_dump nics "$LC_TFTP_DIR/nics.vmcore" --prstatus "$LC_SMP"
	else
		lc_no_dump nics "nics: dump arrived over TFTP through the second NIC" "no nics.vmcore"
	fi
else
	lc_no_crash nics "nics: Linux crashed"
fi
finish
