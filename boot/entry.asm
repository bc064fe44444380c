; salvage's 32-bit entry (multiboot, Linux 32-bit boot protocol via kexec): find where we were
; loaded, apply our own R_386_RELATIVE relocations, zero .bss, take our own stack, then call
; cpu_init (GDT, IDT) and kmain(magic, info). Assumes only flat 32-bit protected mode, paging off.
; Also the 64-bit entry of salvage.bzImage (kexec_file_load), which leaves long mode for _start.
bits 32

MB_BOOT_MAGIC	equ 0x2BADB002	; EAX from a multiboot loader

R_386_NONE	equ 0
R_386_RELATIVE	equ 8
ELF32_REL_SIZE	equ 8		; Elf32_Rel: r_offset, r_info
BOOT_STACK_SIZE	equ 16384

EFLAGS_RESERVED	equ 1 << 1	; bit 1 always reads 1; IF, DF, TF, AC all clear

; Link addresses (the image is linked at 0), reached PC-relatively.
extern __image_start, __image_end, __rel_start, __rel_end, __bss_start, __bss_end
extern cpu_init, kmain, cpu_boot_failed

; The multiboot header (a.out kludge: QEMU -kernel and GRUB load the file at 2 MiB as raw bytes)
; is in linker.ld, since its addresses are link-time constants.

section .text.entry
; In: EAX = 0x2BADB002 and EBX = multiboot info, or (anything else in EAX) ESI = Linux boot_params.
; ESP may be 0 and nothing but our own image is known to be free, so the single push of
; call/pop borrows the first dword of the boot information (saved in EDX and put back at once).
global _start
_start:
	cli
	cld
	mov edi, eax			; EDI = magic for kmain
	cmp eax, MB_BOOT_MAGIC
	je .have_info
	mov ebx, esi			; Linux: boot_params
.have_info:				; EBX = info for kmain
	mov edx, [ebx]
	lea esp, [ebx + 4]
	call .here
.here:	pop ebp				; EBP = runtime address of .here: everything is reached from it
	mov [ebx], edx
	mov [ebp + (boot_magic - .here)], edi	; (.data: survives the .bss clearing)
	mov [ebp + (boot_info - .here)], ebx
	lea ebx, [ebp + (__image_start - .here)]	; EBX = runtime base (we are linked at 0)

	; Relocate: for every R_386_RELATIVE, *(base + r_offset) += base. Other types are counted
	; and reported by cpu_boot_info (tests check the build has none).
	lea esi, [ebp + (__rel_start - .here)]
	lea edx, [ebp + (__rel_end - .here)]
	xor ecx, ecx
.reloc:	cmp esi, edx
	jae .reloc_done
	mov eax, [esi + 4]		; r_info
	cmp al, R_386_NONE
	je .reloc_next
	cmp al, R_386_RELATIVE
	jne .reloc_bad
	mov eax, [esi]			; r_offset
	add [ebx + eax], ebx
	jmp .reloc_next
.reloc_bad:
	inc ecx
.reloc_next:
	add esi, ELF32_REL_SIZE
	jmp .reloc
.reloc_done:
	mov [ebp + (boot_bad_relocs - .here)], ecx

	; Zero .bss (kexec and raw loaders may leave anything there); our stack lives in it.
	lea edi, [ebp + (__bss_start - .here)]
	lea ecx, [ebp + (__bss_end - .here)]
	sub ecx, edi
	xor eax, eax
	rep stosb

	lea esp, [ebp + (boot_stack_top - .here)]
	push EFLAGS_RESERVED
	popfd				; interrupts off, direction up, no trap, no alignment check
	push dword [ebp + (boot_bad_relocs - .here)]
	call cpu_init			; cpu_init(bad_relocs): GDT, IDT, self_start/self_end
	add esp, 4
	push dword [ebp + (boot_info - .here)]
	push dword [ebp + (boot_magic - .here)]
	call kmain			; kmain(magic, info); it never returns
	call cpu_boot_failed		; (if it did: reboot)
.hang:	hlt
	jmp .hang

; The x86 64-bit boot protocol's entry (Documentation/arch/x86/boot.rst), at link address 0x200 =
; the bzImage's protected-mode start + 0x200 (linker.ld puts it there; boot/bzimage.asm wraps the
; image). kexec_file_load's purgatory enters it in long mode with an identity map of our image,
; RSI = boot_params, interrupts off; nothing else (the stack, its GDT) is ours to rely on. Leave long
; mode through a 32-bit code segment of our own and continue at _start with ESI = boot_params.
; salvage runs below 4 GiB only: loaded higher (crashkernel=...,high) it says so on COM1 and resets.
BZ_CS32		equ 0x08	; bz_gdt: flat 32-bit code
BZ_DS32		equ 0x10	; bz_gdt: flat 32-bit data
MSR_EFER	equ 0xC0000080
EFER_LME	equ 1 << 8
CR0_PG		equ 1 << 31
CR4_PCIDE	equ 1 << 17	; must be clear before paging is turned off
COM1		equ 0x3F8

bits 64
section .text.entry64 progbits alloc exec nowrite align=16
global entry64
entry64:
	cli
	cld
	lea rdx, [rel __image_end]
	dec rdx
	shr rdx, 32
	jnz .above_4g
	mov rdx, rsi
	shr rdx, 32
	jnz .above_4g
	; Our GDT and a far pointer into our 32-bit code, both at their runtime addresses (no stack).
	lea rax, [rel bz_gdt]
	mov [rel bz_gdtr + 2], rax
	lea eax, [rel .compat]
	mov [rel bz_farptr], eax
	lgdt [rel bz_gdtr]
	mov rax, cr4
	and eax, ~CR4_PCIDE
	mov cr4, rax
	jmp far dword [rel bz_farptr]	; m16:32: compatibility mode, our 32-bit code segment
.above_4g:
	lea rsi, [rel bz_msg_high]
	mov dx, COM1
.msg:	lodsb
	test al, al
	jz .reset
	out dx, al
	jmp .msg
.reset:	mov dx, 0xCF9			; reset control register: full reset
	mov al, 0x06
	out dx, al
.hang:	hlt
	jmp .hang

bits 32
.compat:
	mov eax, BZ_DS32
	mov ds, eax
	mov es, eax
	mov fs, eax
	mov gs, eax
	mov ss, eax
	mov eax, cr0			; paging off: IA-32e mode ends (identity-mapped code)
	and eax, ~CR0_PG
	mov cr0, eax
	mov ecx, MSR_EFER
	rdmsr
	and eax, ~EFER_LME
	wrmsr
	xor eax, eax
	mov cr4, eax			; PAE, LA57 ... off: arch/i386/long.asm starts from CR4 as found
	; EAX = 0 is not the multiboot magic: _start takes ESI as the boot_params pointer.
	jmp _start

align 8
bz_gdt:
	dq 0
	dq 0x00CF9A000000FFFF		; 0x08: base 0, limit 4 GiB, 32-bit code, execute/read
	dq 0x00CF92000000FFFF		; 0x10: base 0, limit 4 GiB, 32-bit data, read/write
bz_gdt_end:
bz_msg_high:	db "salvage: loaded above 4 GiB, where it cannot run: reserve crashkernel= below 4 GiB", 13, 10, 0

section .data
align 8
bz_gdtr:	dw bz_gdt_end - bz_gdt - 1
		dq 0
bz_farptr:	dd 0
		dw BZ_CS32

align 4
boot_magic:	dd 0
boot_info:	dd 0
boot_bad_relocs: dd 0

section .bss
align 16
boot_stack:
	resb BOOT_STACK_SIZE
global boot_stack_top
boot_stack_top:
