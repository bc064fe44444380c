#!/bin/bash
# Real crash of a 32-bit kernel: Debian's i386 Linux (686-pae, 2 CPUs) in qemu-system-i386 loads
# salvage with salvage-load (Debian's i386 kexec-tools: kexec -p --type elf-x86) and crashes with
# sysrq-c; salvage reads the ELF32 core header, shows the crashed kernel's log (its ring buffer in
# i386 lowmem) on the console and sends the dump and '<path>.dmesg' over TFTP. Debian's makedumpfile
# cannot read an i386 dump's log without the vmlinux, so the log is compared with kexec-tools'
# vmcore-dmesg (which indents continuation lines its own way) and with salvage's reader run on the
# host over the dump that arrived.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init linux-crash-i386
. tests/lib/linux-crash.sh

K386=$(sh tests/lib/debian-kernel.sh i386) || { not_ok "Debian's i386 kernel" "tests/lib/debian-kernel.sh i386 failed"; finish; }
for p in busybox-static kexec-tools libc6; do
	d=$(sh tests/lib/debian-i386.sh $p) || { not_ok "Debian's i386 $p" "tests/lib/debian-i386.sh $p failed"; finish; }
	eval "dir_${p//[-0-9]/}=\$d"
done
# kexec needs only libc (readelf: NEEDED libc.so.6) and the loader. salvage-load measures the image
# with salvage-mkcorehdr: an i386 build of it (static, Debian's libc6-dev-i386-cross), run only in
# the guest.
if ! i686-linux-gnu-gcc -O2 -static -o "$T/salvage-mkcorehdr" tools/salvage-mkcorehdr.c 2>"$T/mkcorehdr.log"; then
	not_ok "i386 salvage-mkcorehdr" "$(tail -n 3 "$T/mkcorehdr.log")"
	finish
fi
if ! bash tests/lib/initramfs.sh -o "$T/guest.gz" -i tests/lib/crash-guest-init -k "$K386" -B "$dir_busyboxstatic/bin/busybox" \
	-f "$LC_BUILD/salvage.elf":/usr/local/lib/salvage/salvage.elf -f tools/salvage-load:/usr/local/sbin/salvage-load \
	-f "$T/salvage-mkcorehdr:/usr/local/sbin/salvage-mkcorehdr" \
	-f "$dir_kexectools/sbin/kexec:/sbin/kexec" \
	-f "$dir_libc/lib/i386-linux-gnu/libc.so.6:/lib/i386-linux-gnu/libc.so.6" \
	-f "$dir_libc/lib/i386-linux-gnu/ld-linux.so.2:/lib/ld-linux.so.2" >"$T/initramfs.log" 2>&1; then
	not_ok "i386 guest initramfs" "$(tail -n 3 "$T/initramfs.log")"
	finish
fi
CK=${LC_CK:-$(lc_min_ck elf)}
lc_tftp_server

: >"$T/i386.serial"
QEMU_ARCH=i386 qemu_start i386 600 -M pc -smp 2 -m 128 -kernel "$K386/vmlinuz" -initrd "$T/guest.gz" \
	-append "console=ttyS0 quiet panic=5 crashkernel=$CK t.mode=salvage t.load=--dump,tftp://10.0.2.2:$SRV_PORT/i386-%t.vmcore,--ip,dhcp,--done,reboot" \
	-serial "file:$T/i386.serial" "${LC_NIC_ARGS[@]}"
if lc_time_crash i386; then
	ok "i386: Linux crashed (sysrq) after ${LC_CRASH_SECS}s"
	echo "# i386: crashkernel=$CK, crash to complete dump ${LC_DONE_SECS}s wall (TFTP)"
	require "$T/i386.serial" 'salvage-load: salvage loaded for a panic \(elf\)' "i386: salvage-load loaded salvage with i386 kexec-tools"
	require "$T/i386.serial" 'salvage: elfcorehdr at .*: ELF32' "i386: salvage reads kexec-tools' ELF32 core header"
	core=$(ls "$LC_TFTP_DIR"/i386-*.vmcore 2>/dev/null | head -n 1)
	if [ -n "$core" ] && [ -s "$core" ]; then
		ok "i386: the dump arrived as $(basename "$core") (%t expanded)"
		lc_sha256_ok "$core" i386
		check "i386: the dump is an ELF32 core of an Intel 80386" sh -c "readelf -h '$core' | grep -q 'Class:.*ELF32' && readelf -h '$core' | grep -q 'Machine:.*80386'"
		vmcore-dmesg "$core" >"$T/i386.vmcore-dmesg" 2>&1
		require "$T/i386.vmcore-dmesg" 'Kernel panic - not syncing: sysrq triggered crash' "i386: vmcore-dmesg shows the panic"
		require "$T/i386.serial" "salvage: tftp: wrote 'i386-[0-9]+\\.vmcore\\.dmesg' \\([0-9]+ bytes, [0-9]+ ms\\)" "i386: salvage wrote the log beside the dump"
		check "i386: $(basename "$core").dmesg holds vmcore-dmesg's log ($(wc -l <"$T/i386.vmcore-dmesg") lines; continuation indents aside)" \
			cmp <(sed 's/^ *//' "$core.dmesg") <(sed 's/^ *//' "$T/i386.vmcore-dmesg")
		tr -d '\r' <"$T/i386.serial" | grep -a '^salvage: dmesg: ' | sed 's/^salvage: dmesg: //' >"$T/i386.console-dmesg"
		require "$T/i386.console-dmesg" "^the crashed kernel's log \\(printk_ringbuffer\\): [0-9]+ records" "i386: salvage shows the crashed kernel's log on its console"
		check "i386: salvage's console shows the last 50 lines of that log" \
			cmp <(sed 1d "$T/i386.console-dmesg") <(tail -n 50 "$core.dmesg" | cut -c 1-400)
		forbid "$T/i386.serial" 'salvage: warning: dmesg' "i386: nothing doubtful in the ring buffer"
		if gcc -std=gnu11 -O2 -I. -Itests/unit -o "$T/dmesg-host" tests/lib/dmesg-host.c dump/dmesg.c dump/crash.c \
			tests/unit/shim.c >"$T/dmh.log" 2>&1; then
			"$T/dmesg-host" "$core" "$T/host.dmesg" >"$T/dmh.out" 2>&1
			echo "# i386: salvage's log reader on the host: $(tail -n 1 "$T/dmh.out")"
			check "i386: salvage's reader on the host writes the same file" cmp "$T/host.dmesg" "$core.dmesg"
		else
			not_ok "dmesg-host builds" "$(tail -n 3 "$T/dmh.log")"
		fi
	else
		lc_no_dump i386 "i386: dump arrived over TFTP" "no i386-*.vmcore"
	fi
else
	lc_no_crash i386 "i386: Linux crashed"
fi
finish
