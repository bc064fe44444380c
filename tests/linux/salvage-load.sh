#!/bin/bash
# salvage-load and salvage-mkcorehdr without a VM: the header salvage-mkcorehdr builds from a fake
# /proc and /sys (numbers from a real Debian 12 guest, where kexec-tools 2.0.25 `kexec -p -d` printed
# its own program headers) equals kexec-tools' header byte for byte (p_offset = p_paddr: no backup
# region on the multiboot path); salvage-load's kexec command lines (dry run), its multiboot copy
# with the a.out kludge cleared, and its errors for a missing reservation, a too small one, a
# missing image and a missing kexec; the bzImage path (kexec -s), the default under kernel lockdown,
# and its refusals of an unsigned image and of an untrusted signature.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init salvage-load
LOAD=tools/salvage-load
MK=build/salvage-mkcorehdr
[ -x "$MK" ] && [ -f build/salvage.elf ] || { not_ok "build" "run make first"; finish; }

# --- a fake sysroot: 512 MiB guest, crashkernel=160M auto-placed, KASLR --------------------------
R=$T/root
mkdir -p "$R/proc" "$R/sys/kernel" "$R/sys/devices/system/cpu/cpu0" "$R/sys/devices/system/cpu/cpu1"
cat >"$R/proc/iomem" <<'EOF'
00000000-00000fff : Reserved
00001000-0009fbff : System RAM
0009fc00-0009ffff : Reserved
000f0000-000fffff : Reserved
  000f0000-000fffff : System ROM
00100000-1ffdffff : System RAM
  0b000000-14ffffff : Crash kernel
  15600000-16401d31 : Kernel code
  16600000-16eeafff : Kernel rodata
  17000000-1724897f : Kernel data
  17910000-189fffff : Kernel bss
1ffe0000-1fffffff : Reserved
fd000000-fdffffff : PCI Bus 0000:00
EOF
echo "0x0000000001334000 1024" >"$R/sys/kernel/vmcoreinfo"
for c in 0 1; do
	: >"$R/sys/devices/system/cpu/cpu$c/uevent"
	echo 368 >"$R/sys/devices/system/cpu/cpu$c/crash_notes_size"
done
echo 1ea3a400 >"$R/sys/devices/system/cpu/cpu0/crash_notes"
echo 1eb3a400 >"$R/sys/devices/system/cpu/cpu1/crash_notes"
printf 'ffffffffa0600000 T _stext\nffffffffa0600000 T _text\nffffffffa3a2f980 B _end\n' >"$R/proc/kallsyms"
# /proc/kcore's ELF header: KCORE_TEXT (_text.._end), two KCORE_RAM, vmalloc, vmemmap.
python3 - "$R/proc/kcore" <<'EOF'
import struct, sys
ph = [(0xffffffffa0600000, 0x342f980), (0xffff8bb100001000, 0x9ec00), (0xffff8bb100100000, 0x1fee0000),
      (0xffffa9c080000000, 0x1fffffffffff), (0xffffd1c840000000, 0x800000)]
hdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
hdr += struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, len(ph) + 1, 0, 0, 0)
hdr += struct.pack("<IIQQQQQQ", 4, 0, 0x1000, 0, 0, 0x800, 0, 4)
for i, (va, sz) in enumerate(ph):
    hdr += struct.pack("<IIQQQQQQ", 1, 7, 0x2000 + i * 0x100000, va, 0xffffffffffffffff, sz, sz, 4096)
open(sys.argv[1], "wb").write(hdr + bytes(4096))
EOF
# kexec-tools' header for this state (its `kexec -d` "Elf header" lines), p_offset = p_paddr.
python3 - "$T/want.bin" <<'EOF'
import struct, sys
ph = [(4, 0, 0x1ea3a400, 0, 0x170), (4, 0, 0x1eb3a400, 0, 0x170), (4, 0, 0x1334000, 0, 0x1024),
      (1, 7, 0x15600000, 0xffffffffa0600000, 0x3430000), (1, 7, 0x1000, 0xffff8bb100001000, 0x9ec00),
      (1, 7, 0x100000, 0xffff8bb100100000, 0xaf00000), (1, 7, 0x15000000, 0xffff8bb115000000, 0xafe0000)]
b = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
b += struct.pack("<HHIQQQIHHHHHH", 4, 62, 1, 0, 64, 0, 0, 64, 56, len(ph), 0, 0, 0)
for t, fl, pa, va, sz in ph:
    b += struct.pack("<IIQQQQQQ", t, fl, pa, va, pa, sz, sz, 0)
