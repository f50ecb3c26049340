// oldproto.h — shared by the old-protocol test kernels and their host tool (mkbzimage.c):
// the boot_params (zero page) offsets they check and the layout of the test initrd.
#pragma once
#include <stdint.h>

// Where an old kernel's zero page lives, and the 32-bit entry address (LOADED_HIGH).
#define ZP_ADDR           0x90000u
#define KERNEL_ADDR       0x100000u

// Zero page offsets (Documentation/x86/zero-page.txt and boot.txt).
#define ZP_ORIG_X         0x000   // screen_info.orig_x (cursor column)
#define ZP_ORIG_Y         0x001   // screen_info.orig_y (cursor row)
#define ZP_EXT_MEM_K      0x002   // KiB above 1 MiB (int 15h AH=88h)
#define ZP_VIDEO_PAGE     0x004
#define ZP_VIDEO_MODE     0x006   // 3 = 80x25 colour text
#define ZP_VIDEO_COLS     0x007
#define ZP_VIDEO_EGA_BX   0x00a
#define ZP_VIDEO_LINES    0x00e
#define ZP_VIDEO_ISVGA    0x00f
#define ZP_VIDEO_POINTS   0x010
#define ZP_OLD_CL_MAGIC   0x020   // 0xA33F: old (2.00/2.01) command line protocol
#define ZP_OLD_CL_OFFSET  0x022   // command line offset from ZP_ADDR
#define ZP_ALT_MEM_K      0x1e0   // KiB above 1 MiB (int 15h AX=E801h)
#define ZP_E820_NR        0x1e8
#define ZP_SETUP_SECTS    0x1f1
#define ZP_SYSSIZE        0x1f4
#define ZP_BOOT_FLAG      0x1fe
#define ZP_JUMP           0x200
#define ZP_HEADER         0x202   // "HdrS"
#define ZP_VERSION        0x206
#define ZP_TYPE_OF_LOADER 0x210
#define ZP_LOADFLAGS      0x211
#define ZP_CODE32_START   0x214
#define ZP_RAMDISK_IMAGE  0x218
#define ZP_RAMDISK_SIZE   0x21c
#define ZP_CMD_LINE_PTR   0x228   // 2.02+
#define ZP_INITRD_MAX     0x22c   // 2.03+
#define ZP_E820_MAP       0x2d0   // 20-byte entries
#define ZP_FIELDS_END     0xeec   // end of the last boot_params field (EDD buffer); padding after

#define OLD_CL_MAGIC      0xa33f
#define HDRS_MAGIC        0x53726448u   // "HdrS"
#define LOADED_HIGH       0x01
#define E820_RAM          1
#define E820_ENTRY_SIZE   20
#define E820_MAX_OLD      32            // E820MAX of Linux 2.4 (the zero page holds 128)
#define INITRD_MAX_OLD    0x37ffffffu   // implied initrd_addr_max before protocol 2.03

// The test initrd: a header, a pseudo-random payload from the seed, a trailer. Its size is
// deliberately not a multiple of 4 KiB, and it is larger than 64 KiB.
#define INITRD_MAGIC      "OLDPROTO-INITRD"   // 16 bytes with the NUL
#define INITRD_TRAILER    "END-OF-INITRD-OK"  // last 16 bytes (no NUL)
#define INITRD_SIZE       (70000u)
#define INITRD_SEED       0x2b0d5eedu
#define INITRD_HDR_SIZE   32                  // magic[16], size, seed, 8 bytes zero
#define INITRD_TRAILER_SIZE 16

// Byte i of the payload (header and trailer excluded): a 32-bit LCG stepped per byte
// would be slow in the guest, so each dword comes from its index.
static inline uint8_t initrd_byte(uint32_t i)
{
    uint32_t x = (i >> 2) * 2654435761u + INITRD_SEED;
    x ^= x >> 15;
    x *= 0x2c1b3c6du;
    x ^= x >> 12;
    return (uint8_t)(x >> ((i & 3) * 8));
}
