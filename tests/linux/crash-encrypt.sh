#!/bin/bash
# Real crash, encrypted: Debian's kernel (KASLR on, 2 CPUs, crashing on CPU 0 so that salvage starts the
# other as the helper that seals) holds the 16 MiB pattern, loads salvage
# with `salvage-load --encrypt-to` (two recipients: one given directly, one from a recipients file;
# salvage-recipients checks them in the guest) and crashes with sysrq-c; salvage sends the dump over
# TFTP as an age v1 file. `age -d` with either identity gives a dump that passes every check of the
# unencrypted real-crash tests (layout, notes, the pattern, makedumpfile, vmcore-dmesg, crash); the
# .sha256 is of the ciphertext; another identity and a flipped byte fail; no pattern page occurs in
# the ciphertext. The CPU offers RDRAND (one of the sources of salvage's randomness).
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-crash-encrypt
. tests/lib/linux-crash.sh
. tests/lib/age-check.sh

MEM=${LC_MEM:-128}
age_keys 2
printf '# dump recipients\n\n%s\n' "${AGE_PUB[2]}" >"$T/recipients.txt"
LC_INITRAMFS_EXTRA=(-b "$LC_BUILD/salvage-recipients":/usr/local/sbin/salvage-recipients
	-f "$T/recipients.txt":/etc/salvage-recipients.txt)
[ -x "$LC_BUILD/salvage-recipients" ] || { not_ok "build" "$LC_BUILD/salvage-recipients missing (run make)"; finish; }
lc_prepare
CK=${LC_CK:-$(lc_min_ck elf)}
lc_tftp_server

lc_boot enc 600 "$T/guest.gz" "$MEM" "$CK" \
	"t.mode=salvage t.crashcpu=0 t.seed=$LC_SEED t.mib=$LC_MIB t.load=--dump,tftp://10.0.2.2:$SRV_PORT/vmcore.age,--encrypt-to,${AGE_PUB[1]},--recipients-file,/etc/salvage-recipients.txt,--ip,dhcp,--done,reboot" \
	"${LC_NIC_ARGS[@]}" -cpu qemu64,+rdrand
if lc_time_crash enc; then
	ok "enc: Linux crashed (sysrq) after ${LC_CRASH_SECS}s"
	echo "# enc: crashkernel=$CK, crash to capture kernel up ${LC_UP_SECS}s, to complete encrypted dump (TFTP) ${LC_DONE_SECS}s wall"
	require "$T/enc.serial" 'salvage-load: salvage loaded for a panic \(elf\)' "salvage-load loaded salvage with two recipients"
	require "$T/enc.serial" 'salvage: tftp: encrypted to 2 age recipients' "salvage encrypted to both recipients"
	# Crashed on the boot processor (t.crashcpu=0): the other CPU, stopped by the crashed kernel,
	# is started as the helper that seals the chunks, and its start-up page is put back.
	require "$T/enc.serial" 'salvage: smp: the CPU with APIC ID 1 helps \(started through page 0x[0-9a-f]+, restored' \
		"salvage started the crashed kernel's other CPU as its sealing helper"
	f=$LC_TFTP_DIR/vmcore.age
	for i in $(seq 30); do [ -s "$f.sha256" ] && break; sleep 0.2; done
	if [ -s "$f" ]; then
		lc_sha256_ok "$f" enc
		if age -d -i "$T/key1.txt" -o "$T/enc.core" "$f" 2>"$T/enc.age-err"; then
			ok "enc: age -d with the first recipient's identity opens the dump ($(stat -c %s "$T/enc.core") bytes)"
			lc_check_dump enc "$T/enc.core" --prstatus "$LC_SMP"
			age_check enc "$f" "$T/enc.core" "the same dump" 1 2
			python3 - "$f" "$T/enc.core" <<'PY' || QEMU_FAILS=$((QEMU_FAILS + 1))
import re, sys
label = re.compile(rb"PAT[0-9a-f]{12}\x00")
enc, clear = (len(label.findall(open(p, "rb").read())) for p in sys.argv[1:3])
print(("ok" if clear >= 4096 and enc == 0 else "not ok") +
      f" enc: no pattern page's label in the ciphertext ({enc}; {clear} in the decrypted dump)")
sys.exit(0 if clear >= 4096 and enc == 0 else 1)
PY
		else
			not_ok "enc: age -d opens the dump" "$(head -c 300 "$T/enc.age-err")"
		fi
	else
		lc_no_dump enc "enc: the encrypted dump arrived over TFTP" "no vmcore.age"
	fi
else
	lc_no_crash enc "enc: Linux crashed"
fi
finish
