#!/bin/bash
# build/salvage.bzImage without a VM: the setup header passes every check of Linux's bzImage64
# kexec_file_load probe and loader (HdrS, boot_flag, protocol >= 2.12, LOADED_HIGH, XLF_KERNEL_64,
# XLF_CAN_BE_LOADED_ABOVE_4G; 2.14 for the RSDP), setup sectors, cmdline_size room for elfcorehdr=, init_size holding
# the file and a signature), the protected-mode part is salvage.elf's memory image byte for byte
# (multiboot magic blanked, 64-bit entry at +0x200), the PE/COFF header is one sbsign signs without a
# warning and sbverify then accepts, and the signed file still fits init_size.
. "$(dirname "$0")/../lib/qemu.sh"
qemu_init bzimage-format
BZ=build/salvage.bzImage
[ -f "$BZ" ] && [ -f build/salvage.elf ] || { not_ok "build" "run make first"; finish; }
syms=$(i686-linux-gnu-nm build/salvage.elf | awk '$3 ~ /^(__data_end|__image_end|mb_header|entry64)$/ { printf "%s=0x%s ", $3, $1 }')

python3 - "$BZ" build/salvage.elf $syms <<'PY'
import struct, sys
bz, elf = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
sym = {k: int(v, 16) for k, v in (a.split("=") for a in sys.argv[3:])}
fails = 0
def check(cond, what, why=""):
    global fails
    print(("ok " if cond else "not ok ") + what + ("" if cond else ": " + why))
    fails += not cond
u8 = lambda o: bz[o]
u16 = lambda o: struct.unpack_from("<H", bz, o)[0]
u32 = lambda o: struct.unpack_from("<I", bz, o)[0]
check(bz[0x202:0x206] == b"HdrS" and u16(0x1fe) == 0xAA55, "bzImage: HdrS and boot_flag 0xAA55")
# kexec needs 2.12; salvage reads boot_params' acpi_rsdp_addr from 2.14 on (kexec copies this header).
check(u16(0x206) >= 0x020E, "bzImage: protocol >= 2.14", hex(u16(0x206)))
check(u8(0x211) & 1, "bzImage: loadflags LOADED_HIGH")
x = u16(0x236)
check(x & 1 and x & 2, "bzImage: xloadflags XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G", hex(x))
check(u8(0x234) == 1 and u32(0x230) == 0x1000, "bzImage: relocatable, kernel_alignment 4 KiB")
setup = ((u8(0x1f1) or 4) + 1) * 512
# kexec copies the setup header up to the jump's target: it must cover init_size (0x260..0x263).
check(bz[0x200] == 0xEB and 0x202 + bz[0x201] >= 0x264, "bzImage: the jump at 0x200 spans the whole header")
check(u32(0x238) >= 256 + 30, "bzImage: cmdline_size leaves room for elfcorehdr=", str(u32(0x238)))
pm = bz[setup:]
want = bytearray(elf[:sym["__data_end"]])
mb = sym["mb_header"]
check(struct.unpack_from("<I", want, mb)[0] == 0x1BADB002, "salvage.elf: multiboot header at mb_header")
want[mb:mb + 12] = bytes(12)
check(pm[:len(want)] == bytes(want) and not any(pm[len(want):]),
      "bzImage: protected-mode part = salvage.elf's memory image (multiboot magic blanked)")
check(sym["entry64"] == 0x200 and pm[0x200] == 0xFA, "bzImage: the 64-bit entry at +0x200 (cli)")
check(b"\x02\xb0\xad\x1b" not in bz[:8192], "bzImage: no multiboot magic in the first 8 KiB (kexec-tools would probe it first)")
check(u32(0x260) == sym["__image_end"] and len(pm) + 65536 <= u32(0x260),
      "bzImage: init_size = the image with .bss, room for the file and a signature", f"{u32(0x260):#x} vs {len(pm):#x}")
pe = u32(0x3c)
check(bz[:2] == b"MZ" and bz[pe:pe + 4] == b"PE\0\0" and u16(pe + 4) == 0x8664 and u16(pe + 24) == 0x20b,
      "PE/COFF: MZ, PE32+ for x86-64")
sys.exit(1 if fails else 0)
PY
[ $? = 0 ] || QEMU_FAILS=$((QEMU_FAILS + 1))

openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=salvage bzimage-format test" -days 1 \
	-keyout "$T/k.pem" -out "$T/c.pem" >/dev/null 2>&1 || { not_ok "test key" "openssl failed"; finish; }
if make -s sign KEY="$T/k.pem" CERT="$T/c.pem" SIGNED="$T/signed.bzImage" >"$T/sign.log" 2>&1; then
	ok "make sign: sbsign signs it and sbverify --cert accepts it"
	forbid "$T/sign.log" '[Ww]arning|gap' "make sign: sbsign gives no warning (sections contiguous, no trailing data)"
	init=$(od -An -tu4 -j 608 -N 4 "$T/signed.bzImage" | tr -d ' ')
	size=$(stat -c %s "$T/signed.bzImage")
	[ $((size - 1024)) -le "$init" ] && ok "signed bzImage: what kexec loads ($((size - 1024)) bytes) fits init_size ($init)" ||
		not_ok "signed bzImage fits init_size" "$((size - 1024)) > $init"
else
	not_ok "make sign" "$(tail -n 3 "$T/sign.log")"
fi
finish
