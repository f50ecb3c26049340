; entry.asm — multiboot v1 header and entry point of every test guest
bits 32

MB_MAGIC    equ 0x1badb002
MB_FLAGS    equ 0x3                  ; page-aligned modules, memory information wanted
STACK_SIZE  equ 16384

section .multiboot
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

section .stack nobits alloc write align=16
boot_stack:
    resb STACK_SIZE
global boot_stack_top
boot_stack_top:

section .text
global _start
extern guest_start, __bss_start, __bss_end
; Zero .bss (a loader may not), then guest_start(magic, mbi) on the boot stack.
_start:
    cli
    cld
    mov esp, boot_stack_top
    mov esi, eax
    mov edi, __bss_start
    mov ecx, __bss_end
    sub ecx, edi
    xor eax, eax
    rep stosb
    push ebx
    push esi
    call guest_start
.hang:
    hlt
    jmp .hang
