; isr.asm — exception/IRQ entry stubs, setjmp-style fault catching, entry to ring 3
bits 32

SEL_KDATA   equ 0x10
SEL_UCODE   equ 0x1b
SEL_UDATA   equ 0x23
STUB_COUNT  equ 64

extern trap_dispatch

section .text

; One stub per vector: push a zero error code where the CPU pushes none, then the vector.
%macro STUB 1
isr_stub_%1:
%if (%1 == 8) || (%1 >= 10 && %1 <= 14) || (%1 == 17) || (%1 == 21) || (%1 == 29) || (%1 == 30)
    push dword %1
%else
    push dword 0
    push dword %1
%endif
    jmp isr_common
%endmacro

%assign v 0
%rep STUB_COUNT
STUB v
%assign v v+1
%endrep

; Save registers into a struct trap_frame, call trap_dispatch(frame), restore, iret.
isr_common:
    pushad
    push ds
    push es
    push fs
    push gs
    mov ax, SEL_KDATA
    mov ds, ax
    mov es, ax
    cld
    push esp
    call trap_dispatch
    add esp, 4
    pop gs
    pop fs
    pop es
    pop ds
    popad
    add esp, 8
    iretd

section .rodata
global isr_stub_table
isr_stub_table:
%assign v 0
%rep STUB_COUNT
    dd isr_stub_ %+ v
%assign v v+1
%endrep

section .text
; int catch_setjmp(struct catch_buf *b) — returns 0; returns again with the value
; given to catch_longjmp. Layout: ebx, esi, edi, ebp, esp, eip, eflags.
global catch_setjmp
catch_setjmp:
    mov eax, [esp + 4]
    mov [eax + 0], ebx
    mov [eax + 4], esi
    mov [eax + 8], edi
    mov [eax + 12], ebp
    lea ecx, [esp + 4]
    mov [eax + 16], ecx
    mov ecx, [esp]
    mov [eax + 20], ecx
    pushfd
    pop ecx
    mov [eax + 24], ecx
    xor eax, eax
    ret

; void catch_longjmp(struct catch_buf *b, int value) — back to the catch_setjmp caller.
global catch_longjmp
catch_longjmp:
    mov edx, [esp + 4]
    mov eax, [esp + 8]
    mov cx, SEL_KDATA
    mov ds, cx
    mov es, cx
    mov fs, cx
    mov gs, cx
    mov ss, cx
    mov ebx, [edx + 0]
    mov esi, [edx + 4]
    mov edi, [edx + 8]
    mov ebp, [edx + 12]
    mov esp, [edx + 16]
    push dword [edx + 24]
    popfd
    jmp [edx + 20]

; void user_enter(uint32_t eip, uint32_t esp, uint32_t eflags) — iret to ring 3.
global user_enter
user_enter:
    mov eax, [esp + 4]
    mov ecx, [esp + 8]
    mov edx, [esp + 12]
    mov bx, SEL_UDATA
    mov ds, bx
    mov es, bx
    mov fs, bx
    mov gs, bx
    push dword SEL_UDATA
    push ecx
    push edx
    push dword SEL_UCODE
    push eax
    iretd

; Ring 3 routines: they take their operands from user_args and leave with INT 0x30.
USER_EXIT_VECTOR equ 0x30
extern user_args                     ; struct { addr, value, result, spins, target }
global user_read32, user_read32_insn, user_write32, user_write32_insn, user_spin_ticks
user_read32:
    mov ecx, [user_args + 0]
user_read32_insn:
    mov eax, [ecx]
    mov [user_args + 8], eax
    int USER_EXIT_VECTOR
user_write32:
    mov ecx, [user_args + 0]
    mov eax, [user_args + 4]
user_write32_insn:
    mov [ecx], eax
    int USER_EXIT_VECTOR

; Spin until *addr reaches target, or the spin budget runs out; result = spins left.
user_spin_ticks:
    mov ecx, [user_args + 0]
    mov edx, [user_args + 16]
    mov eax, [user_args + 12]
.loop:
    cmp [ecx], edx
    jae .done
    pause
    dec eax
    jnz .loop
.done:
    mov [user_args + 8], eax
    int USER_EXIT_VECTOR

; Raw kernel accesses with known instruction addresses (for EIP checks of faults).
global raw_read32, raw_read32_insn, raw_write32, raw_write32_insn
raw_read32:
    mov ecx, [esp + 4]
raw_read32_insn:
    mov eax, [ecx]
    ret
raw_write32:
    mov ecx, [esp + 4]
    mov eax, [esp + 8]
raw_write32_insn:
    mov [ecx], eax
    ret