b += bytes(-len(b) % 1024)
open(sys.argv[1], "wb").write(b)
EOF
if "$MK" --sysroot "$R" -o "$T/got.bin" 2>"$T/mk.err"; then
	if cmp -s "$T/want.bin" "$T/got.bin"; then
		ok "salvage-mkcorehdr: header equals kexec-tools' for the same /proc and /sys ($(stat -c %s "$T/got.bin") bytes)"
	else
		not_ok "salvage-mkcorehdr: header equals kexec-tools'" "$(cmp "$T/want.bin" "$T/got.bin" 2>&1 | head -1)"
		readelf -lW "$T/got.bin" 2>&1 | grep -E 'NOTE|LOAD' | sed 's/^/#   | /'
	fi
else
	not_ok "salvage-mkcorehdr runs on the fake sysroot" "$(cat "$T/mk.err")"
fi
# Without /proc/kcore it falls back to kallsyms for the text mapping and warns (PAGE_OFFSET default).
mv "$R/proc/kcore" "$R/proc/kcore.off"
"$MK" --sysroot "$R" -o "$T/nokcore.bin" 2>"$T/mk2.err"
readelf -lW "$T/nokcore.bin" 2>/dev/null | grep -q 'LOAD.*0xffffffffa0600000 0x0000000015600000 0x3430000' &&
	grep -q 'kallsyms' "$T/mk2.err" && ok "salvage-mkcorehdr: /proc/kallsyms gives the text mapping without /proc/kcore" ||
	not_ok "salvage-mkcorehdr: kallsyms fallback" "$(cat "$T/mk2.err")"
mv "$R/proc/kcore.off" "$R/proc/kcore"
printf '00000000-00000000 : System RAM\n' >"$R/proc/iomem.zero"
mkdir -p "$T/r2/proc" && cp "$R/proc/iomem.zero" "$T/r2/proc/iomem"
"$MK" --sysroot "$T/r2" -o "$T/x.bin" 2>"$T/mk3.err" && not_ok "salvage-mkcorehdr: refuses zeroed /proc/iomem" "it succeeded" ||
	{ grep -q 'run as root' "$T/mk3.err" && ok "salvage-mkcorehdr: zeroed /proc/iomem (not root) is a clear error" ||
		not_ok "salvage-mkcorehdr: zeroed /proc/iomem message" "$(cat "$T/mk3.err")"; }

# --- salvage-load: dry runs against a fake /sys/kernel -------------------------------------------
S=$T/sys
mkdir -p "$S/kernel"
export SALVAGE_SYSFS=$S SALVAGE_COREHDR=$T/corehdr.bin SALVAGE_CONF=$T/no-salvage.conf	# not the host's
MBI=build/salvage.multiboot.elf
echo $((8 << 20)) >"$S/kernel/kexec_crash_size"
check "salvage-load --help" sh "$LOAD" --help
out=$(sh "$LOAD" -n --image build/salvage.elf --kexec /bin/true --dump tftp://10.0.0.1:69/vmcore-%m --dump serial \
	--ip dhcp --console ttyS1,57600 --done halt --format raw 2>&1)
want="'/bin/true' '-p' '--type' 'elf-x86' '--args-linux' 'build/salvage.elf' '--append=dump=tftp://10.0.0.1:69/vmcore-%m dump=serial ip=dhcp console=ttyS1,57600 salvage.done=halt dump.format=raw' "
[ "$out" = "$want" ] && ok "salvage-load: elf-x86 command line with dump=/ip=/console=/salvage.done=/dump.format= words" ||
	not_ok "salvage-load: elf-x86 command line" "got: $out"
out=$(sh "$LOAD" -n --live --type multiboot --image "$MBI" --kexec /bin/true --mkcorehdr "$MK" --dump serial 2>/dev/null)
want="'/bin/true' '-l' '--type' 'multiboot-x86' '$MBI' '--module=$T/corehdr.bin' '--command-line=dump=serial' "
[ "$out" = "$want" ] && ok "salvage-load: --live --type multiboot runs kexec -l with the header as module" ||
	not_ok "salvage-load: multiboot command line" "got: $out"
