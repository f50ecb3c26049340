; df.asm — irq.elf: cause a #DF (a #PF whose delivery faults on an unmapped stack) and the
; entry of the #DF task
bits 32

DF_BAD_STACK equ 0x7f000000          ; not mapped: pushing the #PF frame faults again
DF_BAD_DATA  equ 0x7e000000          ; not mapped: the first #PF

section .text
global df_trigger, df_fault_insn, df_task_entry
extern df_task_main

; void df_trigger(void) — never returns: the #DF task takes over.
df_trigger:
    mov esp, DF_BAD_STACK
df_fault_insn:
    mov eax, [DF_BAD_DATA]
    ud2

; Entered by the task switch: the #DF error code is on this task's stack.
df_task_entry:
    mov eax, [esp]
    push eax
    call df_task_main
.hang:
    hlt
    jmp .hang
