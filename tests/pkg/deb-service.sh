#!/bin/bash
# The Debian package on a fresh Debian 12: `make deb` is lintian clean (every override has its
# reason in pkg/debian/lintian-overrides); dpkg -i into a fresh debootstrapped bookworm root
# (tests/lib/debian-root.sh, built once) puts every file in place with /etc/salvage.conf as a
# conffile that survives a reinstall and goes only with --purge; systemd-analyze verify accepts
# salvage.service there. Then in QEMU Debian's kernel boots with the installed package's files,
# runs the installed unit's ExecStart= and ExecStartPost= commands (taken from the unit, not
# repeated here) with the installed /etc/salvage.conf against its crashkernel= reservation, its
# ExecStop= (salvage unloaded) and the start commands again, and crashes: the dump must arrive over
# TFTP, complete and right. The guest has two NICs, the TFTP server only behind the second, and the
# conffile names no ip: the unit's salvage-load takes --ip auto (ip= from `ip route get`,
# salvage.nic= the second NIC's MAC) and the dump must come through the second NIC.
# To extend: DS_CONF (lines added to the installed /etc/salvage.conf; @PORT@ is the TFTP server's
# port), DS_NIC_ARGS (QEMU's NICs, an array), DS_WORDS (more words for the guest kernel).
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init pkg-deb-service
. tests/lib/linux-crash.sh

MAC_A=52:54:00:5a:17:a1		# pci 00:03.0, alone on a hub
MAC_B=52:54:00:5a:17:b2		# pci 00:04.0, QEMU's user network with the TFTP server (10.0.2.2)
DS_CONF=${DS_CONF:-"targets = tftp://10.0.2.2:@PORT@/vmcore-%m"}
[ -n "${DS_NIC_ARGS+x}" ] || DS_NIC_ARGS=(-netdev hubport,id=na,hubid=7 -device "e1000,netdev=na,mac=$MAC_A,addr=3"
	-netdev user,id=nb -device "e1000,netdev=nb,mac=$MAC_B,addr=4")
DS_WORDS=${DS_WORDS:-"t.net=$MAC_A=192.168.77.15/24,$MAC_B=10.0.2.15/24"}
MEM=${LC_MEM:-128}

# --- the package ------------------------------------------------------------------------------
if make -s deb >"$T/deb.log" 2>&1; then
	DEB=$(sed -n 's/^mkdeb: \([^ ]*\.deb\) .*/\1/p' "$T/deb.log")
	ok "make deb: $DEB ($(stat -c %s "$DEB") bytes)"
else
	not_ok "make deb" "$(tail -n 3 "$T/deb.log" | tr '\n' ' ')"; finish
fi
[[ "$(basename "$DEB")" =~ ^salvage_$(cat VERSION)_amd64\.deb$ ]] && ok "named salvage_<version>_amd64.deb" ||
	not_ok "package name" "$DEB"
lintian --pedantic --display-info --fail-on error,warning,info,pedantic "$DEB" >"$T/lintian.log" 2>&1
rc=$?
grep -v 'running with root privileges' "$T/lintian.log" >"$T/lintian.tags"
[ $rc = 0 ] && [ ! -s "$T/lintian.tags" ] && ok "lintian --pedantic: no tag left (overrides: $(grep -c '^salvage:' pkg/debian/lintian-overrides))" ||
	{ not_ok "lintian clean" "exit $rc"; sed 's/^/#   | /' "$T/lintian.tags" | head -n 20; }
# Each override (or block of them) comes right after the comment giving its reason.
awk '/^#/ { why = 1; next } /^salvage:/ { if (!why) bad = 1; next } { why = 0 } END { exit bad }' pkg/debian/lintian-overrides &&
	ok "every lintian override follows its reason" || not_ok "lintian overrides" "an override without a comment above it"

# --- a fresh Debian 12 root -------------------------------------------------------------------
R=$T/root
if sh tests/lib/debian-root.sh "$R" 2>"$T/root.err"; then
	ok "fresh Debian $(cat "$R/etc/debian_version") root (debootstrap, cached)"
else
	not_ok "Debian 12 root" "$(tail -n 3 "$T/root.err" | tr '\n' ' ')"; finish
