; salvage.bzImage: salvage.elf's memory image wrapped in the x86 boot protocol's bzImage form
; (Documentation/arch/x86/boot.rst) with a PE/COFF header, so that kexec_file_load's bzImage64
; loader takes it and sbsign can sign it. Assembled with nasm -f bin; the Makefile passes the
; image and its symbols: -DIMAGE="file" -DDATA_END= -DIMAGE_END= -DMB_HEADER= -DENTRY64=
;
; File layout (512-byte sectors):
;   0x000  MZ stub with e_lfanew -> PE header at 0x40: COFF header, PE32+ optional header, sections
;   0x1f1  the setup header (protocol 2.14: what bzImage64 checks, init_size, alignment; 2.14 so
;          that salvage (mm/bootinfo.c) reads the acpi_rsdp_addr kexec_file_load fills in)
;   0x268  16-bit code a real-mode loader would enter at 0x200: nothing to do there, halt
;   0x400  the protected-mode part = salvage.elf's first DATA_END bytes (file offset == address in
;          it: code, data, relocations); loaded at any 4 KiB boundary with IMAGE_END bytes of room;
;          the 64-bit entry is at +0x200 (linker.ld). Padded to a sector; a signature goes after it.
; PE sections: ".setup" = 0x200-0x3ff, ".text" = the protected-mode part. Hashed for a signature:
; headers, then both sections, contiguous. The PE entry point (should UEFI run the file as an
; application) returns EFI_UNSUPPORTED: salvage is no UEFI program.

%ifndef IMAGE
%error "pass -DIMAGE=... (see the Makefile)"
%endif
%if ENTRY64 != 0x200
%error "salvage.elf's entry64 is not at 0x200"
%endif

SETUP_SECTS	equ 1				; sectors after the boot sector: setup is 0x000-0x3ff
PM_START	equ (SETUP_SECTS + 1) * 512	; file offset of the protected-mode part
SECTOR		equ 512
PM_SIZE		equ (DATA_END + SECTOR - 1) / SECTOR * SECTOR	; in the file, padded
FILE_SIZE	equ PM_START + PM_SIZE
INIT_SIZE	equ IMAGE_END			; memory from the load address: image, .bss included
SIG_ROOM	equ 65536			; signatures appended to the file are loaded too

; kexec_file_load loads the whole file after the setup sectors (a signature included) into
; init_size bytes: what a signature may add must still fit.
%if PM_SIZE + SIG_ROOM > INIT_SIZE
%error "init_size leaves no room for a signature"
%endif

; setup header fields
LOADED_HIGH		equ 1 << 0		; loadflags: protected-mode code goes high
XLF_KERNEL_64		equ 1 << 0		; xloadflags: a 64-bit entry at +0x200
XLF_CAN_BE_LOADED_ABOVE_4G equ 1 << 1		; (kexec requires it; entry64 refuses above 4 GiB)
XLF_5LEVEL		equ 1 << 5		; entry64 leaves long mode: any paging mode will do
ALIGNMENT		equ 0x1000		; salvage's PT_LOADs are page-aligned
CMDLINE_SIZE		equ 2047		; mm/memmap.h bootinfo.cmdline[2048]

; PE/COFF (Microsoft PE/COFF specification)
IMAGE_FILE_MACHINE_AMD64	equ 0x8664
PE_CHARACTERISTICS	equ 0x0206		; executable, line numbers and debug info stripped
PE32PLUS_MAGIC		equ 0x020b
SUBSYSTEM_EFI_APPLICATION equ 10
N_DATA_DIRS		equ 6			; up to the base relocation table; [4] = certificates
SCN_CODE_EXEC_READ	equ 0x60000020
EFI_UNSUPPORTED		equ 0x8000000000000003

bits 16
	org 0

; --- DOS stub: only the magic and the PE header's offset matter ---------------------------------
mz:	db "MZ"
	times 0x3c - ($ - mz) db 0
	dd pe_header

; --- PE/COFF ------------------------------------------------------------------------------------
	align 8, db 0
pe_header:
	db "PE", 0, 0
	dw IMAGE_FILE_MACHINE_AMD64
	dw N_SECTIONS				; NumberOfSections
	dd 0					; TimeDateStamp (reproducible)
	dd 0, 0					; symbol table pointer, number of symbols
	dw opt_header_end - opt_header		; SizeOfOptionalHeader
	dw PE_CHARACTERISTICS
