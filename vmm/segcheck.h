// segcheck.h — the protected-mode segment checks of a data access the VMM performs itself.
#pragma once
#include "kernel/types.h"
#include "vmm/vcpu.h"

#define SEGCHECK_OK (-1)

// The fault (EXC_GP or EXC_SS, error code 0) a `size`-byte access at offset `off` through
// segment register `reg` (attributes `s`) raises, or SEGCHECK_OK. `prot`: protected mode
// outside VM86 (type, presence and null checks apply; the limit is checked in every mode).
int segcheck_access(const struct segment *s, int reg, u32 off, u32 size, bool write, bool prot);