fi
mount -t proc proc "$R/proc" && at_exit "umount -l '$R/proc'"
in_root() { chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive "$@"; }
cp "$DEB" "$R/tmp/salvage.deb"
check "dpkg -i the package in the fresh root" in_root dpkg -i /tmp/salvage.deb
[ "$(in_root dpkg-query -W -f='${Status}' salvage)" = "install ok installed" ] && ok "dpkg: salvage install ok installed" ||
	not_ok "dpkg status" "$(in_root dpkg-query -W -f='${Status}' salvage 2>&1)"
for f in /usr/lib/salvage/salvage.elf /usr/lib/salvage/salvage.multiboot.elf /usr/lib/salvage/salvage.bzImage \
	/usr/sbin/salvage-load /usr/sbin/salvage-mkcorehdr /usr/sbin/salvage-recipients /usr/bin/salvage-recv \
	/lib/systemd/system/salvage.service \
	/lib/udev/rules.d/60-salvage.rules /etc/salvage.conf /usr/share/man/man8/salvage-load.8.gz \
	/usr/share/man/man1/salvage-recv.1.gz /usr/share/man/man5/salvage.conf.5.gz /usr/share/doc/salvage/copyright; do
	[ -s "$R$f" ] && [ "$(in_root dpkg -S "$f" 2>/dev/null | cut -d: -f1)" = salvage ] || missing="${missing:-}$f "
done
[ -z "${missing:-}" ] && ok "every file in place and owned by salvage" || not_ok "files in place" "$missing"
in_root dpkg-query -W -f='${Conffiles}\n' salvage | grep -qE '^ /etc/salvage.conf [0-9a-f]{32}$' &&
	ok "/etc/salvage.conf is a conffile" || not_ok "conffile" "$(in_root dpkg-query -W -f='${Conffiles}' salvage)"
in_root systemd-analyze verify --man=no /lib/systemd/system/salvage.service >"$T/verify.log" 2>&1
rc=$?
[ $rc = 0 ] && [ ! -s "$T/verify.log" ] && ok "systemd-analyze verify salvage.service: no complaint" ||
	{ not_ok "systemd-analyze verify salvage.service" "exit $rc"; sed 's/^/#   | /' "$T/verify.log" | head; }
# The udev rule, as udev itself reads it (udevadm test shows the RUN keys it would run): CPU and
# memory hotplug restart the service, other devices do not.
mount --bind -o ro /sys "$R/sys" && at_exit "umount -l '$R/sys'"
for ev in "add /devices/system/cpu/cpu0" "remove /devices/system/cpu/cpu0" "online /devices/system/memory/memory0" \
	"offline /devices/system/memory/memory0"; do
	in_root udevadm test --action="${ev% *}" "${ev#* }" >"$T/udev.log" 2>&1
	grep -q "^run: '/bin/systemctl --no-block try-restart salvage.service'" "$T/udev.log" &&
		ok "udev rule: ${ev% *} of ${ev#* } restarts salvage.service" ||
		not_ok "udev rule: ${ev% *} of ${ev#* }" "no salvage RUN key ($(grep -c salvage "$T/udev.log") salvage lines)"
done
in_root udevadm test --action=add /devices/virtual/net/lo >"$T/udev.log" 2>&1
grep -q "salvage.service" "$T/udev.log" && not_ok "udev rule: other devices" "lo would restart salvage.service" ||
	ok "udev rule: a network device does not restart salvage.service"
check "the installed host tools run in the root (their libraries are there)" in_root sh -c \
	'salvage-mkcorehdr --measure=elf /usr/lib/salvage/salvage.elf && salvage-recv --help >/dev/null &&
	salvage-recipients --help >/dev/null'
in_root salvage-load --status >"$T/status.log" 2>&1
require "$T/status.log" 'salvage image: /usr/sbin/../lib/salvage/salvage.elf, [0-9]+ KiB loaded' \
	"salvage-load --status finds the installed image"

# The administrator's edit: the test's settings in the installed conffile; a reinstall keeps them.
printf '%s\n' "$DS_CONF" >>"$R/etc/salvage.conf"
check "dpkg -i again (upgrade in place)" in_root dpkg -i --force-confold /tmp/salvage.deb
grep -q '^targets = tftp://' "$R/etc/salvage.conf" && ok "the edited /etc/salvage.conf survives a reinstall" ||
	not_ok "conffile kept" "the edit is gone"

