#!/bin/bash
# tests/lib/initramfs.sh never runs the guest's binaries on the host: an initramfs built around a
# copy of Debian's i386 busybox that the host cannot execute (mode 0644: execve refuses it, as a host
# without 32-bit support would) boots Debian's 32-bit Linux, and its init finds busybox's applets
# (made in the guest) and the real programs installed over them.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init initramfs-i386

kdir=$(sh tests/lib/debian-kernel.sh i386) || { not_ok "Debian's i386 kernel" "tests/lib/debian-kernel.sh i386 failed"; finish; }
bbdir=$(sh tests/lib/debian-i386.sh busybox-static) || { not_ok "Debian's i386 busybox" "debian-i386.sh failed"; finish; }
cp "$bbdir/bin/busybox" "$T/busybox"
chmod 0644 "$T/busybox"
if "$T/busybox" true 2>/dev/null; then
	not_ok "the host cannot execute the busybox copy" "it ran"
	finish
fi
printf '#!/bin/sh\necho "GUEST real program"\n' >"$T/uname"
chmod 0755 "$T/uname"

cat >"$T/init" <<'EOF'
#!/bin/sh
mount -t proc proc /proc
echo "GUEST pid $$ applets: $(ls /bin /sbin /usr/bin /usr/sbin | wc -l)"
echo "GUEST sha256: $(echo salvage | sha256sum | cut -c1-16)"
echo "GUEST uname: $(/bin/uname)"
echo "GUEST arch: $(cat /proc/sys/kernel/arch 2>/dev/null || busybox uname -m)"
poweroff -f
EOF

if bash tests/lib/initramfs.sh -o "$T/initrd.gz" -i "$T/init" -k "$kdir" -B "$T/busybox" \
	-f "$T/uname:/bin/uname" >"$T/initramfs.log" 2>&1; then
	ok "initramfs built around a busybox the host cannot execute"
else
	not_ok "initramfs built around a busybox the host cannot execute" "$(tail -n 3 "$T/initramfs.log" | tr '\n' ' ')"
	finish
fi

QEMU_ARCH=i386 qemu_run guest 240 -machine pc -m 128 -smp 1 -nodefaults -serial "file:$T/guest.serial" \
	-kernel "$kdir/vmlinuz" -initrd "$T/initrd.gz" -append "console=ttyS0 panic=-1 loglevel=4"
[ "$QEMU_RC" = 0 ] && ok "the guest powered off" || not_ok "the guest powered off" "QEMU status $QEMU_RC"
require "$T/guest.serial" '^GUEST pid 1 applets: [0-9]{3}' "init runs as PID 1 with busybox's applet links made in the guest"
require "$T/guest.serial" '^GUEST sha256: edac68937845d408' "applets work (sha256sum)"
require "$T/guest.serial" '^GUEST uname: GUEST real program' "a program installed with -f wins over the applet link"
require "$T/guest.serial" '^GUEST arch: i686' "the guest is 32-bit"
finish
