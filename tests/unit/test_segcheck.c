// test_segcheck.c — the segment checks of VMM-performed data accesses (INS/OUTS): limits
// expand-up and expand-down (B bit), null and non-writable segments, #SS for SS.
#include "unit.h"
#include "vmm/segcheck.h"
#include "kernel/x86.h"

// VMCB attributes: present code/data, 32-bit (DB), with the given type.
#define ATTR32(type)   (0x490 | (type))
#define ATTR16(type)   (0x090 | (type))
#define T_DATA_RW      0x3
#define T_DATA_RO      0x1
#define T_DATA_DOWN_RW 0x7
#define T_CODE_XR      0xb
#define T_CODE_X       0x9

static int chk(u16 attr, u32 limit, int reg, u32 off, u32 size, bool write)
{
    struct segment s = { .sel = 0x10, .attr = attr, .limit = limit, .base = 0 };
    return segcheck_access(&s, reg, off, size, write, true);
}

TEST(segcheck_expand_up_limit_is_the_last_byte)
{
    CHECK_EQ(chk(ATTR32(T_DATA_RW), 0x7ff, SEG_ES, 0x7ff, 1, true), SEGCHECK_OK);
    CHECK_EQ(chk(ATTR32(T_DATA_RW), 0x7ff, SEG_ES, 0x800, 1, true), EXC_GP);
    CHECK_EQ(chk(ATTR32(T_DATA_RW), 0x7ff, SEG_ES, 0x7fe, 2, true), SEGCHECK_OK);
    CHECK_EQ(chk(ATTR32(T_DATA_RW), 0x7ff, SEG_ES, 0x7fe, 4, true), EXC_GP);
    CHECK_EQ(chk(ATTR32(T_DATA_RW), 0xffffffff, SEG_ES, 0xfffffffe, 4, true), EXC_GP);   // wraps
}

TEST(segcheck_expand_down_allows_above_limit_up_to_the_b_bound)
{
    CHECK_EQ(chk(ATTR32(T_DATA_DOWN_RW), 0x7ff, SEG_DS, 0x7ff, 1, false), EXC_GP);
    CHECK_EQ(chk(ATTR32(T_DATA_DOWN_RW), 0x7ff, SEG_DS, 0x800, 1, false), SEGCHECK_OK);
    CHECK_EQ(chk(ATTR32(T_DATA_DOWN_RW), 0x7ff, SEG_DS, 0xfffffffc, 4, false), SEGCHECK_OK);
    CHECK_EQ(chk(ATTR16(T_DATA_DOWN_RW), 0x7ff, SEG_DS, 0xfffe, 2, false), SEGCHECK_OK);
    CHECK_EQ(chk(ATTR16(T_DATA_DOWN_RW), 0x7ff, SEG_DS, 0xffff, 2, false), EXC_GP);
    CHECK_EQ(chk(ATTR16(T_DATA_DOWN_RW), 0x7ff, SEG_DS, 0x10000, 1, false), EXC_GP);
}

TEST(segcheck_type_and_null)
{
    CHECK_EQ(chk(ATTR32(T_DATA_RO), 0xffff, SEG_ES, 0, 1, true), EXC_GP);
    CHECK_EQ(chk(ATTR32(T_DATA_RO), 0xffff, SEG_DS, 0, 1, false), SEGCHECK_OK);
    CHECK_EQ(chk(ATTR32(T_CODE_XR), 0xffff, SEG_CS, 0, 1, false), SEGCHECK_OK);
    CHECK_EQ(chk(ATTR32(T_CODE_XR), 0xffff, SEG_ES, 0, 1, true), EXC_GP);
    CHECK_EQ(chk(ATTR32(T_CODE_X), 0xffff, SEG_CS, 0, 1, false), EXC_GP);
    CHECK_EQ(chk(0, 0xffffffff, SEG_DS, 0, 1, false), EXC_GP);   // null: not present
}

TEST(segcheck_ss_faults_with_ss)
{
    CHECK_EQ(chk(ATTR32(T_DATA_RW), 0x7ff, SEG_SS, 0x800, 1, false), EXC_SS);
    CHECK_EQ(chk(ATTR32(T_DATA_RW), 0x7ff, SEG_SS, 0x10, 1, false), SEGCHECK_OK);
}

TEST(segcheck_real_mode_checks_only_the_limit)
{
    struct segment s = { .sel = 0, .attr = 0, .limit = 0xffff, .base = 0x10000 };
    CHECK_EQ(segcheck_access(&s, SEG_ES, 0xffff, 1, true, false), SEGCHECK_OK);
    CHECK_EQ(segcheck_access(&s, SEG_ES, 0xffff, 2, true, false), EXC_GP);
}