# /etc/salvage.conf: every key becomes its word; an option overrides its key (--dump every target).
cat >"$T/salvage.conf" <<'EOF'
# comment
targets = tftp://10.0.0.1:69/vmcore-%m serial
ip=10.0.0.5:10.0.0.1:10.0.0.254:255.255.255.0
   dump.level = 31
format = kdump
compress = zlib
console = ttyS1,57600
done = poweroff
extra = salvage.fault=0 acpi_rsdp=0xf0000
EOF
out=$(sh "$LOAD" -n --config "$T/salvage.conf" --image build/salvage.elf --kexec /bin/true 2>&1)
want="'/bin/true' '-p' '--type' 'elf-x86' '--args-linux' 'build/salvage.elf' '--append=dump=tftp://10.0.0.1:69/vmcore-%m dump=serial ip=10.0.0.5:10.0.0.1:10.0.0.254:255.255.255.0 console=ttyS1,57600 salvage.done=poweroff dump.format=kdump dump.compress=zlib dump.level=31 salvage.fault=0 acpi_rsdp=0xf0000' "
[ "$out" = "$want" ] && ok "salvage-load: every key of salvage.conf becomes its word" || not_ok "salvage-load: salvage.conf" "got: $out"
out=$(SALVAGE_CONF=$T/salvage.conf sh "$LOAD" -n --image build/salvage.elf --kexec /bin/true --dump serial:ttyS2 \
	--ip dhcp --done reboot --format elf --dump-level 1 --append x=1 2>&1)
want="'/bin/true' '-p' '--type' 'elf-x86' '--args-linux' 'build/salvage.elf' '--append=dump=serial:ttyS2 ip=dhcp console=ttyS1,57600 salvage.done=reboot dump.format=elf dump.compress=zlib dump.level=1 x=1' "
[ "$out" = "$want" ] && ok "salvage-load: options override salvage.conf, key by key" || not_ok "salvage-load: options over salvage.conf" "got: $out"
out=$(sh "$LOAD" -n --config pkg/salvage.conf --image build/salvage.elf --kexec /bin/true 2>&1)
[ "$out" = "'/bin/true' '-p' '--type' 'elf-x86' '--args-linux' 'build/salvage.elf' '--append=' " ] &&
	ok "salvage-load: the shipped salvage.conf (every key at its default, commented out) adds no word" ||
	not_ok "salvage-load: shipped salvage.conf" "got: $out"
# Every key the shipped file documents is one salvage-load reads.
sed -n 's/^#\([a-z.]*\) =.*/\1 = elf/p' pkg/salvage.conf >"$T/keys.conf"
[ "$(wc -l <"$T/keys.conf")" = 9 ] && ok "pkg/salvage.conf documents 9 keys" || not_ok "pkg/salvage.conf keys" "$(tr '\n' ' ' <"$T/keys.conf")"
printf 'targets = serial\nformat = elf\ndump_level = 3\n' >"$T/bad.conf"
out=$(sh "$LOAD" -n --config "$T/bad.conf" --image build/salvage.elf --kexec /bin/true 2>&1) &&
	not_ok "salvage-load: an unknown key in salvage.conf is an error" "it loaded: $out" ||
	{ echo "$out" | grep -q "bad.conf:3: unknown key 'dump_level'" && ok "salvage-load: an unknown key in salvage.conf is an error naming file and line" ||
		not_ok "salvage-load: unknown key message" "$out"; }
printf 'done = never\n' >"$T/bad2.conf"
out=$(sh "$LOAD" -n --config "$T/bad2.conf" --image build/salvage.elf --kexec /bin/true 2>&1) &&
	not_ok "salvage-load: a bad value in salvage.conf is an error" "it loaded: $out" ||
	{ echo "$out" | grep -q "wants reboot, halt or poweroff, not 'never'" && ok "salvage-load: a bad value in salvage.conf is an error" ||
		not_ok "salvage-load: bad value message" "$out"; }
sh "$LOAD" -n --unload --config "$T/bad.conf" --kexec /bin/true >/dev/null 2>&1 &&
	ok "salvage-load --unload works whatever salvage.conf holds (salvage.service's ExecStop)" ||
	not_ok "salvage-load --unload with a broken salvage.conf" "it failed"
sh "$LOAD" -n --config "$T/none.conf" --image build/salvage.elf --kexec /bin/true >/dev/null 2>&1 &&
	not_ok "salvage-load --config of a missing file is an error" "it loaded" || ok "salvage-load --config of a missing file is an error"

