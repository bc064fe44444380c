; The helper CPU's start-up code (arch/i386/smp.c). smp.c copies ap_tramp..ap_tramp_end to a page
; below 1 MiB and fills in its boot block; a start-up IPI to that page starts the CPU here in real
; mode, at CS:0 with CS = page / 16. It takes salvage's GDT, enters 32-bit protected mode, then long
; mode with the blob's identity map, loads the helper's 64-bit IDT and stack and calls the blob's
; ap_loop64 (arch/i386/long64/ap64.c) with the mailbox; that never returns. Position-independent:
; it finds its page from CS, and everything else in the boot block, so the page can be any.

KERNEL_CS	equ 0x08		; 32-bit flat code (arch/i386/cpu.c GDT index 1)
KERNEL_DS	equ 0x10
KERNEL_CS64	equ 0x18		; 64-bit code (GDT index 3)
MSR_EFER	equ 0xC0000080
EFER_LME	equ 1 << 8
CR0_PE		equ 1
CR0_PG		equ 1 << 31
CR4_PAE		equ 1 << 5

global ap_tramp, ap_tramp_boot, ap_tramp_end

section .rodata
align 16
bits 16
ap_tramp:
	cli
	cld
	mov ax, cs
	mov ds, ax
	xor ebx, ebx
	mov bx, ax
	shl ebx, 4				; the page's physical address
	o32 lgdt [boot_gdtr - ap_tramp]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	lea eax, [ebx + pm32 - ap_tramp]
	mov [far32 - ap_tramp], eax
	jmp dword far [far32 - ap_tramp]

bits 32
pm32:
	mov ax, KERNEL_DS
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, [ebx + boot_pml4 - ap_tramp]
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, cr0
	or eax, CR0_PG				; IA-32e mode, compatibility submode
	mov cr0, eax
	lea eax, [ebx + lm64 - ap_tramp]
	mov [ebx + far64 - ap_tramp], eax
	jmp far [ebx + far64 - ap_tramp]

bits 64
lm64:
	mov ebx, ebx				; zero-extend: upper halves are undefined after the switch
	lidt [rbx + boot_idtr - ap_tramp]
	mov esp, [rbx + boot_stack - ap_tramp]	; 16-byte aligned top: SysV alignment at the call
	mov edi, [rbx + boot_mailbox - ap_tramp]
	mov eax, [rbx + boot_entry - ap_tramp]
	call rax
.stop:	cli
	hlt
	jmp .stop

align 4
far32:	dd 0
	dw KERNEL_CS
far64:	dd 0
	dw KERNEL_CS64

; The boot block (struct ap_boot in arch/i386/smp.c), filled in on the copy.
align 8
ap_tramp_boot:
boot_gdtr:	dw 0				; salvage's GDT: limit, base
		dd 0
boot_idtr:	dw 0				; the helper's 64-bit IDT: limit, base
		dq 0
boot_pml4:	dd 0				; the long-mode identity map
boot_stack:	dd 0				; top of the helper's stack
boot_mailbox:	dd 0				; struct smp_mailbox
boot_entry:	dd 0				; the blob's ap_loop64
ap_tramp_end:
