; A call into 64-bit long mode: switch in, call a function of the x86_64 blob (arch/i386/long64/:
; SHA-256 blocks, ChaCha20-Poly1305 sealing; the helper CPU's code, which ap.asm enters) with up to 6 arguments, switch back to 32-bit protected
; mode with paging off. The C side (arch/i386/longmode.c, <arch/long.h>) builds the page tables and IDTs.
;
; Exceptions: salvage's 32-bit IDT is invalid in long mode, so while in 64-bit code a 64-bit IDT
; (built by arch/i386/longmode.c) is loaded: an NMI is counted and ignored (the caller passes the
; count on to cpu_nmi_report, as salvage's 32-bit handler only counts); any other exception records
; its vector, error code and RIP and leaves long mode as a normal return would, and the caller reports
; it and re-raises it as a 32-bit exception (salvage's usual recovery or reset). Around each mode
; switch a third IDT, valid for an NMI in either mode, is loaded. Interrupts are off throughout in
; salvage.

bits 32
section .text

KERNEL_CS	equ 0x08		; 32-bit flat code (arch/i386/cpu.c GDT index 1)
KERNEL_CS64	equ 0x18		; 64-bit code (GDT index 3)
MSR_EFER	equ 0xC0000080
EFER_LME	equ 1 << 8		; long mode enable
CR0_PG		equ 1 << 31
CR4_PAE		equ 1 << 5

global long_call_asm, long_exc64_stubs, long_nmi64, long_nmi_count, long_fault
global long64_sha256_blocks, long64_chachapoly_seal
global long64_ap_loop, long64_ap_isr_wake, long64_ap_isr_quiet, long64_ap_isr_fault, long64_ap_isr_fault_err
global long64_ap_debug_fault

; uint32_t long_call_asm(uint32_t pml4, const void *fn, const uint32_t args[6], const void *idtr64,
;                        const void *switch_idtr)  (cdecl)
; Enters long mode with CR3 = pml4 and the 10-byte IDT pointer idtr64 (switch_idtr while switching:
; its base is below 4 GiB, so 32-bit LIDT reads it too), calls the 64-bit function fn with args
; zero-extended into rdi, rsi, rdx, rcx, r8, r9 (SysV AMD64), leaves long mode and restores CR0,
; CR3, CR4, EFER and the IDT as they were (paging off: what arch/i386/pae.c expects). Returns the
; low 32 bits of fn's rax. See long_fault for an exception on the way.
long_call_asm:
	push ebp
	mov ebp, esp
	push ebx
	push esi
	push edi
	sub esp, 8
	sidt [esp]			; the 32-bit IDT, back in place on the way out
	mov eax, [ebp + 24]
	lidt [eax]			; the switch IDT
	mov eax, cr3
	push eax
	mov eax, cr4
	push eax
	mov eax, cr0
	push eax

	mov eax, [esp + 4]		; CR4 | PAE
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, [ebp + 8]
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, [esp]			; CR0 | PG: now IA-32e mode, compatibility submode
	or eax, CR0_PG
	mov cr0, eax
	call .here
.here:	pop eax
	add eax, .mode64 - .here
	push dword KERNEL_CS64
	push eax
	retf

bits 64
.mode64:
	mov ebp, ebp			; zero-extend: upper halves are undefined after the switch
	mov ebx, esp
	mov [rel saved_rsp], rbx	; the way back for an exception
	mov eax, [rbp + 24]
	mov [rel switch_idtr], eax
	mov eax, [rbp + 20]
	lidt [rax]
	and rsp, -16			; SysV stack alignment at the call
	mov eax, [rbp + 12]		; fn
	mov r10d, [rbp + 16]		; args
	mov edi, [r10]
	mov esi, [r10 + 4]
	mov edx, [r10 + 8]
	mov ecx, [r10 + 12]
	mov r8d, [r10 + 16]
	mov r9d, [r10 + 20]
	call rax
	mov [rbp + 8], eax		; over the pml4 argument: the way back keeps ebp, not eax
.leave64:
	mov rsp, [rel saved_rsp]
	mov eax, [rel switch_idtr]
	lidt [rax]
	lea rax, [rel .compat]
	push qword KERNEL_CS
	push rax
	o64 retf

bits 32
.compat:
	pop eax				; saved CR0: paging off leaves IA-32e mode
	mov cr0, eax
	lidt [esp + 8]
	mov ecx, MSR_EFER
	rdmsr
	and eax, ~EFER_LME
	wrmsr
	pop eax
	mov cr4, eax
	pop eax
	mov cr3, eax
	add esp, 8
	mov eax, [ebp + 8]		; the result (after an exception: meaningless, long_fault says so)
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

bits 64
; Exception entry points for the 64-bit IDT, 16 bytes apart (vector v at long_exc64_stubs + 16 * v):
; each pushes a zero error code when the CPU pushes none, then its vector.
align 16
long_exc64_stubs:
%assign v 0
%rep 32
	align 16
%if !(v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30)
	push 0
%endif
	push v
	jmp exc64_common
%assign v v + 1
%endrep

; Record vector + 1, error code and RIP in long_fault, then leave long mode as a return would.
exc64_common:
	mov rax, [rsp]
	inc eax
	mov [rel long_fault], eax
	mov rax, [rsp + 8]
	mov [rel long_fault + 4], eax
	mov rax, [rsp + 16]
	mov [rel long_fault + 8], rax
	jmp long_call_asm.leave64

; NMI: count it and carry on.
long_nmi64:
	inc dword [rel long_nmi_count]
	iretq

bits 32
; The blob: flat x86_64 code linked at 0 (built by the Makefile, which writes the offsets of its
; entry points to long64_syms.inc).
%include "long64_syms.inc"
section .text.long64 progbits alloc exec nowrite align=16
align 16
long64_blob:
	incbin "long64.bin"
long64_sha256_blocks	equ long64_blob + LONG64_SHA256_BLOCKS
long64_chachapoly_seal	equ long64_blob + LONG64_CHACHAPOLY_SEAL
long64_ap_loop		equ long64_blob + LONG64_AP_LOOP
long64_ap_isr_wake	equ long64_blob + LONG64_AP_ISR_WAKE
long64_ap_isr_quiet	equ long64_blob + LONG64_AP_ISR_QUIET
long64_ap_isr_fault	equ long64_blob + LONG64_AP_ISR_FAULT
long64_ap_isr_fault_err	equ long64_blob + LONG64_AP_ISR_FAULT_ERR
long64_ap_debug_fault	equ long64_blob + LONG64_AP_DEBUG_FAULT

section .bss
alignb 8
saved_rsp:	resq 1			; RSP on entry to 64-bit mode (the trampoline's frame)
switch_idtr:	resd 1			; the switch IDT's pointer, for the way out
long_fault:	resd 4			; vector + 1 (0: none), error code, RIP (64 bits)
long_nmi_count:	resd 1			; NMIs taken in 64-bit mode
