; setup.asm — the real-mode part of a synthetic old-protocol bzImage (nasm -f bin).
;   -DPROTO=0x200|0x202|0x203|0x20a  -DSETUP_SECTS=N  [-DINITRD_MAX=0x... (2.03+)]
;   [-DINIT_SIZE=0x... (2.10+): the footprint the loader must leave free from 1 MiB]
;
; Layout (Documentation/x86/boot.txt): sector 0 is the legacy boot sector with the start of
; the setup header at 0x1f1; the header continues at 0x200 (a short jump over it, "HdrS",
; the version, ...) and ends where the field list of PROTO ends. setup_sects more sectors
; follow. mkbzimage pads this part to (SETUP_SECTS+1)*512 bytes, fills in syssize and
; appends the protected-mode part (entry.asm/main.c, linked at 0x100000).
;
; A loader that uses the 32-bit entry (myrmex) never runs this code. A loader that runs the
; real-mode setup (QEMU -kernel, via its option ROM, with the BIOS still present) enters at
; CS = base/16 + 0x20, IP = 0, and this stub does the minimum of a 2.4 setup.S so the
; protected-mode checks can be validated natively:
;   - moves itself (setup_move_size bytes) to 0x90000 when loaded elsewhere (QEMU loads
;     2.02+ kernels at 0x10000), so the zero page is at 0x90000 as 2.4 expects;
;   - fills the zero page from the BIOS: EXT_MEM_K (int 15h/88h), ALT_MEM_K (int 15h/E801h
;     as setup.S computes it), the e820 map (int 15h/E820h, at most 32 entries),
;     screen_info (int 10h/03h, 0Fh, 12h, 1A00h and the BDA's rows and font height);
;   - enables A20 (port 0x92), masks the PICs, loads a GDT with flat 4 GiB descriptors at
;     0x10 (code) and 0x18 (data) placed at 0x90f00 (after the zero page's fields, like a
;     real setup's GDT inside its code), sets PE, loads DS/ES/FS/GS/SS with 0x18 and jumps
;     to 0x10:0x100000 with ESI = 0x90000 and EBX = EBP = EDI = 0, interrupts off.
; The code starts at 0x600: the e820 map (0x2d0, up to 32 entries) is written below it.

bits 16
org 0

%ifndef PROTO
%error "PROTO not defined"
%endif
%ifndef SETUP_SECTS
%error "SETUP_SECTS not defined"
%endif

ZP_SEG      equ 0x9000
GDT_OFF     equ 0x0f00          ; the GDT at 0x90f00
CODE_START  equ 0x600

; ---- sector 0: a real bzImage prints "use a boot loader" here; this one just halts.
boot_sector:
    cli
.halt:
    hlt
    jmp .halt

    times 0x1f1 - ($ - $$) db 0
hdr_setup_sects:    db SETUP_SECTS          ; 0x1f1
hdr_root_flags:     dw 1                    ; 0x1f2
hdr_syssize:        dd 0                    ; 0x1f4 (mkbzimage; 16 bits before 2.04)
hdr_ram_size:       dw 0                    ; 0x1f8
hdr_vid_mode:       dw 0xffff               ; 0x1fa NORMAL_VGA
hdr_root_dev:       dw 0                    ; 0x1fc
hdr_boot_flag:      dw 0xaa55               ; 0x1fe
; ---- 0x200: the rest of the header (its end is 0x202 + the jump's displacement).
hdr_jump:           jmp short hdr_end       ; 0x200
hdr_magic:          db "HdrS"               ; 0x202
hdr_version:        dw PROTO                ; 0x206
hdr_realmode_swtch: dd 0                    ; 0x208
hdr_start_sys_seg:  dw 0x1000               ; 0x20c
hdr_kernel_version: dw version_str - 0x200  ; 0x20e
hdr_type_of_loader: db 0                    ; 0x210
hdr_loadflags:      db 0x01                 ; 0x211 LOADED_HIGH
hdr_setup_move_size: dw 0x8000              ; 0x212
hdr_code32_start:   dd 0x100000             ; 0x214
hdr_ramdisk_image:  dd 0                    ; 0x218
hdr_ramdisk_size:   dd 0                    ; 0x21c
hdr_bootsect_kludge: dd 0                   ; 0x220
%if PROTO >= 0x201
hdr_heap_end_ptr:   dw 0                    ; 0x224
hdr_pad1:           dw 0                    ; 0x226
%endif
%if PROTO >= 0x202
hdr_cmd_line_ptr:   dd 0                    ; 0x228
%endif
%if PROTO >= 0x203
hdr_initrd_addr_max: dd INITRD_MAX          ; 0x22c
%endif
%if PROTO >= 0x20a
hdr_kernel_alignment: dd 0x100000           ; 0x230 (2.05)
hdr_relocatable:    db 0                    ; 0x234: not relocatable, so it runs at 1 MiB
hdr_min_alignment:  db 0                    ; 0x235
hdr_xloadflags:     dw 0                    ; 0x236
hdr_cmdline_size:   dd 255                  ; 0x238 (2.06)
hdr_hardware_subarch: dd 0                  ; 0x23c (2.07)
hdr_subarch_data:   dq 0                    ; 0x240
hdr_payload_offset: dd 0                    ; 0x248 (2.08)
hdr_payload_length: dd 0                    ; 0x24c
hdr_setup_data:     dq 0                    ; 0x250 (2.09)
hdr_pref_address:   dq 0x100000             ; 0x258 (2.10)
hdr_init_size:      dd INIT_SIZE            ; 0x260 (2.10)
%endif
%if PROTO < 0x203
    ; QEMU's option ROM stores initrd_addr_max (0x37ffffff) at 0x22c for kernels before
    ; 2.03: keep those bytes free of code so the stub still runs natively.
    times 0x230 - ($ - $$) db 0
%endif
hdr_end:
    jmp near start
    times CODE_START - ($ - $$) db 0

; ---- the stub (runs with CS = base/16 + 0x20; offsets below are from the image start)
start:
    cli
    cld
    mov ax, cs
    sub ax, 0x20
    mov ds, ax
    mov ss, ax
    mov sp, 0x8000
    push ax
    push word .cs_ok
    retf                                    ; CS = DS: labels are image offsets
.cs_ok:
    ; Move to 0x90000 when loaded elsewhere (setup.S's "move ourselves").
    mov ax, ds
    cmp ax, ZP_SEG
    je .in_place
    mov bx, ZP_SEG
    mov es, bx
    xor si, si
    xor di, di
    mov cx, [hdr_setup_move_size]
    shr cx, 1
    rep movsw
.in_place:
    ; Extended memory, as setup.S reads it (int 15h AH=88h).
    mov ah, 0x88
    int 0x15
    jnc .ext_ok
    xor ax, ax
.ext_ok:
    call zp_es
    mov [es:0x002], ax
    ; ALT_MEM_K from int 15h AX=E801h, setup.S's arithmetic.
    mov dword [es:0x1e0], 0
    stc
    xor cx, cx
    xor dx, dx
    mov ax, 0xe801
    int 0x15
    jc .e801_done
    cmp cx, 0
    jne .e801_cxdx
    cmp dx, 0
    jne .e801_cxdx
    mov cx, ax
    mov dx, bx
.e801_cxdx:
    call zp_es
    and edx, 0xffff
    shl edx, 6
    mov [es:0x1e0], edx
    and ecx, 0xffff
    add [es:0x1e0], ecx
.e801_done:
    ; The e820 map at 0x2d0, count at 0x1e8.
    call zp_es
    mov byte [es:0x1e8], 0
    xor ebx, ebx
    mov di, 0x2d0
.e820_next:
    mov eax, 0xe820
    mov edx, 0x534d4150                     ; "SMAP"
    mov ecx, 20
    int 0x15
    jc .e820_done
    cmp eax, 0x534d4150
    jne .e820_done
    call zp_es
    inc byte [es:0x1e8]
    add di, 20
    cmp byte [es:0x1e8], 32
    jae .e820_done
    test ebx, ebx
    jnz .e820_next
.e820_done:
    ; screen_info: cursor, mode and columns, EGA info, VGA presence, rows, font height.
    mov ah, 0x03
    xor bh, bh
    int 0x10
    call zp_es
    mov [es:0x000], dx                      ; orig_x, orig_y
    mov ah, 0x0f
    int 0x10
    call zp_es
    mov [es:0x004], bx                      ; orig_video_page (BH)
    and al, 0x7f
    mov [es:0x006], ax                      ; orig_video_mode, orig_video_cols
    mov ah, 0x12
    mov bl, 0x10
    int 0x10
    call zp_es
    mov [es:0x00a], bx                      ; orig_video_ega_bx
    mov byte [es:0x00f], 0
    mov ax, 0x1a00
    int 0x10
    call zp_es
    cmp al, 0x1a
    jne .not_vga
    mov byte [es:0x00f], 1                  ; orig_video_isVGA
.not_vga:
    xor ax, ax
    mov fs, ax
    mov al, [fs:0x484]                      ; BDA: rows - 1
    inc al
    cmp al, 1
    ja .rows_ok
    mov al, 25
.rows_ok:
    mov [es:0x00e], al                      ; orig_video_lines
    mov ax, [fs:0x485]                      ; BDA: character height
    mov [es:0x010], ax                      ; orig_video_points

    ; Fast A20 on, PICs masked (setup.S masks all but the cascade).
    cli
    in al, 0x92
    or al, 0x02
    and al, 0xfe
    out 0x92, al
    mov al, 0xff
    out 0xa1, al
    mov al, 0xfb
    out 0x21, al

    ; The GDT goes to 0x90f00; load it and an empty IDT.
    call zp_es
    mov si, gdt_template
    mov di, GDT_OFF
    mov cx, gdt_template_end - gdt_template
    rep movsb
    lgdt [gdt_ptr]
    lidt [idt_ptr]
    mov eax, cr0
    or al, 1
    mov cr0, eax
    mov ax, 0x18
    mov ds, ax
    mov es, ax
    mov fs, ax
    mov gs, ax
    mov ss, ax
    mov esp, 0x90000
    mov esi, 0x90000
    xor ebx, ebx
    xor ebp, ebp
    xor edi, edi
    jmp dword 0x10:0x100000

; ES = the zero page (BIOS calls may clobber it).
zp_es:
    push ax
    mov ax, ZP_SEG
    mov es, ax
    pop ax
    ret

align 8
gdt_template:
    dq 0
    dq 0
    dq 0x00cf9a000000ffff                   ; 0x10: flat 4 GiB code, execute/read
    dq 0x00cf92000000ffff                   ; 0x18: flat 4 GiB data, read/write
gdt_template_end:
gdt_ptr:
    dw gdt_template_end - gdt_template - 1
    dd (ZP_SEG << 4) + GDT_OFF
idt_ptr:
    dw 0
    dd 0

version_str:
    db "oldproto synthetic kernel, boot protocol ", '0' + (PROTO >> 8), '.'
    db '0' + ((PROTO & 0xff) >> 4), '0' + (PROTO & 0xf), 0

%if ($ - $$) > (SETUP_SECTS + 1) * 512
%error "setup code larger than SETUP_SECTS"
%endif
