; salvage.multiboot.elf: salvage.elf for kexec's multiboot-x86 loader (salvage-load --type multiboot),
; byte for byte the same but for the multiboot header's flags and checksum: the a.out-kludge flag
; (bit 16) is cleared. With it QEMU -kernel and GRUB load the file at a fixed 2 MiB; kexec would obey it
; too and fail for -p (2 MiB is not in the crash region). Without it kexec loads the ELF PT_LOADs and
; relocates them into the reservation. Assembled by the Makefile (nasm -f bin) from salvage.elf and its
; symbols: -DIMAGE="file" -DMB_HEADER=<file offset of the header> -DMB_FLAGS=<its flags>.

MB_MAGIC	equ 0x1BADB002
MB_AOUT_KLUDGE	equ 0x10000
KEXEC_FLAGS	equ MB_FLAGS & ~MB_AOUT_KLUDGE

%if MB_FLAGS & MB_AOUT_KLUDGE == 0
%error "salvage.elf's multiboot header has no a.out kludge: it needs no kexec variant"
%endif

	incbin IMAGE, 0, MB_HEADER + 4		; everything up to and including the magic
	dd KEXEC_FLAGS
	dd (-(MB_MAGIC + KEXEC_FLAGS)) & 0xffffffff
	incbin IMAGE, MB_HEADER + 12		; the rest, from header_addr on
