#!/bin/bash
# UEFI Secure Boot end to end: QEMU q35 (SMM) with Debian's OVMF_CODE_4M.secboot.fd and a copy of
# OVMF_VARS_4M.snakeoil.fd, whose db holds the SnakeOil certificate. Debian's vmlinuz, its own
# signature removed and signed with the snakeoil key (the kernel checks only the first signature),
# is booted with -kernel (OVMF verifies it) and must come up with Secure Boot and lockdown on and the
# SnakeOil certificate in its platform keyring. There kexec_load is refused, kexec -s -l of the
# signed vmlinuz loads (its init_size is far more than the 2 MiB crash region), salvage-load refuses an unsigned salvage.bzImage and one signed with an
# untrusted key with the reason and the remedy, and loads the snakeoil-signed one (make sign) by
# default (lockdown: --type bzimage); the sysrq crash is captured over TFTP and checked.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-secureboot
. tests/lib/linux-crash.sh

MEM=${LC_MEM:-384}	# with 256 MiB the EFI stub failed once to place the initrd (EFI_OUT_OF_RESOURCES)
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd
SO_KEY=/usr/share/ovmf/PkKek-1-snakeoil.key	# passphrase "snakeoil"
SO_CERT=/usr/share/ovmf/PkKek-1-snakeoil.pem
for f in "$OVMF_CODE" "$OVMF_VARS" "$SO_KEY" "$SO_CERT"; do
	[ -f "$f" ] || { not_ok "ovmf" "$f missing (make deps installs ovmf)"; finish; }
done
K=$(sh tests/lib/debian-kernel.sh) || { not_ok "debian kernel" "tests/lib/debian-kernel.sh failed"; finish; }

# --- signing on the host ------------------------------------------------------------------------
openssl rsa -in "$SO_KEY" -passin pass:snakeoil -out "$T/snakeoil.key" >/dev/null 2>&1 ||
	{ not_ok "snakeoil key" "openssl could not decrypt $SO_KEY"; finish; }
check "make sign signs salvage.bzImage with the snakeoil key (sbverify --cert passes)" \
	make -s sign KEY="$T/snakeoil.key" CERT="$SO_CERT" SIGNED="$T/salvage.signed.bzImage"
[ -f "$T/salvage.signed.bzImage" ] || finish
openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=salvage test untrusted key" -days 1 \
	-keyout "$T/other.key" -out "$T/other.pem" >/dev/null 2>&1 &&
	sbsign --key "$T/other.key" --cert "$T/other.pem" --output "$T/salvage.otherkey.bzImage" \
		build/salvage.bzImage >/dev/null 2>&1 || { not_ok "untrusted key" "openssl/sbsign failed"; finish; }
cp "$K/vmlinuz" "$T/vmlinuz.debian"
check "sbattach --remove drops Debian's signature from vmlinuz" sbattach --remove "$T/vmlinuz.debian"
check "sbsign signs vmlinuz with the snakeoil key" sbsign --key "$T/snakeoil.key" --cert "$SO_CERT" \
	--output "$T/vmlinuz.signed" "$T/vmlinuz.debian"

LC_INITRAMFS_EXTRA=(-f "$T/salvage.signed.bzImage:/usr/local/lib/salvage/salvage.signed.bzImage"
	-f "build/salvage.bzImage:/salvage.unsigned.bzImage" -f "$T/salvage.otherkey.bzImage:/salvage.otherkey.bzImage"
	-f "$T/vmlinuz.signed:/vmlinuz.signed")
lc_prepare
# Exactly what salvage-load says it needs, to the KiB (under EFI boot_params carry the EFI map too).
CK=${LC_CK:-$(lc_exact_ck bzimage)}
[ -n "$CK" ] || { not_ok "salvage-load --status gives the bzImage's need" "no figure"; finish; }
lc_tftp_server
cp "$OVMF_VARS" "$T/vars.fd"

