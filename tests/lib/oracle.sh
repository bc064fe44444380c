#!/bin/bash
# The exact oracle: boot Debian's Linux on a planted synthetic crash state (tests/lib/plant.py) with
# `mem=128M elfcorehdr=<addr>` and copy its /proc/vmcore out over a virtio-blk disk; that file is the
# reference salvage must reproduce byte for byte.
#
# Usage: bash tests/lib/oracle.sh PLANT_DIR
#   Prints the path of the reference file, build/cache/oracle/<key>.vmcore, where key hashes the
#   planted files and addresses, the kernel version and this script's method; Linux boots only when
#   that file is missing. The guest console is kept beside it as <key>.log (vmcore warnings).
#   Exit 1 with a message on stderr when Linux produced no /proc/vmcore (e.g. it rejected the header).
# ELF64 states boot Debian's x86_64 kernel. It rejects ELF32 EM_386 core headers ("Core image elf
# header is not sane", vmcore_elf32_check_arch), so ELF32 states boot Debian's i386 686-pae kernel
# (qemu-system-i386, an i386 busybox), whose parse_crash_elf32_headers takes them; both kernel and
# busybox come from a private i386 apt state (tests/lib/debian-i386.sh).
set -euo pipefail

ORACLE_METHOD=1 # bump when the way the reference is produced changes
ORACLE_TIMEOUT=${ORACLE_TIMEOUT:-240}

die() { echo "oracle: $*" >&2; exit 1; }

[ $# = 1 ] || die "usage: $0 PLANT_DIR"
plant=$(cd "$1" && pwd) || die "no plant directory '$1'"
[ -f "$plant/plant.env" ] || die "$plant/plant.env missing (run tests/lib/plant.py make first)"
# shellcheck disable=SC1091
. "$plant/plant.env"
mapfile -t loader <"$plant/loader.args"

top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${ELFCLASS:-64}" = 32 ]; then
	kdir=$(sh "$top/tests/lib/debian-kernel.sh" i386) || die "cannot get Debian's i386 kernel"
	bbdir=$(sh "$top/tests/lib/debian-i386.sh" busybox-static) || die "cannot get Debian's i386 busybox-static"
	busybox=$bbdir/bin/busybox qemu=qemu-system-i386 arch=i386
else
	kdir=$(sh "$top/tests/lib/debian-kernel.sh") || die "cannot get Debian's kernel"
	busybox=/bin/busybox qemu=qemu-system-x86_64 arch=""
fi
kver=$(basename "$kdir")
# The guest RAM the plant needs (256 MiB, or 3712 MiB when something lies above 4 GiB). QEMU puts
# the initrd at the top of RAM below 4 GiB (at most 3 GiB here), so planted data must stay clear.
ORACLE_RAM_MB=${PLANT_RAM_MB:-256}
low_top=$((ORACLE_RAM_MB < 3072 ? ORACLE_RAM_MB : 3072))
[ "${PLANT_LOW_END_MB:-$PLANT_END_MB}" -le $((low_top - 32)) ] ||
	die "planted state below 4 GiB ends at ${PLANT_LOW_END_MB:-$PLANT_END_MB} MiB, too close to the initrd at the top of $low_top MiB"
append="console=ttyS0 mem=128M elfcorehdr=$ELFCOREHDR nokaslr panic=-1 loglevel=4"
key=$(printf '%s\n' "method=$ORACLE_METHOD" "kernel=$kver" "plant=$PLANT_HASH" "ram=$ORACLE_RAM_MB" \
	"append=$append" ${arch:+"arch=$arch"} | sha256sum | cut -c1-24)
cache=$top/build/cache/oracle
out=$cache/$key.vmcore
mkdir -p "$cache"

# One boot per key even when several tests ask at once.
exec 9>"$cache/$key.lock"
flock 9
if [ -f "$out" ]; then
	echo "$out"
	exit 0
fi

tmp=$(mktemp -d "$cache/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/init" <<'EOF'
#!/bin/sh
# Oracle guest: copy /proc/vmcore to the virtio disk, report its size and digest, power off.
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in $(cat /etc/modules); do insmod "$m" || echo "ORACLE insmod $m failed"; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ ! -e /proc/vmcore ]; then
	echo "ORACLE no /proc/vmcore"
elif [ ! -b /dev/vda ]; then
	echo "ORACLE no /dev/vda"
else
	size=$(stat -c %s /proc/vmcore)
	dd if=/proc/vmcore of=/dev/vda bs=65536 conv=fsync 2>/dev/null || echo "ORACLE dd failed"
	sync
	echo "ORACLE size=$size sha256=$(sha256sum /proc/vmcore | cut -d' ' -f1)"
fi
dmesg | grep -iE 'vmcore|elfcorehdr|crash|kdump|sane|warning|PT_NOTE' | sed 's/^/ORACLE dmesg: /'
echo "ORACLE uname: $(uname -r -m)"
echo "ORACLE done"
poweroff -f
EOF

bash "$top/tests/lib/initramfs.sh" -o "$tmp/initrd.gz" -i "$tmp/init" -k "$kdir" -B "$busybox" -m virtio_blk -m virtio_pci ||
	die "cannot build the initramfs"

# The disk must hold the whole vmcore: headers and notes plus every planted byte, page-rounded.
disk_mb=$(( $(du -sm --apparent-size "$plant" | cut -f1) + 4 ))
truncate -s "${disk_mb}M" "$tmp/disk.img"

echo "oracle: booting Linux $kver on the planted state (key $key)" >&2
start=$(date +%s)
rc=0
timeout --kill-after=5 "$ORACLE_TIMEOUT" "$qemu" -machine pc -m "$ORACLE_RAM_MB" -smp 1 \
	-display none -monitor none -no-reboot -nodefaults -serial "file:$tmp/console.log" \
	-kernel "$kdir/vmlinuz" -initrd "$tmp/initrd.gz" -append "$append" \
	-drive "file=$tmp/disk.img,format=raw,if=virtio,cache=unsafe" \
	"${loader[@]}" </dev/null >"$tmp/qemu.out" 2>&1 || rc=$?
cp "$tmp/console.log" "$cache/$key.log" 2>/dev/null || true
[ "$rc" = 0 ] || die "QEMU failed (status $rc): $(tail -n 5 "$tmp/qemu.out" "$tmp/console.log" 2>/dev/null | tr -d '\r')"
line=$(grep -a '^ORACLE size=' "$tmp/console.log" | tr -d '\r' | head -1) || true
if [ -z "$line" ]; then
	die "Linux made no /proc/vmcore; see $cache/$key.log: $(grep -a '^ORACLE' "$tmp/console.log" | tr -d '\r' | tr '\n' ' ')"
fi
size=$(echo "$line" | sed 's/.*size=\([0-9]*\).*/\1/')
sum=$(echo "$line" | sed 's/.*sha256=\([0-9a-f]*\).*/\1/')
[ "$size" -le $((disk_mb * 1024 * 1024)) ] || die "vmcore ($size bytes) larger than the disk"
truncate -s "$size" "$tmp/disk.img"
got=$(sha256sum "$tmp/disk.img" | cut -d' ' -f1)
[ "$got" = "$sum" ] || die "copied vmcore digest $got differs from the guest's $sum"
mv "$tmp/disk.img" "$out"
echo "oracle: $size bytes in $(($(date +%s) - start)) s" >&2
echo "$out"
