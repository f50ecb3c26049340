// loglimit.c — per-VM, per-source bound on guest-driven log lines (see loglimit.h).
#include "vmm/dev/loglimit.h"
#include "kernel/config.h"
#include "kernel/log.h"
#include "kernel/lib.h"

#define REPORT_MAX 256

static const char *const names[LOGSRC_COUNT] = {
    [LOGSRC_IO_UNHANDLED] = "io-unhandled",
    [LOGSRC_IO_REGISTER] = "io-register",
    [LOGSRC_PCI] = "pci",
};

// Lines asked for per VM and source (printed ones included); saturates, never wraps.
static u64 asked[MAX_VMS][LOGSRC_COUNT];

// True when (vm_id, src) names a table slot. Out of range is a caller bug, not a guest's
// doing: such lines are let through rather than lost.
static bool valid(int vm_id, enum log_source src)
{
    return vm_id >= 0 && vm_id < MAX_VMS && (unsigned)src < LOGSRC_COUNT;
}

// Start VM `vm_id`'s counts afresh.
void loglimit_reset(int vm_id)
{
    if (vm_id >= 0 && vm_id < MAX_VMS) memset(asked[vm_id], 0, sizeof asked[vm_id]);
}

// One more line of `src` for VM `vm_id`: allowed within the bound, else counted.
bool loglimit_allow(int vm_id, enum log_source src)
{
    if (!valid(vm_id, src)) return true;
    u64 *n = &asked[vm_id][src];
    if (*n != ~0ULL) (*n)++;
    if (*n <= LOGLIMIT_LINES) return true;
    if (*n == LOGLIMIT_LINES + 1)
        log_warn("vm=%d log source=%s suppressed further lines", vm_id, names[src]);
    return false;
}

// Refused lines of `src` for VM `vm_id`.
u64 loglimit_suppressed(int vm_id, enum log_source src)
{
    if (!valid(vm_id, src)) return 0;
    u64 n = asked[vm_id][src];
    return n > LOGLIMIT_LINES ? n - LOGLIMIT_LINES : 0;
}

// One line with each source's refused count, when any source refused a line.
void loglimit_report(int vm_id)
{
    char buf[REPORT_MAX];
    int len = 0;
    for (int s = 0; s < LOGSRC_COUNT; s++) {
        u64 n = loglimit_suppressed(vm_id, s);
        if (n && len < (int)sizeof buf)
            len += snprintf(buf + len, sizeof buf - len, " %s=%llu", names[s], n);
    }
    if (len) log_info("vm=%d log suppressed%s", vm_id, buf);
}
