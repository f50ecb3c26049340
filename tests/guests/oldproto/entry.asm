; entry.asm — the 32-bit entry of the old-protocol test kernels, at 0x100000 (the start of
; the protected-mode part of the bzImage), plus exception stubs.
;
; At entry (32-bit boot protocol) nothing but the registers is known: no stack, and the
; only segments are the loader's. The entry state is packed into the free registers (EAX,
; ECX, EDX, ESP are unspecified) and stored through the entry DS, which the protocol says is
; the flat data segment 0x18; a magic value tells main.c whether that worked. Then, as the
; 2.4 decompressor does, DS/ES/FS/GS/SS are reloaded with 0x18 and CS with a far jump to
; 0x10, still through the loader's GDT, which stays in use for the whole run.
bits 32

KERNEL_CS   equ 0x10
KERNEL_DS   equ 0x18
ENTRY_MAGIC equ 0x0e7e41a9
STACK_SIZE  equ 16384

section .text.entry progbits alloc exec
global _start
_start:
    mov eax, ds
    mov ecx, es
    shl ecx, 16
    or eax, ecx                 ; EAX = ES:DS
    mov edx, cs
    shl edx, 16
    mov ecx, ss
    or edx, ecx                 ; EDX = CS:SS
    mov ecx, fs
    shl ecx, 16
    mov esp, gs
    or ecx, esp                 ; ECX = FS:GS
    mov esp, cr0
    mov [entry_state + 4], eax
    mov [entry_state + 8], edx
    mov [entry_state + 12], ecx
    mov [entry_state + 16], esp
    mov [entry_state + 20], esi
    mov [entry_state + 24], ebx
    mov [entry_state + 28], ebp
    mov [entry_state + 32], edi
    mov dword [entry_state + 0], ENTRY_MAGIC
    ; What the 2.4 decompressor does first: reload the data segments with __KERNEL_DS.
    mov eax, KERNEL_DS
    mov ds, eax
    mov es, eax
    mov fs, eax
    mov gs, eax
    mov ss, eax
    mov esp, stack_top
    pushfd                      ; IF as the loader left it (nothing cleared it yet)
    pop dword [entry_state + 36]
    cli
    cld
    sgdt [entry_state + 40]
    sidt [entry_state + 48]
    ; ... and the far jump through the loader's code descriptor.
    mov dword [entry_state + 56], 1     ; about to far-jump
    jmp KERNEL_CS:.flat
.flat:
    mov dword [entry_state + 56], 2     ; the far jump worked
    ; Zero .bss: a bzImage loader loads only the file.
    mov edi, __bss_start
    mov ecx, __bss_end
    sub ecx, edi
    xor eax, eax
    rep stosb
    extern oldproto_main
    call oldproto_main
.hang:
    cli
    hlt
    jmp .hang

; ---- exception stubs: push a dummy error code where the CPU pushes none, then the vector.
%macro STUB_NOERR 1
isr_%1:
    push dword 0
    push dword %1
    jmp isr_common
%endmacro
%macro STUB_ERR 1
isr_%1:
    push dword %1
    jmp isr_common
%endmacro

section .text
%assign v 0
%rep 32
%if v == 8 || (v >= 10 && v <= 14) || v == 17
    STUB_ERR v
%else
    STUB_NOERR v
%endif
%assign v v+1
%endrep

extern oldproto_trap
; Stack: vector, error code, EIP, CS, EFLAGS. Segments are flat already.
isr_common:
    mov eax, KERNEL_DS
    mov ds, eax
    mov es, eax
    push esp
    call oldproto_trap          ; prints FAIL unexpected_trap and ends the run
.hang:
    cli
    hlt
    jmp .hang

section .rodata
global isr_table
isr_table:
%assign v 0
%rep 32
    dd isr_ %+ v
%assign v v+1
%endrep

; The entry record (a fixed layout main.c mirrors in struct entry_state). In .data, not
; .bss: it is written before .bss is cleared.
section .data
align 16
global entry_state
entry_state:
    times 64 db 0

section .stack nobits alloc write align=16
    resb STACK_SIZE
stack_top:

extern __bss_start, __bss_end

; 32 KiB of a known pattern and a tail word at the very end of the file's image: main.c
; checks both, so a loader that copies only part of the protected-mode part is caught.
FILL_DWORDS equ 8192
section .rodata
global image_fill
image_fill:
%assign i 0
%rep FILL_DWORDS
    dd ((i * 2654435761) ^ 0x5a5a5a5a) & 0xffffffff
%assign i i+1
%endrep

section .tail progbits alloc noexec write align=4
global image_tail
image_tail:
    dd 0x7a11f00d
