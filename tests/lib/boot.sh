# Shell helpers for the boot tests (source from bash after tests/lib/qemu.sh): the raw loadable
# image of build/salvage.elf, the Linux-entry purgatory stand-in, and salvage's console lines.

# salvage_image OUT: write the loadable bytes of build/salvage.elf to OUT (the file up to the end
# of its last PT_LOAD: salvage keeps file offset == link address, so these bytes put at any page
# boundary B are the image based at B; .bss is zeroed by salvage itself). Prints e_entry in hex.
salvage_image() {
	python3 - "$1" <<'PY'
import struct, sys
f = open("build/salvage.elf", "rb").read()
entry, phoff = struct.unpack_from("<II", f, 24)
phnum, = struct.unpack_from("<H", f, 44)
end = 0
for i in range(phnum):
    t, off, va, pa, fs, ms, fl, al = struct.unpack_from("<8I", f, phoff + 32 * i)
    if t == 1:
        if off != va:
            sys.exit("PT_LOAD at offset 0x%x has address 0x%x: not a raw-loadable image" % (off, va))
        end = max(end, off + fs)
open(sys.argv[1], "wb").write(f[:end])
print("0x%x" % entry)
PY
}

# linux_stub OUT BASE ENTRY RAM_START RAM_END CMDLINE: assemble tests/qemu/linux-entry-stub.asm.
linux_stub() {
	nasm -f bin -o "$1" -DSALVAGE_BASE="$2" -DSALVAGE_ENTRY="$3" -DRAM_START="$4" -DRAM_END="$5" \
		-DCMDLINE="\"$6\"" tests/qemu/linux-entry-stub.asm
}

# salvage_lines FILE: salvage's own log lines from a console capture (no frames, no \r).
salvage_lines() {
	tr -d '\r' <"$1" | grep -a '^salvage: '
}