# --- the unit's commands in a crashing Linux guest ------------------------------------------
lc_tftp_server
sed -i "s/@PORT@/$SRV_PORT/g" "$R/etc/salvage.conf"
# Everything the guest gets of salvage is the installed package's (build/'s copies under
# /usr/local come from lc_prepare; the unit names /usr/sbin).
LC_INITRAMFS_EXTRA=()
for f in /usr/lib/salvage/salvage.elf /usr/lib/salvage/salvage.multiboot.elf /usr/lib/salvage/salvage.bzImage \
	/usr/sbin/salvage-load /lib/systemd/system/salvage.service /etc/salvage.conf; do
	LC_INITRAMFS_EXTRA+=(-f "$R$f:$f")
done
LC_INITRAMFS_EXTRA+=(-b "$R/usr/sbin/salvage-mkcorehdr:/usr/sbin/salvage-mkcorehdr" -m e1000)
lc_prepare
CK=$(sh "$R/usr/sbin/salvage-load" --print-crashkernel --config "$R/etc/salvage.conf")
[[ "$CK" =~ ^[0-9]+M$ ]] && ok "the installed salvage-load --print-crashkernel: $CK" || { not_ok "--print-crashkernel" "got '$CK'"; finish; }
lc_boot svc 600 "$T/guest.gz" "$MEM" "$CK" "t.mode=service t.seed=$LC_SEED t.mib=$LC_MIB $DS_WORDS" "${DS_NIC_ARGS[@]}"
if lc_time_crash svc; then
	ok "svc: Linux crashed (sysrq) after ${LC_CRASH_SECS}s"
	echo "# service: crashkernel=$CK, crash to complete dump ${LC_DONE_SECS}s wall (TFTP)"
	require "$T/svc.serial" 'GUEST: unit ExecStart: /usr/sbin/salvage-load'$'\r''?$' "the guest ran the unit's ExecStart= command"
	require "$T/svc.serial" "GUEST: unit: salvage-load: salvage loaded for a panic \(elf\): dump=tftp://10.0.2.2:[0-9]+/vmcore-%m ip=10\.0\.2\.15:10\.0\.2\.2::255\.255\.255\.0::eth1:off salvage\.nic=$MAC_B" \
		"the unit's salvage-load loaded salvage with the targets of /etc/salvage.conf and --ip auto's words"
	require "$T/svc.serial" 'GUEST: unit: panic kernel loaded: 1' "ExecStartPost (--status) shows salvage loaded"
	require "$T/svc.serial" 'GUEST: after start: kexec_crash_loaded=1' "after the unit's start commands salvage is loaded"
	require "$T/svc.serial" 'GUEST: unit ExecStop: /usr/sbin/salvage-load --unload' "the guest ran the unit's ExecStop= command"
	require "$T/svc.serial" 'GUEST: after stop: kexec_crash_loaded=0' "after the unit's stop command nothing is loaded"
	require "$T/svc.serial" 'GUEST: unit: salvage image: /usr/sbin/../lib/salvage/salvage.elf' "... the package's image"
	require "$T/svc.serial" "salvage: net: e1000 82540EM at pci 00:04\.0, MAC $MAC_B \(salvage\.nic=\)" \
		"salvage uses the second NIC, the one that reaches the server"
	core=$LC_TFTP_DIR/vmcore-$(echo "$MAC_B" | tr -d :)	# %m: the MAC of the NIC that sent it
	if [ -n "$core" ] && [ -s "$core" ]; then
		ok "dump arrived over TFTP as $(basename "$core") ($(stat -c %s "$core") bytes)"
		lc_sha256_ok "$core"
		LC_CONSUMERS=0 lc_check_dump svc "$core" --prstatus "$LC_SMP"
	else
		lc_no_dump svc "dump arrived over TFTP" "nothing in $LC_TFTP_DIR"
	fi
else
	lc_no_crash svc "svc: Linux crashed"
fi

# --- removal ----------------------------------------------------------------------------------
check "dpkg -r salvage" in_root dpkg -r salvage
[ ! -e "$R/usr/sbin/salvage-load" ] && [ -f "$R/etc/salvage.conf" ] && ok "dpkg -r removes the files, keeps the conffile" ||
	not_ok "dpkg -r" "salvage-load still there or salvage.conf gone"
check "dpkg --purge salvage" in_root dpkg --purge salvage
[ ! -e "$R/etc/salvage.conf" ] && ok "dpkg --purge removes /etc/salvage.conf" || not_ok "purge" "/etc/salvage.conf still there"
finish
