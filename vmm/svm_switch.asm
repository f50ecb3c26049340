; svm_switch.asm — the world switch: host state out, guest state in, VMRUN, and back.
; void svm_world_switch(u64 guest_vmcb_pa, u64 host_vmcb_pa, u64 *gprs)
; VMRUN switches only part of the state; VMSAVE/VMLOAD move FS, GS, TR, LDTR,
; KernelGSbase, STAR/LSTAR/CSTAR/SFMASK and the SYSENTER MSRs. The host's copy goes to
; host_vmcb before the guest's is loaded, and comes back before we return. GIF is 0
; (CLGI by the caller) throughout, so no interrupt sees the guest's TR.
; gprs[] is indexed like x86 encodings: RAX=0 RCX RDX RBX RSP RBP RSI RDI R8..R15; the
; guest's RAX and RSP live in the VMCB and are not touched here.

section .text
bits 64
global svm_world_switch
svm_world_switch:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    push rsi                    ; [rsp+16] host vmcb
    push rdx                    ; [rsp+8]  gprs
    push rdi                    ; [rsp]    guest vmcb

    mov rax, rsi
    vmsave                  ; host FS/GS/TR/... -> host vmcb

    mov rax, rdx
    mov rcx, [rax + 1*8]
    mov rdx, [rax + 2*8]
    mov rbx, [rax + 3*8]
    mov rbp, [rax + 5*8]
    mov rsi, [rax + 6*8]
    mov rdi, [rax + 7*8]
    mov r8,  [rax + 8*8]
    mov r9,  [rax + 9*8]
    mov r10, [rax + 10*8]
    mov r11, [rax + 11*8]
    mov r12, [rax + 12*8]
    mov r13, [rax + 13*8]
    mov r14, [rax + 14*8]
    mov r15, [rax + 15*8]

    mov rax, [rsp]
    vmload
    vmrun
    vmsave

    mov rax, [rsp + 8]
    mov [rax + 1*8], rcx
    mov [rax + 2*8], rdx
    mov [rax + 3*8], rbx
    mov [rax + 5*8], rbp
    mov [rax + 6*8], rsi
    mov [rax + 7*8], rdi
    mov [rax + 8*8], r8
    mov [rax + 9*8], r9
    mov [rax + 10*8], r10
    mov [rax + 11*8], r11
    mov [rax + 12*8], r12
    mov [rax + 13*8], r13
    mov [rax + 14*8], r14
    mov [rax + 15*8], r15

    mov rax, [rsp + 16]
    vmload                  ; the host's TR, FS, GS, ... again

    add rsp, 24
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret
