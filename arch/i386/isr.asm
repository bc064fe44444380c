; CPU exception entry stubs (vectors 0-31) and the setjmp/longjmp pair behind
; cpu_catch_exceptions: a faulting dump target is abandoned and kmain tries the next one.
bits 32

extern exception_handler

KERNEL_DS	equ 0x10	; flat data selector (arch/i386/cpu.c GDT)
CR0_PG		equ 0x80000000	; paging enable
CR4_PAE		equ 0x00000020	; physical address extension

; Vectors whose exceptions push an error code (Intel SDM vol. 3, table 6-1).
%define HAS_ERRCODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

section .text
%assign v 0
%rep 32
isr_ %+ v:
%if !HAS_ERRCODE(v)
	push 0				; uniform frame: a zero error code
%endif
	push v
	jmp exc_common
%assign v v + 1
%endrep

; Frame for exception_handler (struct exc_frame): edi esi ebp esp0 ebx edx ecx eax (pushad),
; es, ds, vector, error code, then what the CPU pushed: eip cs eflags. The handler runs with our
; flat data segments whatever the faulting code had. It returns only for an NMI, then resumed.
exc_common:
	push ds
	push es
	pushad
	mov ax, KERNEL_DS
	mov ds, ax
	mov es, ax
	cld
	mov eax, esp
	push eax
	call exception_handler
	add esp, 4
	popad
	pop es
	pop ds
	add esp, 8			; vector, error code
	iretd

; The stubs' addresses, for the IDT (R_386_RELATIVE relocations fix them at boot).
section .data
align 4
global exc_stubs
exc_stubs:
%assign v 0
%rep 32
	dd isr_ %+ v
%assign v v + 1
%endrep

section .bss
align 4
; struct exc_jmpbuf: ebx esi edi ebp esp eip armed
global exc_jb
exc_jb:	resd 7
JB_ESP	equ 16
JB_EIP	equ 20
JB_ARMED equ 24

section .text
; int cpu_catch_exceptions(void): remember the caller's context, arm, return 0.
global cpu_catch_exceptions
cpu_catch_exceptions:
	call .here
.here:	pop ecx
	lea ecx, [ecx + (exc_jb - .here)]
	mov [ecx], ebx
	mov [ecx + 4], esi
	mov [ecx + 8], edi
	mov [ecx + 12], ebp
	lea eax, [esp + 4]		; the caller's ESP after our return
	mov [ecx + JB_ESP], eax
	mov eax, [esp]			; our return address
	mov [ecx + JB_EIP], eax
	mov dword [ecx + JB_ARMED], 1
	xor eax, eax
	ret

; void exc_longjmp(int val): disarm, switch paging off (a fault inside a PAE window copy leaves
; it on), reload flat data segments (the fault may have left a bad one), return val != 0 from
; the last cpu_catch_exceptions.
global exc_longjmp
exc_longjmp:
	mov edx, [esp + 4]
	mov eax, cr0
	and eax, ~CR0_PG
	mov cr0, eax
	mov eax, cr4
	and eax, ~CR4_PAE
	mov cr4, eax
	call .here
.here:	pop ecx
	lea ecx, [ecx + (exc_jb - .here)]
	mov ax, KERNEL_DS
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov dword [ecx + JB_ARMED], 0
	mov ebx, [ecx]
	mov esi, [ecx + 4]
	mov edi, [ecx + 8]
	mov ebp, [ecx + 12]
	mov esp, [ecx + JB_ESP]
	cld
	mov eax, edx
	jmp [ecx + JB_EIP]
