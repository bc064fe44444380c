; Test-only stand-in for kexec's purgatory on the Linux 32-bit entry (tests/qemu/boot-linux.sh):
; a multiboot kernel (loaded by QEMU -kernel at 1 MiB) that builds Linux boot_params — command
; line at cmd_line_ptr (+0x228), e820 count (+0x1e8) and table (+0x2d0) — and jumps to a
; salvage image that QEMU's -device loader put raw at SALVAGE_BASE, with ESI = boot_params,
; EAX = EBX = 0, ESP = 0 and CR4 = 0, as kexec-tools' purgatory leaves things.
; Build: nasm -f bin -DSALVAGE_BASE=.. -DSALVAGE_ENTRY=.. -DRAM_START=.. -DRAM_END=.. -DCMDLINE='"..."'
bits 32

STUB_LOAD	equ 0x100000
MB_MAGIC	equ 0x1BADB002
MB_FLAG_AOUT	equ 1 << 16
BP_ADDR		equ 0x90000		; boot_params (4 KiB), below the EBDA
BP_SIZE		equ 4096
BP_E820_ENTRIES	equ 0x1e8
BP_CMD_LINE_PTR	equ 0x228
BP_E820_TABLE	equ 0x2d0
CMDLINE_ADDR	equ 0x91000
E820_RAM	equ 1
E820_RESERVED	equ 2

org STUB_LOAD
mb_header:
	dd MB_MAGIC, MB_FLAG_AOUT, -(MB_MAGIC + MB_FLAG_AOUT)
	dd mb_header, STUB_LOAD, stub_end, stub_end, start

start:
	cli
	cld
	mov edi, BP_ADDR			; zero boot_params
	mov ecx, BP_SIZE / 4
	xor eax, eax
	rep stosd
	mov esi, cmdline			; copy the command line
	mov edi, CMDLINE_ADDR
	mov ecx, cmdline_end - cmdline
	rep movsb
	mov dword [BP_ADDR + BP_CMD_LINE_PTR], CMDLINE_ADDR
	mov esi, e820				; the e820 table
	mov edi, BP_ADDR + BP_E820_TABLE
	mov ecx, e820_end - e820
	rep movsb
	mov byte [BP_ADDR + BP_E820_ENTRIES], (e820_end - e820) / 20
	xor eax, eax
	mov cr4, eax
	xor ebx, ebx
	xor ecx, ecx
	xor edx, edx
	xor edi, edi
	xor ebp, ebp
	xor esp, esp
	mov esi, BP_ADDR
	jmp SALVAGE_BASE + SALVAGE_ENTRY

%macro E820 3
	dq %1, %2
	dd %3
%endmacro
align 4
e820:
	E820 0xf0000, 0x10000, E820_RESERVED
	E820 RAM_START, RAM_END - RAM_START, E820_RAM
e820_end:
cmdline:
	db CMDLINE, 0
cmdline_end:
align 4
stub_end:
