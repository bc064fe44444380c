; salvage's 32-bit entry (multiboot, Linux 32-bit boot protocol via kexec): find where we were
; loaded, apply our own R_386_RELATIVE relocations, zero .bss, take our own stack, then call
; cpu_init (GDT, IDT) and kmain(magic, info). Assumes only flat 32-bit protected mode, paging off.
bits 32

MB_BOOT_MAGIC	equ 0x2BADB002	; EAX from a multiboot loader

R_386_NONE	equ 0
R_386_RELATIVE	equ 8
ELF32_REL_SIZE	equ 8		; Elf32_Rel: r_offset, r_info
BOOT_STACK_SIZE	equ 16384

EFLAGS_RESERVED	equ 1 << 1	; bit 1 always reads 1; IF, DF, TF, AC all clear

; Link addresses (the image is linked at 0), reached PC-relatively.
extern __image_start, __rel_start, __rel_end, __bss_start, __bss_end
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

section .data
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