# The build's image for kexec: a.out kludge (bit 16) cleared, checksum still valid, nothing else changed.
python3 - build/salvage.elf "$MBI" <<'EOF' && ok "salvage.multiboot.elf: salvage.elf with the a.out kludge cleared and a valid checksum" || not_ok "salvage.multiboot.elf" "see above"
import struct, sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
off = next(i for i in range(0, 8192, 4) if struct.unpack_from("<I", a, i)[0] == 0x1BADB002)
fa, fb = struct.unpack_from("<I", a, off + 4)[0], struct.unpack_from("<I", b, off + 4)[0]
ok = len(a) == len(b) and fb == fa & ~0x10000 and (0x1BADB002 + fb + struct.unpack_from("<I", b, off + 8)[0]) & 0xffffffff == 0
ok = ok and a[:off + 4] == b[:off + 4] and a[off + 12:] == b[off + 12:]
print("# header at %d: flags %#x -> %#x" % (off, fa, fb))
sys.exit(0 if ok else 1)
EOF
# kexec-tools 2.0.27+ default to kexec_file_load: salvage-load adds -c there.
printf '#!/bin/sh\necho "                      understand the image (default)"\n' >"$T/newkexec"
chmod +x "$T/newkexec"
sh "$LOAD" -n --image build/salvage.elf --kexec "$T/newkexec" | grep -q "'-c' '-p'" &&
	ok "salvage-load: adds -c where kexec would try kexec_file_load first" ||
	not_ok "salvage-load: -c for newer kexec-tools" "no -c"
need=$(sh "$LOAD" --print-crashkernel --image build/salvage.elf)
[[ "$need" =~ ^[0-9]+M$ ]] && ok "salvage-load --print-crashkernel: $need" || not_ok "salvage-load --print-crashkernel" "got '$need'"
# The image's size once loaded (the PT_LOAD span, .bss included) as readelf sees it: salvage-load's
# --status figure, from salvage-mkcorehdr --measure.
span=$(readelf -lW build/salvage.elf | python3 -c '
import sys
l = [(int(w[2], 16), int(w[2], 16) + int(w[5], 16)) for w in map(str.split, sys.stdin) if w and w[0] == "LOAD"]
print((max(e for _, e in l) - min(a for a, _ in l) + 4095) // 4096 * 4096)')
for img in build/salvage.elf "$MBI"; do
	ty=elf; [ "$img" = "$MBI" ] && ty=multiboot
	st=$(sh "$LOAD" --status --type $ty --image "$img" | sed -n 's/.*, \([0-9]*\) KiB loaded.*/\1/p')
	[ "$st" = $((span / 1024)) ] && ok "salvage-load --status --type $ty: $st KiB loaded, readelf's PT_LOAD span" ||
		not_ok "salvage-load --status --type $ty" "says '$st' KiB, readelf's span is $((span / 1024)) KiB"
done

# --- errors ---------------------------------------------------------------------------------------
expect_error() {
	local what=$1 re=$2 out; shift 2
	if out=$(sh "$LOAD" "$@" 2>&1); then
		not_ok "$what" "salvage-load succeeded"
	elif echo "$out" | grep -qE -- "$re"; then
		ok "$what"
	else
		not_ok "$what" "message was: $(echo "$out" | head -n 2 | tr '\n' ' ')"
	fi
}
echo 0 >"$S/kernel/kexec_crash_size"
expect_error "salvage-load: no reservation says to add crashkernel=" "Add crashkernel=$need " \
	-n --image build/salvage.elf --kexec /bin/true
echo $((1 << 20)) >"$S/kernel/kexec_crash_size"
expect_error "salvage-load: too small a reservation says how much salvage needs" "too small: 1024 KiB reserved, salvage needs [0-9]+ KiB" \
	-n --image build/salvage.elf --kexec /bin/true
expect_error "salvage-load: missing image" "salvage image .*nonexistent.* not found" -n --image "$T/nonexistent" --kexec /bin/true
expect_error "salvage-load: missing kexec" "is not an executable|kexec not found" -n --image build/salvage.elf --kexec "$T/nokexec"
expect_error "salvage-load: not an i386 image" "not a 32-bit ELF|not an ELF" -n --image /bin/sh --kexec /bin/true
expect_error "salvage-load --type multiboot: salvage.elf (a.out kludge) is refused, naming salvage.multiboot.elf" \
	"multiboot a.out kludge.*salvage\.multiboot\.elf" -n --type multiboot --image build/salvage.elf --kexec /bin/true --mkcorehdr "$MK"
head -c 100 build/salvage.elf >"$T/short.elf"
expect_error "salvage-load: a truncated image (program headers cut off)" "unexpected program header table" \
	-n --image "$T/short.elf" --kexec /bin/true
: >"$T/empty.img"
expect_error "salvage-load: an empty file is no image" "not an ELF file" -n --image "$T/empty.img" --kexec /bin/true
expect_error "salvage-load --type bzimage: an empty file is no bzImage" "not a bzImage" \
	-n --type bzimage --image "$T/empty.img" --kexec /bin/true
expect_error "salvage-load: bad --done" "--done wants" --done never
expect_error "salvage-load: bad --format" "--format wants elf, raw or kdump" --format lzo

# --- the seed segment of dump.encrypt= (crypto/seed.h) --------------------------------------------
# A kexec stand-in records what kexec would load as the seed: where its descriptor points, its mode,
# its bytes; and, while it runs (salvage-load waiting on it), looks for the seed's bytes in every
# process's command line and environment and in ps. The real kexec reads the same descriptor
# (tests/linux/crash-seed.sh).
cat >"$T/kexec-spy" <<'EOF2'
#!/bin/bash
o=$SPY_OUT
printf '%s\n' "$@" >"$o.args"
seg=""
for a in "$@"; do case $a in --initrd=*|--module=/proc/self/fd/*) seg=${a#*=} ;; esac; done
[ -n "$seg" ] || exit "${SPY_RC:-0}"
readlink "$seg" >"$o.link"
stat -L -c %a "$seg" >"$o.mode"
od -An -v -tx1 "$seg" | tr -d ' \n' >"$o.hex"
seed=$(cut -c33- "$o.hex")
: >"$o.hits"
for f in /proc/[0-9]*/cmdline /proc/[0-9]*/environ; do
	od -An -v -tx1 "$f" 2>/dev/null | tr -d ' \n' | grep -q "$seed" && echo "$f" >>"$o.hits"
done
ps -eo args | od -An -v -tx1 | tr -d ' \n' | grep -q "$seed" && echo ps >>"$o.hits"
exit "${SPY_RC:-0}"
EOF2
chmod +x "$T/kexec-spy"
echo $((8 << 20)) >"$S/kernel/kexec_crash_size"
RCPT=$(age-keygen 2>/dev/null | sed -n 's/^# public key: //p')
ENC=dump.encrypt=$RCPT
if [ "$(id -u)" = 0 ]; then
	SPY_OUT=$T/spy1 sh "$LOAD" --image build/salvage.elf --kexec "$T/kexec-spy" --dump serial --encrypt-to "$RCPT" \
		>"$T/spy1.out" 2>&1 || not_ok "salvage-load with dump.encrypt= and the kexec stand-in" "$(cat "$T/spy1.out")"
	grep -qx -- '--initrd=/proc/self/fd/9' "$T/spy1.args" &&
		ok "salvage-load: dump.encrypt= passes a seed segment to kexec as --initrd=/proc/self/fd/9" ||
		not_ok "salvage-load: seed segment passed" "kexec got: $(tr '\n' ' ' <"$T/spy1.args")"
	hex=$(cat "$T/spy1.hex" 2>/dev/null)
	[ "${hex:0:32}" = "$(printf 'salvage-seed' | od -An -tx1 | tr -d ' \n')40000000" ] && [ ${#hex} = 160 ] &&
		ok "the seed segment: \"salvage-seed\", length 64, 64 bytes" || not_ok "seed segment format" "got $hex"
	link=$(cat "$T/spy1.link" 2>/dev/null)
	[[ "$link" =~ ^/run/salvage-seed\.[A-Za-z0-9]+/seed\ \(deleted\)$ ]] &&
		ok "while kexec runs the seed is only an open descriptor: its file in a private /run directory is already removed ($link)" ||
		not_ok "seed file removed before kexec runs" "descriptor 9 -> '$link'"
	[ "$(cat "$T/spy1.mode" 2>/dev/null)" = 600 ] && ok "the seed file was readable by its owner only (0600)" ||
		not_ok "seed file mode" "$(cat "$T/spy1.mode" 2>/dev/null)"
	dir=${link% (deleted)}; dir=${dir%/seed}
	[ -n "$dir" ] && [ ! -e "$dir" ] && ok "its directory is gone after the load" || not_ok "seed directory removed" "$dir exists"
	[ -f "$T/spy1.hits" ] && [ ! -s "$T/spy1.hits" ] &&
		ok "the seed is in no process's command line or environment and not in ps during the load" ||
		not_ok "seed absent from /proc/*/cmdline, environ, ps" "found in: $(tr '\n' ' ' <"$T/spy1.hits" 2>/dev/null)"
	# No file left anywhere salvage-load could have written holds the seed (the spy's own records aside).
	python3 - "$T/spy1.hex" "$T" /run /dev/shm /tmp /var/tmp <<'EOF2' && ok "no file in /run, /dev/shm, /tmp, /var/tmp holds the seed after the load" || not_ok "seed left in a file" "see above"
import os, sys
seed = bytes.fromhex(open(sys.argv[1]).read()[32:])
found = []
for top in sys.argv[3:]:
    for d, dirs, files in os.walk(top):
        for f in files:
            p = os.path.join(d, f)
            if p.startswith(sys.argv[2] + "/spy"):
                continue
            try:
                if os.path.isfile(p) and not os.path.islink(p) and os.path.getsize(p) < 64 << 20 and seed in open(p, "rb").read():
                    found.append(p)
            except OSError:
                pass
print("# scanned for the seed:", " ".join(sys.argv[3:]), "found:", found)
sys.exit(1 if found else 0)
EOF2
	SPY_OUT=$T/spy2 sh "$LOAD" --image build/salvage.elf --kexec "$T/kexec-spy" --append "$ENC" >/dev/null 2>&1
	[ -s "$T/spy2.hex" ] && [ "$(cat "$T/spy2.hex")" != "$hex" ] && ok "two loads get different seeds" ||
		not_ok "two loads get different seeds" "same or missing"
	SPY_OUT=$T/spy3 SPY_RC=1 sh "$LOAD" --image build/salvage.elf --kexec "$T/kexec-spy" --append "$ENC" >/dev/null 2>&1 &&
		not_ok "a failing kexec fails salvage-load" "it succeeded"
	link=$(cat "$T/spy3.link" 2>/dev/null); dir=${link% (deleted)}; dir=${dir%/seed}
	[ -n "$dir" ] && [ ! -e "$dir" ] && ok "a failed load leaves no seed file either" || not_ok "failed load leaves no seed" "'$dir'"
	SPY_OUT=$T/spy4 sh "$LOAD" --image build/salvage.elf --kexec "$T/kexec-spy" --dump serial >/dev/null 2>&1
	{ [ ! -f "$T/spy4.args" ] || grep -q -- '--initrd' "$T/spy4.args"; } && not_ok "no seed without dump.encrypt=" "$(tr '\n' ' ' <"$T/spy4.args")" ||
		ok "without dump.encrypt= there is no seed segment"
	need0=$(sh "$LOAD" --status --image build/salvage.elf | sed -n 's/.*needs \([0-9]*\) KiB.*/\1/p')
	need1=$(sh "$LOAD" --status --image build/salvage.elf --append "$ENC" | sed -n 's/.*needs \([0-9]*\) KiB.*/\1/p')
	[ -n "$need0" ] && [ "$need1" = $((need0 + 4)) ] && ok "the reservation salvage-load asks for grows by the seed's page (${need0} -> ${need1} KiB)" ||
		not_ok "reservation with a seed" "$need0 -> $need1"
fi
out=$(sh "$LOAD" -n --type multiboot --image build/salvage.multiboot.elf --kexec /bin/true --mkcorehdr "$MK" --dump serial --append "$ENC" 2>/dev/null)
want="'/bin/true' '-p' '--type' 'multiboot-x86' 'build/salvage.multiboot.elf' '--module=$T/corehdr.bin' '--module=/proc/self/fd/9' '--command-line=dump=serial $ENC' "
[ "$out" = "$want" ] && ok "salvage-load --type multiboot: the seed is the module after the ELF core header" ||
	not_ok "salvage-load multiboot seed module" "got: $out"

# --- the bzImage path (kexec_file_load) and kernel lockdown ----------------------------------------
echo $((8 << 20)) >"$S/kernel/kexec_crash_size"
BZ=build/salvage.bzImage
[ -f "$BZ" ] || { not_ok "build" "$BZ missing (run make)"; finish; }
out=$(sh "$LOAD" -n --type bzimage --image "$BZ" --kexec /bin/true --dump serial 2>&1)
want="'/bin/true' '-s' '-p' '$BZ' '--append=dump=serial' "
[ "$out" = "$want" ] && ok "salvage-load --type bzimage: kexec -s -p (kexec_file_load)" || not_ok "salvage-load --type bzimage" "got: $out"
need=$(sh "$LOAD" --print-crashkernel --type bzimage --image "$BZ")
init=$(od -An -tu4 -j 608 -N 4 "$BZ" | tr -d ' ')
[[ "$need" =~ ^[0-9]+M$ ]] && [ $(( ${need%M} << 20 )) -ge "$init" ] &&
	ok "salvage-load --print-crashkernel --type bzimage: $need (init_size $init)" ||
	not_ok "salvage-load --print-crashkernel --type bzimage" "got '$need', init_size $init"
mkdir -p "$S/firmware/efi"
printf 'ACPI20=0x7fb7e014\nACPI=0x7fb7e000\nSMBIOS=0x7f9ec000\n' >"$S/firmware/efi/systab"
out=$(sh "$LOAD" -n --type bzimage --image "$BZ" --kexec /bin/true --dump serial 2>&1)
[ "$out" = "'/bin/true' '-s' '-p' '$BZ' '--append=dump=serial acpi_rsdp=0x7fb7e014' " ] &&
	ok "salvage-load --type bzimage under UEFI: acpi_rsdp= from /sys/firmware/efi/systab (ACPI20)" ||
	not_ok "salvage-load --type bzimage acpi_rsdp=" "got: $out"
rm -r "$S/firmware"
expect_error "salvage-load --type bzimage: an ELF image is no bzImage" "not a bzImage" -n --type bzimage --image build/salvage.elf --kexec /bin/true
mkdir -p "$S/kernel/security"
echo "none [integrity] confidentiality" >"$S/kernel/security/lockdown"
out=$(sh "$LOAD" -n --image "$BZ" --kexec /bin/true --dump serial 2>&1)
[ "$out" = "$want" ] && ok "salvage-load: under lockdown --type bzimage is the default" || not_ok "salvage-load: lockdown default" "got: $out"
expect_error "salvage-load: under lockdown --type elf says kexec_load is refused and what to use" \
	"locked down \(integrity.*refuses.*kexec_load|--type bzimage" -n --type elf --image build/salvage.elf --kexec /bin/true
# A kernel refusing the load as a locked-down one does (the errno kexec-tools prints differs by
# kernel: EPERM, ENODATA, ENOKEY): salvage-load tells an unsigned image from an untrusted signature.
printf '#!/bin/sh\necho "kexec_file_load failed: Required key not available" >&2\nexit 1\n' >"$T/refusing-kexec"
chmod +x "$T/refusing-kexec"
if [ "$(id -u)" = 0 ]; then
	expect_error "salvage-load: an unsigned image refused under lockdown: says it carries no signature" \
		"carries no signature" --image "$BZ" --kexec "$T/refusing-kexec"
	expect_error "salvage-load: ... and how to sign it and enroll the certificate" \
		"mokutil --import cert.der" --image "$BZ" --kexec "$T/refusing-kexec"
	openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=salvage-load test key" -days 1 \
		-keyout "$T/t.key" -out "$T/t.pem" >/dev/null 2>&1 &&
		sbsign --key "$T/t.key" --cert "$T/t.pem" --output "$T/signed.bzImage" "$BZ" >/dev/null 2>&1 ||
		not_ok "test signing key" "openssl/sbsign failed"
	expect_error "salvage-load: a signed image refused under lockdown: says the signature is not trusted, by whom" \
		"does not trust the signature on the image \(signed by /CN=salvage-load test key\)" \
		--image "$T/signed.bzImage" --kexec "$T/refusing-kexec"
	printf '#!/bin/sh\necho "kexec_file_load failed: Key was rejected by service" >&2\nexit 1\n' >"$T/rejecting-kexec"
	chmod +x "$T/rejecting-kexec"
	expect_error "salvage-load: a signature that does not match the image (EKEYREJECTED) is called that" \
		"the signature does not match the image" --image "$T/signed.bzImage" --kexec "$T/rejecting-kexec"
	# The kernel checks the signature over the same bytes sbsign hashed: sbverify agrees.
	check "sbverify accepts the signed salvage.bzImage" sbverify --cert "$T/t.pem" "$T/signed.bzImage"
fi
finish
