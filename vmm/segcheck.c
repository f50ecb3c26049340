// segcheck.c — segment limit, type and null checks of a data access (Intel SDM vol. 3, 5.3/5.4).
#include "vmm/segcheck.h"
#include "kernel/x86.h"

// Descriptor attributes in VMCB form (struct segment.attr).
#define ATTR_TYPE(a)   ((a) & 0xf)
#define ATTR_S         BIT(4)       // code/data (1) or system (0)
#define ATTR_P         BIT(7)       // clear for a null (unusable) segment register
#define TYPE_CODE      BIT(3)
#define TYPE_RW        BIT(1)       // writable data / readable code
#define TYPE_EXPDOWN   BIT(2)       // data only (conforming for code)
#define TOP_16BIT      0xffffU      // an expand-down segment's upper bound when B=0

// The fault (EXC_GP or EXC_SS, error code 0) the access raises, or SEGCHECK_OK.
int segcheck_access(const struct segment *s, int reg, u32 off, u32 size, bool write, bool prot)
{
    int fault = reg == SEG_SS ? EXC_SS : EXC_GP;
    u32 type = ATTR_TYPE(s->attr);
    bool code = type & TYPE_CODE;
    if (prot) {
        if (!(s->attr & ATTR_P) || !(s->attr & ATTR_S)) return fault;
        if (code ? write || !(type & TYPE_RW) : write && !(type & TYPE_RW)) return fault;
    }
    u64 first = off, last = (u64)off + size - 1;
    if (!code && (type & TYPE_EXPDOWN)) {
        u32 top = (s->attr & SEG_ATTR_DB) ? 0xffffffffU : TOP_16BIT;
        if (first <= s->limit || last > top) return fault;
    } else if (last > s->limit) {
        return fault;
    }
    return SEGCHECK_OK;
}
