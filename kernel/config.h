// config.h — the VMM's options, filled from the boot command line (docs/cmdline.md).
#pragma once
#include "kernel/types.h"

#define MAX_VMS 8
// Guest RAM bounds: at least one 4 MiB large page; at most 3 GiB, so that RAM (below 4 GiB
// for the 2-level shadow tables) stays clear of the 32-bit MMIO hole at 0xc0000000-4G.
#define VM_MEM_MIN (4ULL << 20)
#define VM_MEM_MAX (3ULL << 30)
#define EXITPORT_NONE  0
#define EXITPORT_BOCHS (-1)

enum onreset { ONRESET_STOP, ONRESET_RESTART };
enum crash_kind { CRASH_NONE, CRASH_UD, CRASH_PF, CRASH_GP };

struct vm_config {
    u64 mem;                 // guest RAM in bytes
    int onreset;             // enum onreset
    u64 maxrestarts;         // restarts allowed with onreset=restart (0 = no limit)
};

struct config {
    int log_level;
    bool selftest;
    int exitport;            // port number, EXITPORT_NONE or EXITPORT_BOCHS
    int crash;               // enum crash_kind: raise an exception in the VMM (testing)
    bool antfarm;
    bool antfarm_switch;
    bool antfarm_json;
    u64 antfarm_summary;     // seconds between summaries; 0 = only at the end
    struct vm_config vm[MAX_VMS];
};

extern struct config config;

// Parse the multiboot command line into `config`; false with a message in err.
bool config_parse(const char *cmdline, char *err, size_t errlen);
// Set only `exitport` from a line that cannot be parsed (too long, or bad), to report there.
void config_early_exitport(const char *cmdline);