# --- the Secure Boot guest ----------------------------------------------------------------------
: >"$T/sb.serial"
qemu_start sb 1200 -M q35,smm=on -global driver=cfi.pflash01,property=secure,value=on \
	-drive if=pflash,format=raw,unit=0,file="$OVMF_CODE",readonly=on \
	-drive if=pflash,format=raw,unit=1,file="$T/vars.fd" \
	-smp "$LC_SMP" -m "$MEM" -kernel "$T/vmlinuz.signed" -initrd "$T/guest.gz" \
	-append "console=ttyS0 quiet panic=5 init_on_free=1 crashkernel=$CK t.mode=salvage t.sb=1 t.seed=$LC_SEED t.mib=$LC_MIB t.load=--dump,tftp://10.0.2.2:$SRV_PORT/salvage.vmcore,--ip,dhcp,--done,reboot" \
	-serial "file:$T/sb.serial" "${LC_NIC_ARGS[@]}"
LC_CRASH_WAIT=900
if lc_time_crash sb; then
	S=$T/sb.serial
	ok "sb: Linux booted under OVMF Secure Boot and crashed (sysrq) after ${LC_CRASH_SECS}s"
	echo "# sb: crashkernel=$CK, crash to capture kernel up ${LC_UP_SECS}s, to complete dump (TFTP) ${LC_DONE_SECS}s wall"
	require "$S" 'GUEST: dmesg: secureboot: Secure boot enabled' "sb: the kernel logs Secure boot enabled"
	require "$S" 'GUEST: dmesg: Kernel is locked down from EFI Secure Boot' "sb: the kernel is locked down from EFI Secure Boot"
	require "$S" "GUEST: dmesg: integrity: Loaded X.509 cert 'SnakeOil" "sb: the SnakeOil certificate is in the platform keyring (UEFI db)"
	require "$S" 'GUEST: lockdown: none \[integrity\] confidentiality' "sb: /sys/kernel/security/lockdown shows integrity"
	# Lockdown alone gives EPERM; under Secure Boot IMA's arch policy refuses first, with EACCES.
	require "$S" 'GUEST: kexec_load: refused: .*(Operation not permitted|Permission denied)' "sb: kexec_load is refused"
	require "$S" 'GUEST: kexec_file_load of the signed vmlinuz: loaded, kexec_loaded=1' "sb: kexec -s -l of the snakeoil-signed vmlinuz loads"
	require "$S" 'GUEST: salvage-load of the unsigned image: refused' "sb: salvage-load refuses the unsigned salvage.bzImage"
	require "$S" 'GUEST: unsigned: salvage-load: kexec -s refused .*locked down \(integrity' "sb: ... saying the kernel is locked down"
	require "$S" 'GUEST: unsigned: .*carries no signature' "sb: ... that the image carries no signature"
	require "$S" "GUEST: unsigned: .*mokutil --import" "sb: ... and how to sign it and enroll the key"
	require "$S" 'GUEST: salvage-load of the otherkey image: refused' "sb: salvage-load refuses a salvage.bzImage signed with an untrusted key"
	require "$S" 'GUEST: otherkey: .*does not trust the signature' "sb: ... saying the signature is not trusted"
	require "$S" 'salvage-load: running: .*kexec -s( -d)? -p [^ ]*lib/salvage/salvage\.signed\.bzImage' \
		"sb: salvage-load picks kexec -s and the signed image by default under lockdown"
	require "$S" 'salvage-load: salvage loaded for a panic \(bzimage\)' "sb: the snakeoil-signed salvage.bzImage loads"
	require "$S" '^salvage: salvage at 0x[0-9a-f]+-0x[0-9a-f]+, booted by Linux boot protocol\r?$' "sb: salvage came up"
	require "$S" '^salvage: acpi: RSDP at 0x[0-9a-f]+ \(given\)' "sb: salvage found the RSDP salvage-load passed (UEFI: not in the BIOS area)"
	if [ -s "$LC_TFTP_DIR/salvage.vmcore" ]; then
		lc_sha256_ok "$LC_TFTP_DIR/salvage.vmcore"
		lc_check_dump sb "$LC_TFTP_DIR/salvage.vmcore" --prstatus "$LC_SMP" --kexec-file
	else
		lc_no_dump sb "sb: dump arrived over TFTP" "no salvage.vmcore"
	fi
else
	lc_no_crash sb "sb: Linux crashed under Secure Boot"
fi
finish