opt_header:
	dw PE32PLUS_MAGIC
	db 0, 0					; linker version
	dd PM_SIZE				; SizeOfCode
	dd 0					; SizeOfInitializedData
	dd 0					; SizeOfUninitializedData
	dd efi_entry				; AddressOfEntryPoint (RVA == file offset)
	dd PM_START				; BaseOfCode
	dq 0					; ImageBase
	dd SECTOR				; SectionAlignment
	dd SECTOR				; FileAlignment
	dw 0, 0					; operating system version
	dw 0, 0					; image version
	dw 0, 0					; subsystem version
	dd 0					; Win32VersionValue
	dd PM_START + (INIT_SIZE + SECTOR - 1) / SECTOR * SECTOR	; SizeOfImage
	dd SECTOR				; SizeOfHeaders: sector 0; .setup follows
	dd 0					; CheckSum (sbsign fills it in)
	dw SUBSYSTEM_EFI_APPLICATION
	dw 0					; DllCharacteristics
	dq 0, 0, 0, 0				; stack and heap reserve/commit
	dd 0					; LoaderFlags
	dd N_DATA_DIRS
	times N_DATA_DIRS dq 0			; export, import, resource, exception, certificate, reloc
opt_header_end:

sections:
	db ".setup", 0, 0
	dd PM_START - SECTOR			; VirtualSize
	dd SECTOR				; VirtualAddress
	dd PM_START - SECTOR			; SizeOfRawData
	dd SECTOR				; PointerToRawData
	dd 0, 0					; relocations, line numbers
	dw 0, 0
	dd SCN_CODE_EXEC_READ
	db ".text", 0, 0, 0
	dd INIT_SIZE				; VirtualSize (.bss included)
	dd PM_START				; VirtualAddress
	dd PM_SIZE				; SizeOfRawData
	dd PM_START				; PointerToRawData
	dd 0, 0
	dw 0, 0
	dd SCN_CODE_EXEC_READ
N_SECTIONS	equ ($ - sections) / 40

; --- the setup header at 0x1f1 ------------------------------------------------------------------
%if ($ - $$) > 0x1f1
%error "PE headers overlap the setup header"
%endif
	times 0x1f1 - ($ - $$) db 0
	db SETUP_SECTS				; 0x1f1 setup_sects
	dw 0					; 0x1f2 root_flags
	dd PM_SIZE / 16				; 0x1f4 syssize (16-byte units)
	dw 0					; 0x1f8 ram_size
	dw 0xFFFF				; 0x1fa vid_mode: normal
	dw 0					; 0x1fc root_dev
	dw 0xAA55				; 0x1fe boot_flag
	db 0xEB, real_mode - 0x202		; 0x200 jump: its target ends the header (kexec copies it)
	db "HdrS"				; 0x202 header
	dw 0x020E				; 0x206 version 2.14 (header as in 2.12; boot_params +0x070 RSDP)
	dd 0					; 0x208 realmode_swtch
	dw 0					; 0x20c start_sys_seg
	dw version_string - 0x200		; 0x20e kernel_version
	db 0					; 0x210 type_of_loader
	db LOADED_HIGH				; 0x211 loadflags
	dw 0					; 0x212 setup_move_size
	dd 0x100000				; 0x214 code32_start
	dd 0					; 0x218 ramdisk_image
	dd 0					; 0x21c ramdisk_size
	dd 0					; 0x220 bootsect_kludge
	dw 0					; 0x224 heap_end_ptr
	db 0					; 0x226 ext_loader_ver
	db 0					; 0x227 ext_loader_type
	dd 0					; 0x228 cmd_line_ptr
	dd 0x7FFFFFFF				; 0x22c initrd_addr_max
	dd ALIGNMENT				; 0x230 kernel_alignment
	db 1					; 0x234 relocatable_kernel
	db 12					; 0x235 min_alignment (log2 of 4 KiB)
	dw XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G | XLF_5LEVEL	; 0x236 xloadflags
	dd CMDLINE_SIZE				; 0x238 cmdline_size
	dd 0					; 0x23c hardware_subarch: PC
	dq 0					; 0x240 hardware_subarch_data
	dd 0					; 0x248 payload_offset: nothing compressed
	dd 0					; 0x24c payload_length
	dq 0					; 0x250 setup_data
	dq 0x1000000				; 0x258 pref_address
	dd INIT_SIZE				; 0x260 init_size
	dd 0					; 0x264 handover_offset: no EFI handover
%if ($ - $$) != 0x268
%error "setup header fields misplaced"
%endif

; A real-mode loader would jump here: salvage has no 16-bit path.
real_mode:
	cli
.hang:	hlt
	jmp .hang

bits 64
efi_entry:
	mov rax, EFI_UNSUPPORTED
	ret

version_string:
	db "salvage capture kernel", 0

	times PM_START - ($ - $$) db 0

; --- the protected-mode part: salvage.elf from address 0 ----------------------------------------
; Its multiboot header is blanked: kexec-tools tries the multiboot-x86 loader first and would claim
; a file with a multiboot header in its first 8 KiB.
pm_start:
	incbin IMAGE, 0, MB_HEADER
	times 12 db 0				; magic, flags, checksum
	incbin IMAGE, MB_HEADER + 12, DATA_END - MB_HEADER - 12
	times FILE_SIZE - ($ - $$) db 0
