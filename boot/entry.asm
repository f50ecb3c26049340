; entry.asm — multiboot v1 header, 32-bit entry, switch to long mode, jump to kernel_main.
; The image is linked at KERNEL_VMA + physical address; until paging is on, every
; absolute reference subtracts KERNEL_VMA.

KERNEL_VMA      equ 0xffffffff80000000
MB_MAGIC        equ 0x1BADB002
MB_FLAGS        equ 0x00000003          ; page-aligned modules, memory info
CR0_PE          equ 1 << 0
CR0_PG          equ 1 << 31
CR4_PAE         equ 1 << 5
MSR_EFER        equ 0xC0000080
EFER_LME        equ 1 << 8
PTE_P           equ 1 << 0
PTE_W           equ 1 << 1
PTE_PS          equ 1 << 7
BOOT_STACK_SIZE equ 16384

section .multiboot
align 4
    dd MB_MAGIC
    dd MB_FLAGS
    dd -(MB_MAGIC + MB_FLAGS)

section .boot.text
bits 32
global _start
_start:
    cli
    mov edi, eax                        ; multiboot magic
    mov esi, ebx                        ; multiboot info (physical)

    ; Boot page tables: the first 1 GiB identity-mapped and at KERNEL_VMA, 2 MiB pages.
    mov eax, boot_pd - KERNEL_VMA
    mov ecx, 0
.fill_pd:
    mov edx, ecx
    shl edx, 21
    or edx, PTE_P | PTE_W | PTE_PS
    mov [eax + ecx * 8], edx
    mov dword [eax + ecx * 8 + 4], 0
    inc ecx
    cmp ecx, 512
    jne .fill_pd

    mov eax, boot_pd - KERNEL_VMA
    or eax, PTE_P | PTE_W
    mov [boot_pdpt_low - KERNEL_VMA], eax
    mov [boot_pdpt_high - KERNEL_VMA + 510 * 8], eax
    mov eax, boot_pdpt_low - KERNEL_VMA
    or eax, PTE_P | PTE_W
    mov [boot_pml4 - KERNEL_VMA], eax
    mov eax, boot_pdpt_high - KERNEL_VMA
    or eax, PTE_P | PTE_W
    mov [boot_pml4 - KERNEL_VMA + 511 * 8], eax

    mov eax, cr4
    or eax, CR4_PAE
    mov cr4, eax
    mov eax, boot_pml4 - KERNEL_VMA
    mov cr3, eax
    mov ecx, MSR_EFER
    rdmsr
    or eax, EFER_LME
    wrmsr
    mov eax, cr0
    or eax, CR0_PG | CR0_PE
    mov cr0, eax

    lgdt [boot_gdt_ptr - KERNEL_VMA]
    jmp 0x08:(long_entry_low - KERNEL_VMA)

bits 64
long_entry_low:
    mov rax, long_entry
    jmp rax

section .text
long_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top
    xor rbp, rbp
    mov edi, edi                        ; zero-extend magic
    mov esi, esi                        ; zero-extend info pointer
    extern kernel_main
    call kernel_main
.hang:
    cli
    hlt
    jmp .hang

section .rodata
align 16
boot_gdt:
    dq 0
    dq 0x00209a0000000000               ; 0x08: 64-bit code
    dq 0x0000920000000000               ; 0x10: data
boot_gdt_end:
boot_gdt_ptr:
    dw boot_gdt_end - boot_gdt - 1
    dd boot_gdt - KERNEL_VMA

section .boot.bss nobits alloc write
align 4096
global boot_pml4
boot_pml4:      resb 4096
boot_pdpt_low:  resb 4096
boot_pdpt_high: resb 4096
boot_pd:        resb 4096
global boot_stack_top
boot_stack:     resb BOOT_STACK_SIZE
boot_stack_top:
