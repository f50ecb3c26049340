; isr.asm — interrupt entry stubs: save registers into a struct trapframe, call trap().

section .text
bits 64
extern trap

; Vectors with a CPU-pushed error code: 8, 10-14, 17, 21, 29, 30; the others push 0.
%assign v 0
%rep 256
isr_%[v]:
%if !(v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30)
    push 0
%endif
    push v
    jmp isr_common
%assign v v+1
%endrep

isr_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    mov rdi, rsp
    call trap
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16
    iretq

section .rodata
global isr_table
isr_table:
%assign v 0
%rep 256
    dq isr_%[v]
%assign v v+1
%endrep
