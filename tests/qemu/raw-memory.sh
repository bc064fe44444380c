#!/bin/bash
# dump.format=raw against the guest's memory as QEMU sees it: patterns planted at known physical
# addresses (-device loader), salvage dumps the memory map as a raw image over TFTP and halts, then
# QEMU's monitor saves the guest's physical memory (pmemsave). Byte P of the image must be physical
# byte P: the patterns at their addresses, every page equal to QEMU's except salvage's own image and
# the non-RAM hole below 1 MiB (zeros), the size the end of the highest RAM range; dump.level=1
# gives the same image; sha256sum -c passes on what tftpd-hpa received.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init raw-memory
. tests/lib/synthetic.sh
. tests/lib/tftp.sh
synthetic_need

RAM_MB=64
srv=$(tftp_dir srv)
tftp_hpa "$srv" -c

# Three patterns: one in the middle of RAM, one page-aligned but odd, one in the last MiB of RAM.
python3 - "$T" <<'PY'
import random, sys
r = random.Random(10)
for name, size in (("p1", 65536), ("p2", 4096 * 3), ("p3", 20000)):
    open(f"{sys.argv[1]}/{name}.bin", "wb").write(bytes(r.getrandbits(8) for _ in range(size)))
PY
P1=0x00500000 P2=0x01234000 P3=0x03e80123

# run NAME APPEND: boot salvage with the patterns, wait for the image and its digest file, save the
# guest's memory to $T/NAME.mem through the monitor, stop QEMU.
run() {
	local name=$1 append=$2
	QEMU_ARCH=i386 qemu_start "$name" 300 -smp 1 -m $RAM_MB -serial "file:$T/$name.serial" \
		-kernel "$SALVAGE_ELF" -append "$append dump=tftp://10.0.2.2:$SRV_PORT/$name.img salvage.done=halt" \
		-netdev user,id=n0 -device e1000,netdev=n0 -monitor unix:"$T/$name.sock",server,nowait \
		-device loader,file="$T/p1.bin",addr=$P1 -device loader,file="$T/p2.bin",addr=$P2 \
		-device loader,file="$T/p3.bin",addr=$P3
	if wait_for "$T/$name.serial" "tftp: wrote '$name.img.sha256'|no dump target succeeded" 240 "$name" &&
		grep -aq "wrote '$name.img.sha256'" "$T/$name.serial"; then
		ok "$name: salvage sent the raw image and its digest file"
	else
		not_ok "$name: salvage sent the raw image and its digest file"
		tail -n 8 "$T/$name.serial" | tr -d '\r' | cut -c1-200 | sed 's/^/#   | /'
	fi
	sleep 1	# salvage halts right after its last line
	python3 - "$T/$name.sock" "$T/$name.mem" $((RAM_MB << 20)) <<'PY' || not_ok "$name: pmemsave" "monitor unreachable"
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
def cmd(c):
    s.sendall((c + "\n").encode())
    buf = b""
    while not buf.endswith(b"(qemu) "):
        buf += s.recv(4096)
cmd("")
cmd(f"pmemsave 0 {sys.argv[3]} \"{sys.argv[2]}\"")
s.sendall(b"quit\n")
time.sleep(0.5)
PY
	qemu_wait "$name"
}

# check_image NAME: the image against the patterns and QEMU's memory.
check_image() {
	local name=$1 img=$srv/$1.img self out
	tftp_check_raw "$name"
	self=$(tr -d '\r' <"$T/$name.serial" | sed -n 's/^salvage: salvage at \(0x[0-9a-f]*-0x[0-9a-f]*\),.*/\1/p')
	require "$T/$name.serial" "dump: $(stat -c %s "$img" 2>/dev/null) bytes \(raw physical memory" \
		"$name: the logged size is the image's"
	out=$(python3 - "$img" "$T/$name.mem" "$self" "$T" $P1 $P2 $P3 <<'PY'
import sys
img = open(sys.argv[1], "rb").read()
mem = open(sys.argv[2], "rb").read()
lo, hi = (int(x, 16) for x in sys.argv[3].split("-"))
lo &= ~0xfff; hi = (hi + 0xfff) & ~0xfff
t = sys.argv[4]
fails = []
for name, addr in zip(("p1", "p2", "p3"), sys.argv[5:8]):
    p = open(f"{t}/{name}.bin", "rb").read(); a = int(addr, 16)
    if img[a:a + len(p)] != p:
        fails.append(f"pattern {name} not at {addr}")
size = len(img)
if size % 4096 or not (len(mem) - (2 << 20) <= size <= len(mem)):
    fails.append(f"size {size} is not the end of RAM (page multiple, within 2 MiB of {len(mem)})")
zero = bytes(4096)
bad = []
for a in range(0, size, 4096):
    i, m = img[a:a + 4096], mem[a:a + 4096]
    if lo <= a < hi or 0x9f000 <= a < 0x100000:
        if i != zero:
            bad.append(f"0x{a:x} (not zeros)")
    elif i != m:
        bad.append(f"0x{a:x}")
if bad:
    fails.append(f"{len(bad)} pages differ from QEMU's memory: {' '.join(bad[:5])}")
print("; ".join(fails) if fails else f"ok {size}")
PY
)
	case $out in
	ok*) ok "$name: byte P of the ${out#ok }-byte image is physical P: patterns at their addresses, every other page QEMU's (salvage's image $self and 0x9f000-0x100000 zeros)" ;;
	*) not_ok "$name: the image is the guest's physical memory" "$out" ;;
	esac
}

# tftp_check_raw NAME: the image's digest file passes sha256sum -c (tftpd-hpa writes the last
# block after its final ACK: wait a moment for it).
tftp_check_raw() {
	local i
	for i in $(seq 30); do
		[ -s "$srv/$1.img.sha256" ] && (cd "$srv" && sha256sum -c --status "$1.img.sha256") && break
		sleep 0.2
	done
	if (cd "$srv" && sha256sum -c --status "$1.img.sha256" 2>/dev/null); then
		ok "$1: sha256sum -c $1.img.sha256 passes"
	else
		not_ok "$1: sha256sum -c $1.img.sha256 passes"
	fi
}

run raw "dump.format=raw"
check_image raw
run raw1 "dump.format=raw dump.level=1"
check_image raw1
require "$T/raw1.serial" 'tftp: sending [0-9]+ bytes' "raw1: the size is known before the first byte (tsize sent)"
finish
