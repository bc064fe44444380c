#!/bin/bash
# The seed segment of dump.encrypt= through a real Linux: in Debian's kernel, salvage-load loads
# salvage with dump.encrypt= for each load type (elf-x86: --initrd, boot_params' ramdisk; multiboot:
# a module after the ELF core header; bzImage: kexec_file_load's initrd) through a kexec stand-in
# (tests/lib/kexec-seed-spy) that looks for the seed in every /proc/*/cmdline, environ and ps while
# salvage-load waits on it, and in every file written since boot and in /run once salvage-load is
# done, before it runs the real kexec. Linux crashes; salvage must find the seed in the segment
# kexec placed, take it and seed its generator with it (salvage.random=16 logs a test draw).
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-crash-seed
. tests/lib/linux-crash.sh

MEM=${LC_MEM:-128}
LC_INITRAMFS_EXTRA=(-f tests/lib/kexec-seed-spy:/sbin/kexec-spy -b "$LC_BUILD/salvage-recipients":/usr/local/sbin/salvage-recipients)
[ -x "$LC_BUILD/salvage-recipients" ] || { not_ok "build" "$LC_BUILD/salvage-recipients missing (run make)"; finish; }
lc_prepare
# A real age recipient (its identity is thrown away: nothing here is decrypted).
RCPT=$(age-keygen 2>/dev/null | sed -n 's/^# public key: //p')
draws=()
TYPES=${LC_SEED_TYPES:-elf multiboot bzimage}
for type in $TYPES; do
	img=$(lc_image $type)
	# The reservation salvage-load asks for with the seed's page.
	ck=$(sh tools/salvage-load --print-crashkernel --type $type --image "$img" --append "dump.encrypt=$RCPT")
	# No NIC: the TFTP target fails at once and salvage reboots (QEMU exits); the seed is taken first.
	lc_boot $type 600 "$T/guest.gz" "$MEM" "$ck" \
		"t.mode=salvage t.settle=/tmp/seed-scan.pending t.load=--type,$type,--kexec,/sbin/kexec-spy,--dump,tftp://10.0.2.2:9/x,--ip,dhcp,--encrypt-to,$RCPT,--append,salvage.random=16" \
		-nic none
	if ! lc_time_crash $type; then
		lc_no_crash $type "$type: Linux crashed"
		continue
	fi
	S=$T/$type.serial
	require "$S" "seed-spy: segment /run/salvage-seed\.[A-Za-z0-9]+/seed \(deleted\), mode 600, 80 bytes, header salvage-seed" \
		"$type: kexec gets the seed as an open descriptor of a removed 0600 file in a private /run directory"
	require "$S" 'seed-spy: during the load, 128 hex digits of seed \(found in the segment itself: yes\) searched in [0-9]+ /proc files and ps: found in nothing' \
		"$type: the seed is in no /proc/*/cmdline, /proc/*/environ or ps during the load"
	require "$S" 'seed-spy: after the load .*, [0-9]+ files written since boot or in /run searched: found in no file' \
		"$type: no file written since boot holds the seed after the load"
	require "$S" "salvage-load: salvage loaded for a panic \($type\)" "$type: salvage-load loaded salvage (crashkernel=$ck)"
	require "$S" '^salvage: seed: 64 bytes from salvage-load taken, segment wiped' "$type: salvage finds and takes the seed in the segment kexec placed"
	require "$S" "^salvage: random: seeded from salvage-load's seed" "$type: salvage's generator is seeded from it"
	d=$(sed -n 's/^salvage: random: test draw \([0-9a-f]*\).*/\1/p' "$S" | tr -d '\r')
	[[ "$d" =~ ^[0-9a-f]{32}$ ]] && draws+=("$d") || not_ok "$type: test draw" "'$d'"
	[ $type = multiboot ] && forbid "$S" 'module unusable|dumping the memory map' "multiboot: module 0 is still the ELF core header"
done
n=$(echo $TYPES | wc -w)
[ ${#draws[@]} = "$n" ] && [ "$(printf '%s\n' "${draws[@]}" | sort -u | wc -l)" = "$n" ] &&
	ok "$n loads, $n different test draws" || not_ok "different draws" "${draws[*]}"
finish
