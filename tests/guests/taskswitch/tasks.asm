; tasks.asm — taskswitch.elf: the entry points of the test tasks, and the far transfers
; the main task makes (each resumes after its instruction when the main task runs again)
bits 32

PROBE_VA     equ 0x40000000       ; mapped only in the forged directory the tasks run on
PF_VA        equ 0x7e000000       ; never mapped: the #PF of the task-gate check
TSS_EIP      equ 0x20             ; offset of EIP in a 32-bit TSS
SEL_TSS_B    equ 0x68             ; must match main.c

section .text
global task_jmp_entry, task_iret_entry, task_ud_entry, task_pf_entry
global far_jmp, far_call, int_task_gate, ud_insn, pf_insn, pf_insn_end, user_ltr
extern task_seen, task_eflags, task_tr, task_err, back_ptr, tss_main_page

; Entered by a far JMP: read through the forged mapping, then JMP back to back_ptr.
task_jmp_entry:
    mov eax, [PROBE_VA]
    mov [task_seen], eax
    str ax
    mov [task_tr], ax
    jmp far [back_ptr]
    jmp task_jmp_entry            ; the next switch into this task resumes here

; Entered by CALL or INT n through a task gate: record NT and TR, return by IRET (NT=1).
task_iret_entry:
    mov eax, [PROBE_VA]
    mov [task_seen], eax
    pushfd
    pop eax
    mov [task_eflags], eax
    str ax
    mov [task_tr], ax
    iretd
    jmp task_iret_entry

; #UD through a task gate: the main task's saved EIP is the UD2; step over it, IRET back.
task_ud_entry:
    mov eax, [PROBE_VA]
    mov [task_seen], eax
    add dword [tss_main_page + TSS_EIP], 2
    iretd
    jmp task_ud_entry

; #PF through a task gate (an event the VMM delivers): take the error code, step over
; the faulting load, IRET back.
task_pf_entry:
    pop eax
    mov [task_err], eax
    mov eax, [PROBE_VA]
    mov [task_seen], eax
    add dword [tss_main_page + TSS_EIP], pf_insn_end - pf_insn
    iretd
    jmp task_pf_entry

; void far_jmp(const struct far_ptr *p) / far_call(p): JMP/CALL m16:32.
far_jmp:
    mov eax, [esp + 4]
    jmp far [eax]
    ret
far_call:
    mov eax, [esp + 4]
    call far [eax]
    ret

; void int_task_gate(void): INT 0x40 (a task gate in the IDT).
int_task_gate:
    int 0x40
    ret

; void ud_insn(void): UD2 (a task gate at IDT 6).
ud_insn:
    ud2
    ret

; void pf_insn(void): a load from an unmapped page (a task gate at IDT 14).
pf_insn:
    mov eax, [PF_VA]
pf_insn_end:
    ret

; Ring 3: LTR must raise #GP(0). Leaves with INT 0x30 if it does not.
user_ltr:
    mov ax, SEL_TSS_B
    ltr ax
    int 0x30
