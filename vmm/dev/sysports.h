// sysports.h — small system ports: POST diagnostics (0x80) and System Control Port A (0x92).
//
// Port 0x80 is the delay port old kernels write between slow I/O (outb_p): writes are
// dropped, reads float. Port 0x92: bit 1 is the fast A20 gate (A20 starts enabled, as
// the i8042's gate does), writing bit 0 as 1 resets the machine. A20 is reported, never
// enforced: guest memory does not wrap at 1 MiB.
// (0x61 lives with the PIT, i8254.c; the reset control register 0xcf9 with the PIIX3,
// pci.c.)
#pragma once
#include "kernel/types.h"
#include "vmm/dev/dev.h"
#include "vmm/dev/iobus.h"

#define SYSPORTS_POST_PORT 0x80
#define SYSPORTS_A_PORT    0x92
#define SYSPORTS_A_RESET   0x01   // fast reset (pulse)
#define SYSPORTS_A_A20     0x02
#define SYSPORTS_A_RW      0xfe   // stored bits (bit 0 reads 0 after the reset pulse)

struct sysports {
    struct devenv env;
    u8 port92;
};

struct sysports *sysports_create(const struct devenv *env);
void sysports_destroy(struct sysports *sp);
// Claim 0x80 and 0x92 on `bus`.
bool sysports_attach(struct sysports *sp, struct iobus *bus);
