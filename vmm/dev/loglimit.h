// loglimit.h — a bound on every log source a guest can drive: per VM and per source, the
// first LOGLIMIT_LINES lines print, then one suppression line, then only a count.
//
// Pure logic (no hardware), shared by the device models and the VMM. The state lives in a
// table indexed by VM id, so a device needs only its devenv's vm_id to use it.
// Guest-driven lines bounded otherwise: unknown MSRs (a table of 16, vmm/msr.c), i8259
// ICW1.LTIM and IDE bus-master start (once per VM), and errors that stop the VM (once).
// Debug and trace lines are opt-in (log=debug) and not bounded.
#pragma once
#include "kernel/types.h"

#define LOGLIMIT_LINES 16   // lines per source per VM before the rest are only counted

// The guest-driven log sources; loglimit.c names each (`source=NAME` in the lines).
enum log_source {
    LOGSRC_IO_UNHANDLED,    // iobus: a port no device decodes
    LOGSRC_IO_REGISTER,     // iobus: a (BAR-driven) range that cannot be claimed or released
    LOGSRC_PCI,             // device-specific registers stored but not modeled
    LOGSRC_COUNT
};

// Start VM `vm_id`'s counts afresh (a new VM, or a restart of one).
void loglimit_reset(int vm_id);
// True when VM `vm_id` may print one more line from `src`. The first refusal prints
// `vm=N log source=NAME suppressed further lines`; later ones only count.
bool loglimit_allow(int vm_id, enum log_source src);
// Lines of `src` that VM `vm_id` was refused since its reset.
u64 loglimit_suppressed(int vm_id, enum log_source src);
// Print `vm=N log suppressed NAME=COUNT ...` for the sources that suppressed lines (none:
// nothing printed).
void loglimit_report(int vm_id);
